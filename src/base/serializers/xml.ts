import type { XMLParser } from 'fast-xml-parser';
import { type Codec, type CodecContext, decodeUtf8, encodeUtf8, messageOf } from './codec.js';
import { xmlLibrary } from './libraries.js';
import { checkSize, checkTree, lineColumn, malformed, setKey, tooLarge } from './limits.js';
import { scanXml } from './scan-xml.js';
import { type ObjectWire, unwrapWire, type WireType } from './wire-type.js';

/** The XML Schema instance namespace, for `xsi:nil="true"` (a null value). */
export const XSI_NAMESPACE = 'http://www.w3.org/2001/XMLSchema-instance';

/** The root element of a document of one value without a model. */
export const XML_VALUE_ROOT = 'value';

// Characters XML 1.0 cannot carry, even as references; and unpaired surrogates.
/** Does `s` hold a character XML 1.0 cannot carry, even as a reference, or an unpaired surrogate? */
function hasNonXmlChar(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20) {
      if (c !== 0x09 && c !== 0x0a && c !== 0x0d) return true;
    } else if (c >= 0xd800 && c <= 0xdfff) {
      const next = s.charCodeAt(i + 1);
      if (c > 0xdbff || !(next >= 0xdc00 && next <= 0xdfff)) return true;
      i++;
    } else if (c === 0xfffe || c === 0xffff) {
      return true;
    }
  }
  return false;
}
const TEXT_ESCAPE = /[&<>\r]/g;
const ATTR_ESCAPE = /[&<>"\t\n\r]/g;
const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
};
const escapeChar = (c: string): string => ESCAPES[c] ?? c;
const XML_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

const escapeText = (s: string): string =>
  TEXT_ESCAPE.test(s) ? s.replace(TEXT_ESCAPE, escapeChar) : s;
const escapeAttr = (s: string): string => s.replace(ATTR_ESCAPE, escapeChar);
const toBase64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

/** Writes XML: one method per mapping rule. */
class XmlWriter {
  private out = '';
  constructor(private readonly pretty: boolean) {}

  result(): string {
    return this.out;
  }

  private open(name: string, depth: number, attrs: string): void {
    if (this.pretty && depth > 0) this.out += `\n${'  '.repeat(depth)}`;
    this.out += `<${name}${attrs}>`;
  }

  private close(name: string, depth: number): void {
    if (this.pretty) this.out += `\n${'  '.repeat(depth)}`;
    this.out += `</${name}>`;
  }

  private leaf(name: string, depth: number, attrs: string, text: string): void {
    if (this.pretty && depth > 0) this.out += `\n${'  '.repeat(depth)}`;
    if (hasNonXmlChar(text)) {
      this.out += `<${name}${attrs} encoding="base64">${toBase64(text)}</${name}>`;
    } else if (text === '') {
      this.out += `<${name}${attrs}/>`;
    } else {
      this.out += `<${name}${attrs}>${escapeText(text)}</${name}>`;
    }
  }

  private nil(name: string, depth: number, attrs: string): void {
    if (this.pretty && depth > 0) this.out += `\n${'  '.repeat(depth)}`;
    this.out += `<${name}${attrs} xsi:nil="true"/>`;
  }

  /** A field: repeated elements for an array, one element otherwise, none when undefined. */
  field(name: string, value: unknown, type: WireType, depth: number): void {
    if (value === undefined) return;
    const { inner } = unwrapWire(type);
    if ((inner.kind === 'array' || inner.kind === 'set') && Array.isArray(value)) {
      for (const item of value) this.element(name, item, inner.element, depth, '');
      return;
    }
    this.element(name, value, type, depth, '');
  }

  /** Exactly one element for a value of a type. */
  element(name: string, value: unknown, type: WireType, depth: number, attrs: string): void {
    if (value === null || value === undefined) {
      this.nil(name, depth, attrs);
      return;
    }
    const { inner } = unwrapWire(type);
    switch (inner.kind) {
      case 'array':
      case 'set':
        if (!Array.isArray(value)) break;
        this.open(name, depth, attrs);
        for (const item of value) this.element('item', item, inner.element, depth + 1, '');
        this.close(name, depth);
        return;
      case 'record':
      case 'map':
        if (typeof value !== 'object' || Array.isArray(value)) break;
        this.open(name, depth, attrs);
        for (const [key, v] of Object.entries(value)) {
          this.element('entry', v, inner.value, depth + 1, nameAttr(key));
        }
        this.close(name, depth);
        return;
      case 'object':
        if (typeof value !== 'object' || Array.isArray(value)) break;
        this.object(name, value as Record<string, unknown>, inner, depth, attrs, false);
        return;
      case 'variant': {
        const tag = (value as Record<string, unknown>)[inner.discriminator];
        const option = inner.options.find((o) => o.tag === tag);
        if (option === undefined) break;
        this.object(name, value as Record<string, unknown>, option.type, depth, attrs, false);
        return;
      }
      case 'json':
        break;
      default:
        if (typeof value === 'object') break;
        this.leaf(name, depth, attrs, String(value));
        return;
    }
    this.untyped(name, value, depth, attrs);
  }

  /** An object element: one child per field, by wire name at the top level. */
  object(
    name: string,
    value: Record<string, unknown>,
    type: ObjectWire,
    depth: number,
    attrs: string,
    wireNames: boolean,
  ): void {
    this.open(name, depth, attrs);
    for (const f of type.fields) {
      const key = wireNames ? f.wire : f.name;
      this.field(key, value[key], f.type, depth + 1);
    }
    this.close(name, depth);
  }

  /** The self-describing mapping: `type` attributes, `item` and `entry` children. */
  untyped(name: string, value: unknown, depth: number, attrs: string): void {
    if (value === null || value === undefined) {
      this.nil(name, depth, attrs);
    } else if (typeof value === 'string') {
      this.leaf(name, depth, attrs, value);
    } else if (typeof value === 'number' || typeof value === 'boolean') {
      this.leaf(name, depth, `${attrs} type="${typeof value}"`, String(value));
    } else if (Array.isArray(value)) {
      this.open(name, depth, `${attrs} type="array"`);
      for (const item of value) this.untyped('item', item, depth + 1, '');
      this.close(name, depth);
    } else if (typeof value === 'object') {
      this.open(name, depth, `${attrs} type="object"`);
      for (const [key, v] of Object.entries(value)) {
        if (v === undefined) continue;
        if (
          XML_NAME.test(key) &&
          key !== 'entry' &&
          !(key in Object.prototype) &&
          key !== 'prototype' &&
          !key.toLowerCase().startsWith('xml')
        ) {
          this.untyped(key, v, depth + 1, '');
        } else {
          this.untyped('entry', v, depth + 1, nameAttr(key));
        }
      }
      this.close(name, depth);
    } else {
      this.leaf(name, depth, attrs, String(value));
    }
  }
}

function nameAttr(key: string): string {
  return hasNonXmlChar(key) ? ` name-base64="${toBase64(key)}"` : ` name="${escapeAttr(key)}"`;
}

const DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';
const XSI = ` xmlns:xsi="${XSI_NAMESPACE}"`;

function write(value: unknown, context: CodecContext, many: boolean): Uint8Array {
  const nl = context.pretty ? '\n' : '';
  const { model, type } = context;
  const w = new XmlWriter(context.pretty);
  let body: string;
  if (model !== undefined && type !== undefined && many) {
    const list = `${model.name}List`;
    for (const item of value as readonly unknown[]) {
      w.object(model.name, item as Record<string, unknown>, type, 1, '', true);
    }
    body = `<${list}${XSI}>${w.result()}${nl}</${list}>`;
  } else if (model !== undefined && type !== undefined) {
    w.object(model.name, value as Record<string, unknown>, type, 0, XSI, true);
    body = w.result();
  } else {
    w.untyped(XML_VALUE_ROOT, value, 0, XSI);
    body = w.result();
  }
  return encodeUtf8(`${DECLARATION}${nl}${body}${nl}`);
}

// ---------------------------------------------------------------- reading

type XmlNode = string | XmlElement;
interface XmlElement {
  readonly [key: string]: XmlNode[] | string | undefined;
}

const parser = (maxDepth: number) =>
  new (xmlLibrary().XMLParser)({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: false,
    processEntities: false,
    ignoreDeclaration: true,
    ignorePiTags: true,
    cdataPropName: '#cdata',
    textNodeName: '#text',
    maxNestedTags: maxDepth + 2,
    isArray: (_name: string, _path: unknown, _leaf: boolean, isAttribute: boolean) => !isAttribute,
  });
const parsers = new Map<number, XMLParser>();

const REFERENCE = /&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[A-Za-z][A-Za-z0-9]*);/g;
const NAMED: Readonly<Record<string, string>> = {
  lt: '<',
  gt: '>',
  amp: '&',
  quot: '"',
  apos: "'",
};

function decodeReferences(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(REFERENCE, (whole, ref: string) => {
    if (ref.startsWith('#')) {
      const code = ref[1] === 'x' ? Number.parseInt(ref.slice(2), 16) : Number(ref.slice(1));
      if (code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff)) {
        const char = String.fromCodePoint(code);
        if (!hasNonXmlChar(char)) return char;
      }
      throw malformed('xml', `the character reference ${whole} is not an XML character`);
    }
    const named = Object.hasOwn(NAMED, ref) ? NAMED[ref] : undefined;
    if (named === undefined) throw malformed('xml', `the entity ${whole} is not defined`);
    return named;
  });
}

const isElement = (node: XmlNode | undefined): node is XmlElement =>
  typeof node === 'object' && node !== null;

function attr(node: XmlNode, name: string): string | undefined {
  if (!isElement(node)) return undefined;
  const value = node[`@_${name}`];
  return typeof value === 'string' ? decodeReferences(value) : undefined;
}

const isNil = (node: XmlNode): boolean => attr(node, 'xsi:nil') === 'true';

function textOf(node: XmlNode): string {
  let text: string;
  if (typeof node === 'string') {
    text = decodeReferences(node);
  } else {
    const t = node['#text'];
    text = typeof t === 'string' ? decodeReferences(t) : '';
    const cdata = node['#cdata'];
    if (Array.isArray(cdata))
      text += cdata.map((c) => (typeof c === 'string' ? c : textOf(c))).join('');
  }
  if (attr(node, 'encoding') === 'base64') return Buffer.from(text, 'base64').toString('utf8');
  return text;
}

function children(node: XmlNode, name: string): XmlNode[] {
  if (!isElement(node)) return [];
  const value = Object.hasOwn(node, name) ? node[name] : undefined;
  return Array.isArray(value) ? value : [];
}

function childNames(node: XmlNode): string[] {
  if (!isElement(node)) return [];
  return Object.keys(node).filter((k) => !k.startsWith('@_') && k !== '#text' && k !== '#cdata');
}

function entryName(node: XmlNode): string {
  const b64 = attr(node, 'name-base64');
  if (b64 !== undefined) return Buffer.from(b64, 'base64').toString('utf8');
  return attr(node, 'name') ?? '';
}

const NUMBER = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

function scalar(text: string, type: WireType): unknown {
  switch (type.kind) {
    case 'number':
      return NUMBER.test(text) ? Number(text) : text;
    case 'boolean':
      return text === 'true' ? true : text === 'false' ? false : text;
    case 'bigint':
      return /^-?\d{1,4096}$/.test(text) ? BigInt(text) : text;
    case 'date':
      return type.strict === true ? new Date(text) : text;
    case 'literal':
      if (typeof type.value === 'number') return NUMBER.test(text) ? Number(text) : text;
      if (typeof type.value === 'boolean')
        return text === 'true' ? true : text === 'false' ? false : text;
      return text;
    default:
      return text;
  }
}

function readUntyped(node: XmlNode): unknown {
  if (isNil(node)) return null;
  switch (attr(node, 'type')) {
    case 'number':
      return scalar(textOf(node), { kind: 'number', int: false });
    case 'boolean':
      return scalar(textOf(node), { kind: 'boolean' });
    case 'array':
      return children(node, 'item').map(readUntyped);
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const name of childNames(node)) {
        for (const child of children(node, name)) {
          setKey(out, name === 'entry' ? entryName(child) : name, readUntyped(child), 'xml');
        }
      }
      return out;
    }
    default:
      return textOf(node);
  }
}

function readObject(node: XmlNode, type: ObjectWire, wireNames: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const known = new Set<string>();
  for (const f of type.fields) {
    const key = wireNames ? f.wire : f.name;
    known.add(key);
    const value = readField(children(node, key), f.type);
    if (value !== undefined) out[key] = value;
  }
  // Unknown elements are passed on so that the model names them.
  for (const name of childNames(node)) {
    if (known.has(name)) continue;
    const nodes = children(node, name);
    setKey(
      out,
      name,
      nodes.length === 1 ? readUntyped(nodes[0] as XmlNode) : nodes.map(readUntyped),
      'xml',
    );
  }
  return out;
}

function readField(nodes: readonly XmlNode[], type: WireType): unknown {
  const { inner, nullable, optional } = unwrapWire(type);
  if (inner.kind === 'array' || inner.kind === 'set') {
    const [first] = nodes;
    if (nodes.length === 0) return optional ? undefined : [];
    if (nodes.length === 1 && first !== undefined && nullable && isNil(first)) return null;
    return nodes.map((n) => readElement(n, inner.element));
  }
  const [first] = nodes;
  if (first === undefined) return optional ? undefined : nullable ? null : undefined;
  if (nodes.length > 1) return nodes.map((n) => readElement(n, type));
  return readElement(first, type);
}

function readElement(node: XmlNode, type: WireType): unknown {
  if (isNil(node)) return null;
  const { inner } = unwrapWire(type);
  switch (inner.kind) {
    case 'array':
    case 'set':
      return children(node, 'item').map((n) => readElement(n, inner.element));
    case 'record':
    case 'map': {
      const out: Record<string, unknown> = {};
      for (const entry of children(node, 'entry')) {
        setKey(out, entryName(entry), readElement(entry, inner.value), 'xml');
      }
      return out;
    }
    case 'object':
      return readObject(node, inner, false);
    case 'variant': {
      const tagNode = children(node, inner.discriminator)[0];
      const tag = tagNode === undefined ? undefined : textOf(tagNode);
      const option = inner.options.find((o) => o.tag === tag);
      return option === undefined ? readUntyped(node) : readObject(node, option.type, false);
    }
    case 'json':
      return readUntyped(node);
    default:
      return scalar(textOf(node), inner);
  }
}

function parseXml(bytes: Uint8Array, context: CodecContext): { name: string; node: XmlNode } {
  const { limits } = context;
  checkSize(bytes.byteLength, 'xml', limits);
  scanXml(bytes, limits);
  const text = decodeUtf8(bytes, 'xml');
  const doctype = /<!(DOCTYPE|ENTITY)/i.exec(text);
  if (doctype !== null) {
    throw malformed('xml', 'DOCTYPE and entity declarations are not allowed', {
      offset: doctype.index,
      ...lineColumn(text, doctype.index),
    });
  }
  let references = 0;
  for (let i = text.indexOf('&'); i !== -1; i = text.indexOf('&', i + 1)) {
    if (++references > limits.maxXmlReferences) {
      throw tooLarge('xml', limits.maxXmlReferences, 'character references', {
        offset: i,
        ...lineColumn(text, i),
      });
    }
  }
  const valid = xmlLibrary().XMLValidator.validate(text, { allowBooleanAttributes: false });
  if (valid !== true) {
    const { msg, line, col } = valid.err;
    throw malformed('xml', msg, { line, column: col });
  }
  let p = parsers.get(limits.maxDepth);
  if (p === undefined) {
    p = parser(limits.maxDepth);
    parsers.set(limits.maxDepth, p);
  }
  let doc: Record<string, unknown>;
  try {
    doc = p.parse(text) as Record<string, unknown>;
  } catch (cause) {
    const message = messageOf(cause);
    if (/nest/i.test(message))
      throw tooLarge('xml', limits.maxDepth, 'levels of nesting', { reason: message });
    const key = /"(__proto__|constructor|prototype)"/.exec(message)?.[1];
    throw malformed('xml', message, key === undefined ? {} : { key }, cause);
  }
  const names = Object.keys(doc).filter((k) => !k.startsWith('?') && !k.startsWith('#'));
  const name = names[0];
  const node = name === undefined ? undefined : (doc[name] as XmlNode[] | undefined)?.[0];
  if (name === undefined || node === undefined || names.length !== 1) {
    throw malformed('xml', 'expected exactly one root element');
  }
  return { name, node };
}

function read(bytes: Uint8Array, context: CodecContext): unknown {
  const { node } = parseXml(bytes, context);
  const value =
    context.type === undefined ? readUntyped(node) : readObject(node, context.type, true);
  checkTree(value, 'xml', context.limits);
  return value;
}

/**
 * XML 1.0, UTF-8. With a model: the root element is the model's name, one
 * child element per field (wire name), repeated elements for arrays, a
 * wrapper of `<entry name="...">` elements for label maps, `xsi:nil="true"`
 * for null, an empty element for an empty string (see
 * `docs/serialization.md`). Without a model: the self-describing mapping
 * (`type="number|boolean|array|object"`, `<item>` and `<entry>`).
 * No DOCTYPE, no entities beyond the five predefined ones.
 */
export const xmlCodec: Codec = {
  format: 'xml',
  keepsDates: false,
  encode: (value, context) => write(value, context, false),
  decode: read,
  encodeMany: (values, context) => write(values, context, true),
  scan: (bytes, context) => scanXml(bytes, context.limits),
  decodeMany(bytes, context) {
    const { node } = parseXml(bytes, context);
    const { model, type } = context;
    let values: unknown[];
    if (model !== undefined && type !== undefined) {
      values = children(node, model.name).map((n) => readObject(n, type, true));
    } else {
      const value = readUntyped(node);
      if (!Array.isArray(value)) throw malformed('xml', 'expected an array of records');
      values = value;
    }
    checkTree(values, 'xml', context.limits);
    return values;
  },
};
