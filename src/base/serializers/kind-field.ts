import { SerializationError } from '../exceptions/index.js';
import type { AnyModel } from '../types/model.js';
import type { Format } from './formats.js';

/** `AlertRule`, `alert-rule`, `alert_rule` and `alertrule` name the same model. */
const flat = (name: string): string => name.replaceAll(/[-_]/g, '').toLowerCase();

/**
 * A record read from a file may name its model in a `kind` field, as the
 * documents `alertbase validate` reads do (`kind: Alert`). Returns the record
 * without that field when it names `model`; refuses one that names another
 * model. A record without `kind`, or that is not a mapping, is returned as is.
 */
export function dropKindField(data: unknown, model: AnyModel, format: Format): unknown {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return data;
  if (!Object.hasOwn(data, 'kind')) return data;
  const { kind, ...rest } = data as Record<string, unknown>;
  if (typeof kind === 'string' && flat(kind) === flat(model.name)) return rest;
  throw new SerializationError('ALERTBASE_SERIALIZATION_FAILED', {
    format,
    reason: `the record's kind ${JSON.stringify(kind)} is not the model ${model.name}`,
  });
}
