import { z } from 'zod';
import { SECRET_MASK } from '../constants.js';

const inspectCustom = Symbol.for('nodejs.util.inspect.custom');

/**
 * A value that must never be printed: tokens, passwords, webhook URLs.
 *
 * `JSON.stringify`, `String()`, template literals and `util.inspect` (so
 * `console.log` and loggers) all show `"**********"`. Code that needs the value
 * asks for it by name with {@link Secret.reveal}.
 *
 * @example
 * ```ts
 * const token = new Secret('xoxb-123');
 * JSON.stringify({ token });   // {"token":"**********"}
 * token.reveal();              // 'xoxb-123'
 * ```
 */
export class Secret<T = string> {
  readonly #value: T;

  constructor(value: T) {
    this.#value = value;
    Object.freeze(this);
  }

  /** The secret value itself. Call only where the value is used, never to log it. */
  reveal(): T {
    return this.#value;
  }

  /** Two secrets are equal when their values are (for tests and change detection). */
  equals(other: Secret<T>): boolean {
    return this.#value === other.#value;
  }

  toJSON(): string {
    return SECRET_MASK;
  }

  toString(): string {
    return SECRET_MASK;
  }

  [Symbol.toPrimitive](): string {
    return SECRET_MASK;
  }

  [inspectCustom](): string {
    return `Secret(${SECRET_MASK})`;
  }
}

/** Is this a {@link Secret}? */
export function isSecret(value: unknown): value is Secret<unknown> {
  return value instanceof Secret;
}

/** Marks schemas made by {@link secret} so dumps and JSON Schema can recognise them. @internal */
export const SECRET_META_KEY = 'alertbaseSecret';

/**
 * A secret field: validates the plain value with `inner`, then wraps it in a
 * {@link Secret}. An existing `Secret` is accepted as is (re-validated), so a
 * validated update of a model keeps its secrets. In JSON Schema the field is
 * the inner type marked `writeOnly`.
 *
 * @example
 * ```ts
 * const SlackConfig = defineModel('SlackConfig', { fields: { token: secret(z.string().min(10)) } });
 * ```
 */
export function secret<S extends z.ZodType<string>>(inner: S) {
  return z
    .preprocess((value) => (value instanceof Secret ? value.reveal() : value), inner)
    .transform((value) => new Secret<z.output<S>>(value))
    .meta({ [SECRET_META_KEY]: true, writeOnly: true });
}
