/**
 * @internal A model's validated data without the instance: what
 * `Model.schema.safeParse` gives for input in field names (no wire names, no
 * computed keys), from the model's compiled parser when it has one. For hot
 * paths that use the fields and never the instance (ingest): no frozen copy,
 * no `ValidationError` when it fails (the caller asks the model for issues).
 *
 * The data of a compiled parser comes with the model's computed fields as
 * non-enumerable getters on its prototype; its own keys, values and their
 * order are `Model.schema`'s (test/models/compiled-parity.test.ts).
 */

/** Parses input in field names; `undefined` when it is invalid. */
export type DataParser = (input: Record<string, unknown>) => Record<string, unknown> | undefined;

const parsers = new WeakMap<object, DataParser>();

/** Called by `defineModel` for each model it makes. */
export function registerDataParser(model: object, parse: DataParser): void {
  parsers.set(model, parse);
}

/**
 * The model's validated, unfrozen data for `input` (in field names), or
 * `undefined` when it is invalid: then `Model.safeParse` tells why, and
 * accepts what only it accepts (wire names).
 */
export function parseModelData(
  model: object,
  input: Record<string, unknown>,
): Record<string, unknown> | undefined {
  const parse = parsers.get(model);
  if (parse === undefined) throw new TypeError('not a model made by defineModel');
  return parse(input);
}
