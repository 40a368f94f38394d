export * from './batch.js';
export * from './codec.js';
export * from './compression.js';
export * from './convert.js';
export * from './formats.js';
export * from './limits.js';
export * from './openapi.js';
export {
  type GeneratedProto,
  type GenerateProtoOptions,
  generateProto,
  PROTO_LOCK,
  PROTO_PACKAGE,
  type ProtoLock,
} from './proto-schema.js';
export { protoTypeOf } from './protobuf.js';
export * from './universal-serializer.js';
export * from './wire-type.js';
export { modifyYaml, type YamlDocument } from './yaml.js';
export { checkYamlExpansion, type YamlExpansion } from './yaml-budget.js';
