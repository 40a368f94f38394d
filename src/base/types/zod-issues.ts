import type { z } from 'zod';
import { toJsonPointer, type ValidationIssue } from '../exceptions/index.js';
import { SEALED_SECRET_ISSUE } from './secret.js';

/**
 * @internal From Zod's finalized issues to a model's {@link ValidationIssue}s:
 * wire names in paths, one issue per unknown key, stable codes, the branch of
 * a discriminated union. Shared by the regular and the compiled parser, so
 * both report alike.
 */

/** The schema inside optional, nullable, default, ... wrappers and pipes. */
function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (;;) {
    const def = current._zod.def as { type: string; innerType?: z.ZodType; in?: z.ZodType };
    if (
      def.innerType !== undefined &&
      ['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional'].includes(
        def.type,
      )
    ) {
      current = def.innerType;
    } else if (def.type === 'pipe' && def.in !== undefined) {
      current = def.in;
    } else {
      return current;
    }
  }
}

/** @internal The discriminator branch that an issue's path goes through, as `key=value`. */
export function branchAt(
  schema: z.ZodType,
  input: unknown,
  path: readonly PropertyKey[],
): string | undefined {
  let node = unwrap(schema);
  let value = input;
  let branch: string | undefined;
  for (const key of path) {
    const def = node._zod.def as {
      type: string;
      shape?: Record<string, z.ZodType>;
      element?: z.ZodType;
      valueType?: z.ZodType;
      discriminator?: string;
      options?: z.ZodType[];
    };
    if (def.type === 'union' && def.discriminator !== undefined && def.options !== undefined) {
      const tag = (value as Record<string, unknown> | null)?.[def.discriminator];
      const option = def.options.find((o) => {
        const optShape = (unwrap(o)._zod.def as { shape?: Record<string, z.ZodType> }).shape;
        const lit = optShape?.[def.discriminator as string];
        return lit !== undefined && (lit._zod.def as { values?: unknown[] }).values?.includes(tag);
      });
      if (option === undefined) return branch;
      branch = `${def.discriminator}=${String(tag)}`;
      node = unwrap(option);
      const again = node._zod.def as typeof def;
      if (again.shape?.[String(key)] === undefined) return branch;
      node = unwrap(again.shape[String(key)] as z.ZodType);
    } else if (def.type === 'object' && def.shape !== undefined) {
      const next = def.shape[String(key)];
      if (next === undefined) return branch;
      node = unwrap(next);
    } else if (def.type === 'array' && def.element !== undefined) {
      node = unwrap(def.element);
    } else if (def.type === 'record' && def.valueType !== undefined) {
      node = unwrap(def.valueType);
    } else {
      return branch;
    }
    value = (value as Record<PropertyKey, unknown> | null | undefined)?.[key as string];
  }
  const def = node._zod.def as { type: string; discriminator?: string };
  if (def.type === 'union' && def.discriminator !== undefined) {
    const tag = (value as Record<string, unknown> | null)?.[def.discriminator];
    if (tag !== undefined) return `${def.discriminator}=${String(tag)}`;
  }
  return branch;
}

export interface ZodIssueLike {
  readonly code: string;
  readonly path: readonly PropertyKey[];
  readonly message: string;
  readonly keys?: readonly string[];
  readonly note?: string;
  readonly discriminator?: string;
  readonly options?: readonly unknown[];
  readonly params?: Readonly<Record<string, unknown>>;
  readonly errors?: readonly (readonly ZodIssueLike[])[];
}

/**
 * The issues of a secret field's plain value, when `raw` is the union of a
 * secret field (a sealed value, or a plain one) and the sealed branch only
 * said "not sealed": those are what the caller got wrong.
 */
function plainSecretIssues(raw: ZodIssueLike): readonly ZodIssueLike[] | undefined {
  if (raw.code !== 'invalid_union' || raw.errors === undefined) return undefined;
  const isSealedBranch = (branch: readonly ZodIssueLike[]) =>
    branch.length > 0 && branch.every((i) => i.params?.code === SEALED_SECRET_ISSUE);
  if (!raw.errors.some(isSealedBranch)) return undefined;
  return raw.errors
    .filter((b) => !isSealedBranch(b))
    .flat()
    .map((i) => ({ ...i, path: [...raw.path, ...i.path] }));
}

export function renamePath(
  path: readonly PropertyKey[],
  rename: ReadonlyMap<string, string> | undefined,
): (string | number)[] {
  const out: (string | number)[] = new Array(path.length);
  for (let i = 0; i < path.length; i++) {
    const p = path[i];
    out[i] = typeof p === 'number' ? p : String(p);
  }
  const first = out[0];
  if (rename !== undefined && typeof first === 'string') {
    const wire = rename.get(first);
    if (wire !== undefined) out[0] = wire;
  }
  return out;
}

export function issueFromZod(
  raw: ZodIssueLike,
  schema: z.ZodType,
  input: unknown,
  rename: ReadonlyMap<string, string> | undefined,
  withBranches: boolean,
): ValidationIssue[] {
  const plain = plainSecretIssues(raw);
  if (plain !== undefined) {
    return plain.flatMap((i) => issueFromZod(i, schema, input, rename, withBranches));
  }
  if (raw.code === 'unrecognized_keys' && raw.keys !== undefined) {
    const parent = renamePath(raw.path, rename);
    return raw.keys.map((key) => {
      const path = [...parent, key];
      return {
        path,
        pointer: toJsonPointer(path),
        code: 'unrecognized_key',
        message: `unknown field "${key}"`,
      };
    });
  }
  const path = renamePath(raw.path, rename);
  const pointer = toJsonPointer(path);
  const branch = withBranches ? branchAt(schema, input, raw.path) : undefined;
  let code = raw.code;
  let message = raw.message;
  let line: number | undefined;
  let column: number | undefined;
  if (raw.code === 'invalid_union' && raw.discriminator !== undefined) {
    code = 'invalid_discriminator';
    message = `"${raw.discriminator}" must be one of: ${(raw.options ?? []).map(String).join(', ')}`;
  } else if (
    raw.code === 'custom' &&
    raw.params !== undefined &&
    typeof raw.params.code === 'string'
  ) {
    code = raw.params.code;
    if (typeof raw.params.line === 'number') line = raw.params.line;
    if (typeof raw.params.column === 'number') column = raw.params.column;
  }
  const issue: { -readonly [K in keyof ValidationIssue]: ValidationIssue[K] } = {
    path,
    pointer,
    code,
    message,
  };
  if (branch !== undefined) issue.branch = branch;
  if (line !== undefined) issue.line = line;
  if (column !== undefined) issue.column = column;
  return [issue];
}

/** Does a schema contain a discriminated union anywhere (so issues may name a branch)? */
export function hasDiscriminatedUnion(schema: z.ZodType, depth = 0): boolean {
  if (depth > 32) return false;
  const def = schema._zod.def as {
    type: string;
    discriminator?: string;
    innerType?: z.ZodType;
    in?: z.ZodType;
    out?: z.ZodType;
    shape?: Record<string, z.ZodType>;
    element?: z.ZodType;
    valueType?: z.ZodType;
    options?: z.ZodType[];
  };
  if (def.type === 'union' && def.discriminator !== undefined) return true;
  const children = [
    def.innerType,
    def.in,
    def.out,
    def.element,
    def.valueType,
    ...(def.options ?? []),
    ...Object.values(def.shape ?? {}),
  ];
  return children.some((c) => c !== undefined && hasDiscriminatedUnion(c, depth + 1));
}
