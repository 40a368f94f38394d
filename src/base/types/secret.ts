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
  readonly #value: T | undefined;
  readonly #sealed: SealedForm<T> | undefined;

  constructor(value: T, sealed?: SealedForm<T>) {
    this.#value = sealed === undefined ? value : undefined;
    this.#sealed = sealed;
    Object.freeze(this);
  }

  /**
   * A secret read from storage still encrypted: `reveal()` decrypts it with
   * `sealed.open` at each call, so the plain value exists only where it is
   * used. Its `sealed.text` is stored again as is when the record is
   * written back to the same place (`sealed.origin`).
   *
   * @example
   * ```ts
   * const s = Secret.sealed({ text: envelope, origin: 'acme/c1/config.url', open: () => cipher.open(envelope, aad) });
   * ```
   */
  static sealed<T>(sealed: SealedForm<T>): Secret<T> {
    return new Secret<T>(undefined as T, Object.freeze({ ...sealed }));
  }

  /** The stored (encrypted) form of a secret read from storage; `undefined` for a plain one. */
  get sealedForm(): SealedForm<T> | undefined {
    return this.#sealed;
  }

  /** The secret value itself. Call only where the value is used, never to log it. */
  reveal(): T {
    return this.#sealed === undefined ? (this.#value as T) : this.#sealed.open();
  }

  /** Two secrets are equal when their values are (for tests and change detection). */
  equals(other: Secret<T>): boolean {
    return this.reveal() === other.reveal();
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

/** How a secret read from storage is kept: encrypted, with the means to decrypt it. */
export interface SealedForm<T> {
  /** The stored text (an encryption envelope). */
  readonly text: string;
  /** Where it was read from (tenant, record, field): it is reused only there. */
  readonly origin: string;
  /** Decrypts `text` (throws when it cannot). */
  readonly open: () => T;
}

/** Is this a {@link Secret}? */
export function isSecret(value: unknown): value is Secret<unknown> {
  return value instanceof Secret;
}

/** Issue code of the branch of a secret field that takes a sealed (stored) value (never shown: the plain value's issues are). */
export const SEALED_SECRET_ISSUE = 'sealed_secret';

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
  // A secret still sealed (read from storage) was validated when it was
  // written: it passes as is, without being decrypted.
  const sealed = z.custom<Secret<z.output<S>>>(
    (value) => value instanceof Secret && value.sealedForm !== undefined,
    { params: { code: SEALED_SECRET_ISSUE } },
  );
  return z
    .preprocess(
      (value) =>
        value instanceof Secret && value.sealedForm === undefined ? value.reveal() : value,
      z.union([sealed, inner]),
    )
    .transform((value) =>
      value instanceof Secret ? (value as Secret<z.output<S>>) : new Secret<z.output<S>>(value),
    )
    .meta({ [SECRET_META_KEY]: true, writeOnly: true });
}

interface SchemaDef {
  readonly type: string;
  readonly shape?: Record<string, z.ZodType>;
  readonly options?: readonly z.ZodType[];
  readonly innerType?: z.ZodType;
  readonly element?: z.ZodType;
  readonly in?: z.ZodType;
  readonly out?: z.ZodType;
}

/**
 * The paths of the {@link secret} fields of a model's shape, dotted
 * (`config.webhookUrl`; `*` stands for any array index), through nested
 * objects, unions, arrays and optional, nullable or default wrappers.
 *
 * @example
 * ```ts
 * secretPaths(NotificationChannel.shape); // ['config.webhookUrl', 'config.bearerToken', ...]
 * ```
 */
export function secretPaths(shape: Readonly<Record<string, z.ZodType>>): string[] {
  const out = new Set<string>();
  const seen = new Set<z.ZodType>();
  const walk = (schema: z.ZodType, path: string): void => {
    const meta = z.globalRegistry.get(schema) as Record<string, unknown> | undefined;
    if (meta?.[SECRET_META_KEY] === true) {
      out.add(path);
      return;
    }
    if (seen.has(schema)) return;
    seen.add(schema);
    const def = schema._zod.def as unknown as SchemaDef;
    if (def.shape !== undefined) {
      for (const [k, s] of Object.entries(def.shape)) walk(s, path === '' ? k : `${path}.${k}`);
    }
    for (const option of def.options ?? []) walk(option, path);
    if (def.innerType !== undefined) walk(def.innerType, path);
    if (def.type === 'array' && def.element !== undefined) walk(def.element, `${path}.*`);
    if (def.type === 'pipe') {
      if (def.in !== undefined) walk(def.in, path);
      if (def.out !== undefined) walk(def.out, path);
    }
    seen.delete(schema);
  };
  for (const [k, s] of Object.entries(shape)) walk(s, k);
  return [...out];
}
