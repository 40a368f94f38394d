/**
 * The libraries of the MessagePack, Protocol Buffers and XML formats, loaded
 * the first time one of them is encoded or decoded: a service that speaks
 * JSON (the default) never loads them, and starts faster. Codecs are
 * synchronous, so Node's `require` loads them (their CommonJS builds).
 */
import { createRequire } from 'node:module';

type Msgpackr = typeof import('msgpackr');
type Protobufjs = typeof import('protobufjs');
type FastXmlParser = typeof import('fast-xml-parser');

const require = createRequire(import.meta.url);
let msgpackr: Msgpackr | undefined;
let protobufjs: Protobufjs | undefined;
let fastXmlParser: FastXmlParser | undefined;

/** `msgpackr`, loaded on first call. */
export function msgpackrLibrary(): Msgpackr {
  msgpackr ??= require('msgpackr') as Msgpackr;
  return msgpackr;
}

/** `protobufjs`, loaded on first call. */
export function protobufLibrary(): Protobufjs {
  protobufjs ??= require('protobufjs') as Protobufjs;
  return protobufjs;
}

/** `fast-xml-parser`, loaded on first call. */
export function xmlLibrary(): FastXmlParser {
  fastXmlParser ??= require('fast-xml-parser') as FastXmlParser;
  return fastXmlParser;
}
