/**
 * @internal The code generator of compiled model parsers: from a Zod schema
 * tree to straight-line JavaScript that checks a value and builds the output
 * in one pass.
 *
 * Each node is emitted as statements that either leave its output in a fresh
 * variable or `break` to a failure label. A verdict of "valid" must be Zod's
 * verdict exactly (same output value too); a failure only sends the parse to
 * the invalid path (`emit-issues.ts`), which reports the issues. So a node the
 * generator does not know (a `lazy`, a discriminated union, a `z.custom`, a
 * codec) is run by Zod itself, in place, and a check it does not know is run
 * with Zod's own check function.
 */

import { z } from 'zod';
import {
  type Check,
  checksOf,
  defOf,
  has,
  isStringKeyedRecord,
  MAX_DEPTH,
  PATTERN_FORMATS,
  plainDefaultOf,
  traitsOf,
} from './schema-internals.js';

/** Where a generated function finds the schemas, checks and helpers it uses. */
export interface EmitContext {
  /** Values the generated code reads as `K[i]`. */
  readonly constants: unknown[];
  readonly lines: string[];
  counter: number;
  /** Nesting depth of the generated code (a budget against deep schemas). */
  depth: number;
}

const CONTAINERS = new Set([
  'object',
  'array',
  'record',
  'union',
  'nullable',
  'optional',
  'default',
  'pipe',
]);

/** A constant the generated code reads: `K[i]`. */
export function constant(ctx: EmitContext, value: unknown): string {
  let index = ctx.constants.indexOf(value);
  if (index === -1) {
    index = ctx.constants.length;
    ctx.constants.push(value);
  }
  return `K[${index}]`;
}

/** A fresh local name. */
export function local(ctx: EmitContext, prefix: string): string {
  ctx.counter += 1;
  return `${prefix}${ctx.counter}`;
}

/** Writes a line of generated code at the context's depth. */
export function emit(ctx: EmitContext, line: string): void {
  ctx.lines.push(`${'  '.repeat(Math.min(ctx.depth + 1, 40))}${line}`);
}

/**
 * A fast test that implies the check passes, or `undefined`. When it does not
 * hold, the check itself runs (so its verdict, never the test's, decides).
 */
function passTest(ctx: EmitContext, check: Check, v: string, kind: string): string | undefined {
  const def = check._zod.def;
  const traits = traitsOf(check);
  if (def.check === 'max_length' && traits.has('$ZodCheckMaxLength') && kind !== 'other') {
    return `${v}.length <= ${Number(def.maximum)}`;
  }
  if (def.check === 'min_length' && traits.has('$ZodCheckMinLength') && kind !== 'other') {
    const min = Number(def.minimum);
    return kind === 'string' ? `${v}.length >= ${min * 2}` : `${v}.length >= ${min}`;
  }
  if (
    def.check === 'string_format' &&
    kind === 'string' &&
    def.pattern instanceof RegExp &&
    !def.pattern.global &&
    !def.pattern.sticky &&
    (PATTERN_FORMATS.some((t) => traits.has(t)) || traits.has('$ZodCheckRegex')) &&
    !traits.has('$ZodCustomStringFormat')
  ) {
    return `${constant(ctx, def.pattern)}.test(${v})`;
  }
  if (def.check === 'string_format' && kind === 'string' && traits.has('$ZodCustomStringFormat')) {
    if (typeof def.fn === 'function') return `${constant(ctx, def.fn)}(${v})`;
  }
  if (
    (def.check === 'greater_than' || def.check === 'less_than') &&
    kind === 'number' &&
    typeof def.value === 'number'
  ) {
    const op =
      def.check === 'greater_than' ? (def.inclusive ? '>=' : '>') : def.inclusive ? '<=' : '<';
    return `${v} ${op} ${String(def.value)}`;
  }
  if (def.check === 'number_format' && kind === 'number' && def.format === 'safeint') {
    return `Number.isSafeInteger(${v})`;
  }
  return undefined;
}

/**
 * For Zod's URL check without `hostname` or `normalize` (which change what is
 * accepted or the output beyond what {@link H.plainUrl} tests): the test that
 * the URL passes unchanged, or `undefined`.
 */
function plainUrlTest(ctx: EmitContext, check: Check, v: string): string | undefined {
  const def = check._zod.def as Check['_zod']['def'] & {
    readonly hostname?: unknown;
    readonly normalize?: unknown;
    readonly protocol?: unknown;
  };
  if (def.check !== 'string_format' || def.format !== 'url' || !traitsOf(check).has('$ZodURL')) {
    return undefined;
  }
  if (def.hostname !== undefined || def.normalize) {
    return undefined;
  }
  if (def.protocol !== undefined && !(def.protocol instanceof RegExp)) return undefined;
  const protocol = def.protocol === undefined ? 'undefined' : constant(ctx, def.protocol);
  return `H.plainUrl(${v}, ${protocol})`;
}

/** Emits a schema's checks on `v` (already of the schema's type); returns the variable holding the value after them. */
function emitChecks(
  ctx: EmitContext,
  schema: z.ZodType,
  v: string,
  bad: string,
  kind: string,
): string {
  let current = v;
  for (const check of checksOf(schema)) {
    const url = kind === 'string' ? plainUrlTest(ctx, check, current) : undefined;
    if (url !== undefined) {
      // A URL that passes as it is keeps its value; any other runs the check.
      const next = local(ctx, 'c');
      emit(
        ctx,
        `const ${next} = ${url} ? ${current} : H.check(${constant(ctx, check)}, ${current});`,
      );
      emit(ctx, `if (${next} === H.FAIL) break ${bad};`);
      current = next;
      continue;
    }
    const test = passTest(ctx, check, current, kind);
    if (test !== undefined) {
      emit(
        ctx,
        `if (!(${test}) && H.check(${constant(ctx, check)}, ${current}) === H.FAIL) break ${bad};`,
      );
    } else {
      // A check may rewrite the value (trim, toLowerCase): read it back.
      const next = local(ctx, 'c');
      emit(ctx, `const ${next} = H.check(${constant(ctx, check)}, ${current});`);
      emit(ctx, `if (${next} === H.FAIL) break ${bad};`);
      current = next;
    }
  }
  return current;
}

/** Zod runs the node itself: exact, whatever the node is. */
function emitByZod(ctx: EmitContext, schema: z.ZodType, v: string, bad: string): string {
  const p = local(ctx, 'p');
  const out = local(ctx, 'o');
  emit(ctx, `const ${p} = H.runNode(${constant(ctx, schema)}, ${v}, ctx);`);
  emit(ctx, `if (${p}.issues.length !== 0) break ${bad};`);
  emit(ctx, `const ${out} = ${p}.value;`);
  return out;
}

/**
 * Emits code that validates `v` against `schema`: on success the returned
 * variable holds Zod's output; on failure the code breaks to `bad`.
 */
export function emitNode(ctx: EmitContext, schema: z.ZodType, v: string, bad: string): string {
  if (ctx.depth > MAX_DEPTH) return emitByZod(ctx, schema, v, bad);
  ctx.depth += 1;
  try {
    return emitKnown(ctx, schema, v, bad) ?? emitByZod(ctx, schema, v, bad);
  } finally {
    ctx.depth -= 1;
  }
}

function emitKnown(
  ctx: EmitContext,
  schema: z.ZodType,
  v: string,
  bad: string,
): string | undefined {
  const def = defOf(schema);
  if (def.coerce === true) return undefined;
  // A schema that can meet itself again (through a lazy) is Zod's: it breaks
  // cycles in the input by the identity of the objects it has seen.
  if (CONTAINERS.has(def.type) && z.core.isRecursiveSchema(schema)) return undefined;
  switch (def.type) {
    case 'string': {
      if (!has(schema, '$ZodString')) return undefined;
      emit(ctx, `if (typeof ${v} !== 'string') break ${bad};`);
      return emitChecks(ctx, schema, v, bad, 'string');
    }
    case 'number': {
      if (!has(schema, '$ZodNumber')) return undefined;
      emit(ctx, `if (typeof ${v} !== 'number' || !Number.isFinite(${v})) break ${bad};`);
      return emitChecks(ctx, schema, v, bad, 'number');
    }
    case 'boolean': {
      if (!has(schema, '$ZodBoolean')) return undefined;
      emit(ctx, `if (typeof ${v} !== 'boolean') break ${bad};`);
      return emitChecks(ctx, schema, v, bad, 'other');
    }
    case 'null': {
      if (!has(schema, '$ZodNull')) return undefined;
      emit(ctx, `if (${v} !== null) break ${bad};`);
      return emitChecks(ctx, schema, v, bad, 'other');
    }
    case 'unknown':
    case 'any': {
      return emitChecks(ctx, schema, v, bad, 'other');
    }
    case 'enum':
    case 'literal': {
      if (!has(schema, '$ZodEnum') && !has(schema, '$ZodLiteral')) return undefined;
      const values = (schema._zod as unknown as { values?: ReadonlySet<unknown> }).values;
      if (values === undefined) return undefined;
      emit(ctx, `if (!${constant(ctx, values)}.has(${v})) break ${bad};`);
      return emitChecks(ctx, schema, v, bad, 'other');
    }
    case 'nullable': {
      if (!has(schema, '$ZodNullable') || def.innerType === undefined) return undefined;
      const out = local(ctx, 'o');
      emit(ctx, `let ${out} = null;`);
      emit(ctx, `if (${v} !== null) {`);
      const inner = emitNode(ctx, def.innerType, v, bad);
      emit(ctx, `  ${out} = ${inner};`);
      emit(ctx, '}');
      return emitChecks(ctx, schema, out, bad, 'other');
    }
    case 'optional': {
      if (!has(schema, '$ZodOptional') || has(schema, '$ZodExactOptional')) return undefined;
      const inner = def.innerType;
      if (inner === undefined || inner._zod.optin === 'defaulted') return undefined;
      const out = local(ctx, 'o');
      emit(ctx, `let ${out};`);
      emit(ctx, `if (${v} !== undefined) {`);
      const value = emitNode(ctx, inner, v, bad);
      emit(ctx, `  ${out} = ${value};`);
      emit(ctx, '}');
      return emitChecks(ctx, schema, out, bad, 'other');
    }
    case 'default': {
      if (!has(schema, '$ZodDefault') || def.innerType === undefined) return undefined;
      const out = local(ctx, 'o');
      const d = constant(ctx, def);
      emit(ctx, `let ${out};`);
      emit(ctx, `if (${v} === undefined) {`);
      emit(ctx, `  ${out} = ${d}.defaultValue;`);
      emit(ctx, '} else {');
      const value = emitNode(ctx, def.innerType, v, bad);
      emit(ctx, `  ${out} = ${value} === undefined ? ${d}.defaultValue : ${value};`);
      emit(ctx, '}');
      return emitChecks(ctx, schema, out, bad, 'other');
    }
    case 'pipe': {
      if (!has(schema, '$ZodPipe') && !has(schema, '$ZodCodec')) return undefined;
      if (def.in === undefined || def.out === undefined) return undefined;
      const left = emitNode(ctx, def.in, v, bad);
      if (!has(schema, '$ZodCodec')) {
        return emitChecks(ctx, schema, emitNode(ctx, def.out, left, bad), bad, 'other');
      }
      // A codec parses forward (decodes): its input schema, the decode
      // function as a transform (an issue it files, or a Promise, fails), then
      // its output schema on what it gave.
      const decode = def.transform;
      if (typeof decode !== 'function') return undefined;
      const decoded = local(ctx, 't');
      emit(ctx, `const ${decoded} = H.transform(${constant(ctx, decode)}, ${left});`);
      emit(ctx, `if (${decoded} === H.FAIL) break ${bad};`);
      return emitChecks(ctx, schema, emitNode(ctx, def.out, decoded, bad), bad, 'other');
    }
    case 'union': {
      if (!has(schema, '$ZodUnion') || has(schema, '$ZodXor')) return undefined;
      if (has(schema, '$ZodDiscriminatedUnion') || def.inclusive === false) return undefined;
      const options = def.options ?? [];
      if (options.length === 0) return undefined;
      if (options.length === 1) {
        return emitChecks(
          ctx,
          schema,
          emitNode(ctx, options[0] as z.ZodType, v, bad),
          bad,
          'other',
        );
      }
      const out = local(ctx, 'o');
      const done = local(ctx, 'u');
      emit(ctx, `let ${out};`);
      emit(ctx, `${done}: {`);
      for (const option of options) {
        const next = local(ctx, 'n');
        emit(ctx, `${next}: {`);
        const value = emitNode(ctx, option, v, next);
        emit(ctx, `  ${out} = ${value};`);
        emit(ctx, `  break ${done};`);
        emit(ctx, '}');
      }
      emit(ctx, `break ${bad};`);
      emit(ctx, '}');
      return emitChecks(ctx, schema, out, bad, 'other');
    }
    case 'array': {
      if (!has(schema, '$ZodArray') || def.element === undefined) return undefined;
      emit(ctx, `if (!Array.isArray(${v})) break ${bad};`);
      // An oversized array is refused before its items are looked at (Zod does the same).
      const caps = (def.checks ?? []).filter((c) => c._zod.def.check === 'max_length');
      for (const cap of caps)
        emit(ctx, `if (${v}.length > ${Number(cap._zod.def.maximum)}) break ${bad};`);
      const out = local(ctx, 'a');
      const i = local(ctx, 'i');
      emit(ctx, `const ${out} = new Array(${v}.length);`);
      emit(ctx, `for (let ${i} = 0; ${i} < ${v}.length; ${i}++) {`);
      const item = local(ctx, 'e');
      emit(ctx, `  const ${item} = ${v}[${i}];`);
      const value = emitNode(ctx, def.element, item, bad);
      emit(ctx, `  ${out}[${i}] = ${value};`);
      emit(ctx, '}');
      return emitChecks(ctx, schema, out, bad, 'array');
    }
    case 'record': {
      if (!isStringKeyedRecord(schema, def) || def.keyType === undefined) return undefined;
      if (def.valueType === undefined) return undefined;
      emit(ctx, `if (!H.isPlainRecord(${v})) break ${bad};`);
      emit(ctx, `if (Object.getOwnPropertySymbols(${v}).length !== 0) break ${bad};`);
      const out = local(ctx, 'r');
      const keys = local(ctx, 'ks');
      const i = local(ctx, 'i');
      const key = local(ctx, 'k');
      emit(ctx, `const ${out} = {};`);
      emit(ctx, `const ${keys} = Object.keys(${v});`);
      emit(ctx, `for (let ${i} = 0; ${i} < ${keys}.length; ${i}++) {`);
      emit(ctx, `  const ${key} = ${keys}[${i}];`);
      emit(ctx, `  if (${key} === '__proto__') continue;`);
      const outKey = emitNode(ctx, def.keyType, key, bad);
      emit(ctx, `  if (${outKey} === '__proto__') continue;`);
      const item = local(ctx, 'e');
      emit(ctx, `  const ${item} = ${v}[${key}];`);
      const value = emitNode(ctx, def.valueType, item, bad);
      emit(ctx, `  ${out}[${outKey}] = ${value};`);
      emit(ctx, '}');
      return emitChecks(ctx, schema, out, bad, 'other');
    }
    case 'object': {
      if (!has(schema, '$ZodObject') || def.shape === undefined) return undefined;
      const catchall = def.catchall;
      const strict = catchall !== undefined && defOf(catchall).type === 'never';
      if (catchall !== undefined && !strict) return undefined;
      emit(
        ctx,
        `if (typeof ${v} !== 'object' || ${v} === null || Array.isArray(${v})) break ${bad};`,
      );
      const out = emitObject(ctx, def.shape, v, bad);
      if (strict) {
        const known = constant(ctx, new Set(Object.keys(def.shape)));
        const key = local(ctx, 'k');
        emit(ctx, `for (const ${key} in ${v}) if (!${known}.has(${key})) break ${bad};`);
      }
      return emitChecks(ctx, schema, out, bad, 'other');
    }
    case 'transform': {
      // Zod's transform, less the closure it makes per call for `ctx.addIssue`.
      if (!has(schema, '$ZodTransform') || has(schema, '$ZodCodec')) return undefined;
      const fn = def.transform;
      if (typeof fn !== 'function') return undefined;
      const out = local(ctx, 't');
      emit(ctx, `const ${out} = H.transform(${constant(ctx, fn)}, ${v});`);
      emit(ctx, `if (${out} === H.FAIL) break ${bad};`);
      return emitChecks(ctx, schema, out, bad, 'other');
    }
    default:
      return undefined;
  }
}

/**
 * A plain `default` (no checks of its own) as an object's property: an
 * absent value's default is made in the object's literal, once every field
 * has passed (a failed parse makes none: no id, no clock read). A present
 * value that comes out `undefined` takes the default at once, so `undefined`
 * at the literal means "absent". `undefined` when the node is not one.
 */
function emitDefaultLater(
  ctx: EmitContext,
  node: z.ZodType,
  v: string,
  bad: string,
): string | undefined {
  const def = plainDefaultOf(node);
  if (def === undefined) return undefined;
  const out = local(ctx, 'o');
  const d = constant(ctx, def);
  emit(ctx, `let ${out};`);
  emit(ctx, `if (${v} !== undefined) {`);
  const value = emitNode(ctx, def.innerType, v, bad);
  emit(ctx, `  ${out} = ${value} === undefined ? ${d}.defaultValue : ${value};`);
  emit(ctx, '}');
  return `(${out} === undefined ? ${d}.defaultValue : ${out})`;
}

/**
 * Emits the declared properties of an object, all valid or `break bad`, and
 * builds the output as one object literal (keys in the shape's order, as
 * Zod's); keys that may be absent from the output follow as assignments.
 * With `make`, the object is built by the constructor it names instead (given
 * the literal's keys, it returns the name of a function that assigns its
 * arguments to them in order). Returns the variable holding the object.
 */
export function emitObject(
  ctx: EmitContext,
  shape: Readonly<Record<string, z.ZodType>>,
  v: string,
  bad: string,
  make?: (keys: readonly string[]) => string,
): string {
  const parts: { key: string; value: string; when?: string }[] = [];
  for (const [key, node] of Object.entries(shape)) {
    if (key === '__proto__') continue;
    const k = JSON.stringify(key);
    const optin = node._zod.optin;
    const optout = node._zod.optout;
    const value = local(ctx, 'v');
    emit(ctx, `const ${value} = ${v}[${k}];`);
    if (optin === undefined) {
      emit(ctx, `if (!(${k} in ${v})) break ${bad};`);
      parts.push({ key: k, value: emitNode(ctx, node, value, bad) });
      continue;
    }
    if (optin === 'defaulted' && optout !== 'optional') {
      // Always in the output: whether the key was there does not matter.
      parts.push({
        key: k,
        value: emitDefaultLater(ctx, node, value, bad) ?? emitNode(ctx, node, value, bad),
      });
      continue;
    }
    const present = local(ctx, 'h');
    emit(ctx, `const ${present} = ${k} in ${v};`);
    if (optout === 'optional' && optin === 'optional') {
      const held = local(ctx, 'o');
      emit(ctx, `let ${held};`);
      emit(ctx, `if (${present}) {`);
      const result = emitNode(ctx, node, value, bad);
      emit(ctx, `  ${held} = ${result};`);
      emit(ctx, '}');
      parts.push({ key: k, value: held, when: present });
      continue;
    }
    const result = emitNode(ctx, node, value, bad);
    parts.push({ key: k, value: result, when: `${result} !== undefined || ${present}` });
  }
  const out = local(ctx, 'b');
  const firstConditional = parts.findIndex((p) => p.when !== undefined);
  const literal = firstConditional === -1 ? parts : parts.slice(0, firstConditional);
  const rest = firstConditional === -1 ? [] : parts.slice(firstConditional);
  emit(
    ctx,
    make === undefined
      ? `const ${out} = { ${literal.map((p) => `${p.key}: ${p.value}`).join(', ')} };`
      : `const ${out} = new ${make(literal.map((p) => p.key))}(${literal.map((p) => p.value).join(', ')});`,
  );
  for (const p of rest) {
    emit(
      ctx,
      p.when === undefined
        ? `${out}[${p.key}] = ${p.value};`
        : `if (${p.when}) ${out}[${p.key}] = ${p.value};`,
    );
  }
  return out;
}
