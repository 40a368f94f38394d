import { cannotExceedCounts, ElementCounter } from './element-counter.js';
import type { DecodeLimits } from './limits.js';

const LT = 0x3c;
const GT = 0x3e;
const SLASH = 0x2f;
const BANG = 0x21;
const QUESTION = 0x3f;
const QUOTE = 0x22;
const APOSTROPHE = 0x27;

const COMMENT_END = Buffer.from('-->');
const CDATA_END = Buffer.from(']]>');
const PI_END = Buffer.from('?>');

/**
 * @internal Counts the elements of an XML body in one linear pass over its
 * UTF-8 bytes, before it is decoded and parsed, and throws
 * `ALERTBASE_SERIALIZATION_TOO_LARGE` at the first count limit reached:
 * elements in the document (`maxNodes`), children of one element
 * (`maxItems`), nesting (`maxDepth`). Malformed XML is left to the parser.
 */
export function scanXml(bytes: Uint8Array, limits: DecodeLimits): void {
  if (cannotExceedCounts(bytes.byteLength, limits)) return;
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const counter = new ElementCounter('xml', limits);
  const length = buffer.length;
  for (let i = 0; i < length; i++) {
    if (buffer[i] !== LT) continue;
    const next = buffer[i + 1];
    let end: number;
    if (next === SLASH) {
      counter.close();
      end = endOfTag(buffer, i + 2);
    } else if (next === BANG) {
      const cdata = buffer[i + 2] === 0x5b; // <![CDATA[
      const close = cdata ? CDATA_END : COMMENT_END;
      const at = buffer.indexOf(close, i + 2);
      end = at === -1 ? -1 : at + close.length - 1;
    } else if (next === QUESTION) {
      const at = buffer.indexOf(PI_END, i + 2);
      end = at === -1 ? -1 : at + 1;
    } else {
      counter.open('array', i);
      end = endOfTag(buffer, i + 1);
      if (end !== -1 && buffer[end - 1] === SLASH) counter.close();
    }
    if (end === -1) return;
    i = end;
  }
}

/** The `>` that ends a tag, skipping quoted attribute values. */
function endOfTag(buffer: Buffer, from: number): number {
  const length = buffer.length;
  for (let j = from; j < length; j++) {
    const c = buffer[j];
    if (c === GT) return j;
    if (c === QUOTE || c === APOSTROPHE) {
      j = buffer.indexOf(c, j + 1);
      if (j === -1) return -1;
    }
  }
  return -1;
}
