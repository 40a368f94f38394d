import { DECODE_LIMITS } from '../base/constants.js';
import type { CodecContext } from '../base/serializers/codec.js';

/** @internal How cached values are encoded: MessagePack of plain data, the usual decode limits. */
export const CODEC_CONTEXT: CodecContext = Object.freeze({
  model: undefined,
  type: undefined,
  limits: DECODE_LIMITS,
  pretty: false,
});
