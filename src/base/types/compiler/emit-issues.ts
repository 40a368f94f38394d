/**
 * @internal The code generator of a compiled parser's invalid path: from a Zod
 * schema tree to JavaScript that runs it as Zod's own `_zod.run` does, on a
 * Zod payload (`{ value, issues }`), and files every issue itself: the same
 * raw issue objects (code, fields, `inst`, `continue`, owning `schema`), in
 * the same order, with Zod's rules for what a failure stops.
 *
 * Type mismatches, enums and literals, required keys, unknown keys of strict
 * objects, array items, record keys and values, pipes and codecs, and the checks with an inline
 * issue (string and array lengths, number bounds, regexes, pattern and custom
 * string formats) are generated. A check without one (`refine`, `superRefine`, a URL,
 * `trim`) is called on the payload as Zod's check loop calls it; a node the
 * generator does not model (`lazy`, unions, transforms, codecs, `catch`, a
 * coerced type, an oversized array) is run by Zod on the payload, for that
 * node only. Finalizing the issues (messages from the error maps) stays Zod's.
 */

import { z } from 'zod';
import { constant, type EmitContext, emit, local } from './emit.js';
import {
  type Check,
  checksOf,
  type Def,
  defOf,
  has,
  isStringKeyedRecord,
  MAX_DEPTH,
  PATTERN_FORMATS,
  plainDefaultOf,
  traitsOf,
} from './schema-internals.js';

/** Zod's default `when` of length checks (run on a value with a `length`): one function shared by every such check. */
let lengthWhen: unknown;
function defaultLengthWhen(): unknown {
  if (lengthWhen === undefined) {
    const probe = z.string().max(1)._zod.def.checks ?? [];
    lengthWhen = (probe[0] as unknown as Check | undefined)?._zod.def.when ?? null;
  }
  return lengthWhen;
}

const getEnumValues = (z.core.util as unknown as { getEnumValues(entries: unknown): unknown[] })
  .getEnumValues;

/** Zod runs the node on the payload: exact, whatever the node is. */
function emitByZod(ctx: EmitContext, schema: z.ZodType, p: string): void {
  emit(ctx, `${p} = H.run(${constant(ctx, schema)}, ${p}, ctx);`);
}

/**
 * Emits code that runs `schema` on the payload in the variable `p` (a `let`:
 * a node run by Zod may give another payload back), as `schema._zod.run(p, ctx)`.
 */
export function emitIssues(ctx: EmitContext, schema: z.ZodType, p: string): void {
  if (ctx.depth > MAX_DEPTH) {
    emitByZod(ctx, schema, p);
    return;
  }
  ctx.depth += 1;
  try {
    if (!emitKnown(ctx, schema, p)) emitByZod(ctx, schema, p);
  } finally {
    ctx.depth -= 1;
  }
}

/** A raw type issue, as the schema's own parse pushes it. */
function typeIssue(ctx: EmitContext, schema: z.ZodType, p: string, expected: string): string {
  return `${p}.issues.push({ expected: ${JSON.stringify(expected)}, code: 'invalid_type', input: ${p}.value, inst: ${constant(ctx, schema)} });`;
}

/** The kind of value a schema's checks are known to see when its parse found no issue. */
type Kind = 'string' | 'number' | 'array' | 'other';

function emitKnown(ctx: EmitContext, schema: z.ZodType, p: string): boolean {
  const def = defOf(schema);
  if (def.coerce === true) return false;
  // A schema that can meet itself again (through a lazy) is Zod's: it breaks
  // cycles in the input by the identity of the objects it has seen.
  if (z.core.isRecursiveSchema(schema)) return false;
  switch (def.type) {
    case 'string': {
      if (!has(schema, '$ZodString')) return false;
      emit(ctx, `if (typeof ${p}.value !== 'string') ${typeIssue(ctx, schema, p, 'string')}`);
      emitChecks(ctx, schema, p, 'string');
      return true;
    }
    case 'number': {
      if (!has(schema, '$ZodNumber')) return false;
      emit(
        ctx,
        `if (typeof ${p}.value !== 'number' || !Number.isFinite(${p}.value)) H.numberIssue(${p}, ${constant(ctx, schema)});`,
      );
      emitChecks(ctx, schema, p, 'number');
      return true;
    }
    case 'boolean': {
      if (!has(schema, '$ZodBoolean')) return false;
      emit(ctx, `if (typeof ${p}.value !== 'boolean') ${typeIssue(ctx, schema, p, 'boolean')}`);
      emitChecks(ctx, schema, p, 'other');
      return true;
    }
    case 'null': {
      if (!has(schema, '$ZodNull')) return false;
      emit(ctx, `if (${p}.value !== null) ${typeIssue(ctx, schema, p, 'null')}`);
      emitChecks(ctx, schema, p, 'other');
      return true;
    }
    case 'unknown':
    case 'any': {
      emitChecks(ctx, schema, p, 'other');
      return true;
    }
    case 'enum':
    case 'literal': {
      const set = (schema._zod as unknown as { values?: ReadonlySet<unknown> }).values;
      if (set === undefined) return false;
      let values: unknown;
      if (def.type === 'enum' && has(schema, '$ZodEnum') && def.entries !== undefined) {
        values = getEnumValues(def.entries);
      } else if (def.type === 'literal' && has(schema, '$ZodLiteral') && def.values !== undefined) {
        values = def.values;
      } else {
        return false;
      }
      emit(
        ctx,
        `if (!${constant(ctx, set)}.has(${p}.value)) ${p}.issues.push({ code: 'invalid_value', values: ${constant(ctx, values)}, input: ${p}.value, inst: ${constant(ctx, schema)} });`,
      );
      emitChecks(ctx, schema, p, 'other');
      return true;
    }
    case 'nullable': {
      if (!has(schema, '$ZodNullable') || def.innerType === undefined) return false;
      emit(ctx, `if (${p}.value !== null) {`);
      emitIssues(ctx, def.innerType, p);
      emit(ctx, '}');
      emitChecks(ctx, schema, p, 'other');
      return true;
    }
    case 'optional': {
      if (!has(schema, '$ZodOptional') || has(schema, '$ZodExactOptional')) return false;
      const inner = def.innerType;
      if (inner === undefined || inner._zod.optin === 'defaulted') return false;
      emit(ctx, `if (${p}.value !== undefined) {`);
      emitIssues(ctx, inner, p);
      emit(ctx, '}');
      emitChecks(ctx, schema, p, 'other');
      return true;
    }
    case 'default': {
      if (!has(schema, '$ZodDefault') || def.innerType === undefined) return false;
      const d = constant(ctx, def);
      emit(ctx, `if (${p}.value === undefined) {`);
      emit(ctx, `  ${p}.value = ${d}.defaultValue;`);
      emit(ctx, '} else {');
      emitIssues(ctx, def.innerType, p);
      emit(ctx, `  if (${p}.value === undefined) ${p}.value = ${d}.defaultValue;`);
      emit(ctx, '}');
      emitChecks(ctx, schema, p, 'other');
      return true;
    }
    case 'pipe': {
      if (!has(schema, '$ZodPipe') || def.in === undefined || def.out === undefined) return false;
      if (has(schema, '$ZodCodec')) return emitCodec(ctx, schema, def, p);
      emitIssues(ctx, def.in, p);
      // Any issue but an unknown key stops the pipe (Zod's `handlePipeResult`).
      emit(ctx, `if (H.stopsPipe(${p})) {`);
      emit(ctx, `  ${p}.aborted = true;`);
      emit(ctx, '} else {');
      emitIssues(ctx, def.out, p);
      emit(ctx, '}');
      emitChecks(ctx, schema, p, 'other');
      return true;
    }
    case 'array':
      return emitArray(ctx, schema, def, p);
    case 'record':
      return emitRecord(ctx, schema, def, p);
    case 'object':
      return emitObjectIssues(ctx, schema, def, p);
    default:
      return false;
  }
}

/** A codec, decoding (Zod's `handleCodecAResult` forward): `in`, its `decode`, then `out`. */
function emitCodec(ctx: EmitContext, schema: z.ZodType, def: Def, p: string): boolean {
  const decode = def.transform;
  if (typeof decode !== 'function' || def.in === undefined || def.out === undefined) return false;
  emitIssues(ctx, def.in, p);
  emit(ctx, `if (${p}.issues.length !== 0) {`);
  emit(ctx, `  ${p}.aborted = true;`);
  emit(ctx, '} else {');
  emit(ctx, `  ${p}.value = H.decode(${constant(ctx, decode)}, ${p});`);
  emit(ctx, `  if (${p}.issues.length !== 0) ${p}.aborted = true;`);
  emit(ctx, '  else {');
  emitIssues(ctx, def.out, p);
  emit(ctx, '  }');
  emit(ctx, '}');
  emitChecks(ctx, schema, p, 'other');
  return true;
}

function emitArray(ctx: EmitContext, schema: z.ZodType, def: Def, p: string): boolean {
  if (!has(schema, '$ZodArray') || def.element === undefined) return false;
  const x = local(ctx, 'x');
  emit(ctx, `const ${x} = ${p}.value;`);
  // An oversized array is refused before its items are looked at: Zod's own cap.
  const caps = (def.checks ?? []).filter((c) => c._zod.def.check === 'max_length');
  const cap =
    caps.length === 0 ? undefined : Math.min(...caps.map((c) => Number(c._zod.def.maximum)));
  if (cap !== undefined) {
    emit(ctx, `if (Array.isArray(${x}) && ${x}.length > ${cap}) {`);
    emit(ctx, `  ${p} = H.run(${constant(ctx, schema)}, ${p}, ctx);`);
    emit(ctx, '} else {');
  }
  emit(ctx, `if (!Array.isArray(${x})) {`);
  emit(ctx, `  ${typeIssue(ctx, schema, p, 'array')}`);
  emit(ctx, '} else {');
  const out = local(ctx, 'a');
  const i = local(ctx, 'i');
  emit(ctx, `  const ${out} = new Array(${x}.length);`);
  emit(ctx, `  ${p}.value = ${out};`);
  emit(ctx, `  for (let ${i} = 0; ${i} < ${x}.length; ${i}++) {`);
  const e = local(ctx, 'p');
  emit(ctx, `    let ${e} = { value: ${x}[${i}], issues: [] };`);
  emitIssues(ctx, def.element, e);
  emit(ctx, `    if (${e}.issues.length !== 0) H.prefixInto(${p}, ${i}, ${e});`);
  emit(ctx, `    ${out}[${i}] = ${e}.value;`);
  emit(ctx, '  }');
  emit(ctx, '}');
  emitChecks(ctx, schema, p, 'array');
  if (cap !== undefined) emit(ctx, '}');
  return true;
}

function emitRecord(ctx: EmitContext, schema: z.ZodType, def: Def, p: string): boolean {
  if (!isStringKeyedRecord(schema, def) || def.keyType === undefined) return false;
  if (def.valueType === undefined) return false;
  const x = local(ctx, 'x');
  const self = constant(ctx, schema);
  emit(ctx, `const ${x} = ${p}.value;`);
  emit(ctx, `if (!H.isPlainRecord(${x})) {`);
  emit(ctx, `  ${typeIssue(ctx, schema, p, 'record')}`);
  // Symbol keys (each an invalid key) are Zod's to report.
  emit(ctx, `} else if (Object.getOwnPropertySymbols(${x}).length !== 0) {`);
  emit(ctx, `  ${p} = H.run(${self}, ${p}, ctx);`);
  emit(ctx, '} else {');
  const out = local(ctx, 'r');
  const keys = local(ctx, 'ks');
  const i = local(ctx, 'i');
  const key = local(ctx, 'k');
  const kp = local(ctx, 'p');
  const vp = local(ctx, 'p');
  emit(ctx, `  const ${out} = {};`);
  emit(ctx, `  ${p}.value = ${out};`);
  emit(ctx, `  const ${keys} = Object.keys(${x});`);
  emit(ctx, `  for (let ${i} = 0; ${i} < ${keys}.length; ${i}++) {`);
  emit(ctx, `    const ${key} = ${keys}[${i}];`);
  emit(ctx, `    if (${key} === '__proto__') continue;`);
  emit(ctx, `    let ${kp} = { value: ${key}, issues: [] };`);
  emitIssues(ctx, def.keyType, kp);
  emit(ctx, `    if (${kp}.issues.length !== 0) {`);
  emit(ctx, `      H.invalidKey(${p}, ${key}, ${kp}, ${self}, ctx);`);
  emit(ctx, '      continue;');
  emit(ctx, '    }');
  emit(ctx, `    if (${kp}.value === '__proto__') continue;`);
  emit(ctx, `    let ${vp} = { value: ${x}[${key}], issues: [] };`);
  emitIssues(ctx, def.valueType, vp);
  emit(ctx, `    if (${vp}.issues.length !== 0) H.prefixInto(${p}, ${key}, ${vp});`);
  emit(ctx, `    ${out}[${kp}.value] = ${vp}.value;`);
  emit(ctx, '  }');
  emit(ctx, '}');
  emitChecks(ctx, schema, p, 'other');
  return true;
}

function emitObjectIssues(ctx: EmitContext, schema: z.ZodType, def: Def, p: string): boolean {
  if (!has(schema, '$ZodObject') || def.shape === undefined) return false;
  if (Object.getOwnPropertySymbols(def.shape).length !== 0) return false;
  const catchall = def.catchall;
  const strict = catchall !== undefined && defOf(catchall).type === 'never';
  if (catchall !== undefined && !strict) return false;
  const x = local(ctx, 'x');
  emit(ctx, `const ${x} = ${p}.value;`);
  emit(ctx, `if (typeof ${x} !== 'object' || ${x} === null || Array.isArray(${x})) {`);
  emit(ctx, `  ${typeIssue(ctx, schema, p, 'object')}`);
  emit(ctx, '} else {');
  emit(ctx, `  ${p}.value = {};`);
  emitPropertyIssues(ctx, def.shape, x, p);
  if (strict) {
    const known = constant(ctx, new Set(Object.keys(def.shape)));
    emit(ctx, `  H.unrecognizedKeys(${known}, ${x}, ${p}, ${constant(ctx, schema)});`);
  }
  emit(ctx, '}');
  emitChecks(ctx, schema, p, 'other');
  return true;
}

/**
 * Emits an object's declared properties, each run on a payload of its own
 * and filed into the object's payload `p` by Zod's rules (absent keys,
 * optional and defaulted fields: `handlePropertyResult`).
 */
export function emitPropertyIssues(
  ctx: EmitContext,
  shape: Readonly<Record<string, z.ZodType>>,
  v: string,
  p: string,
  later?: DeferredDefaults,
): void {
  for (const [key, node] of Object.entries(shape)) {
    if (key === '__proto__') continue;
    const k = JSON.stringify(key);
    const fp = local(ctx, 'p');
    emit(ctx, `let ${fp} = { value: ${v}[${k}], issues: [] };`);
    if (later !== undefined && emitDeferredDefault(ctx, node, k, fp, p, later)) continue;
    emitIssues(ctx, node, fp);
    emitFiling(ctx, node, k, fp, v, p);
  }
}

/**
 * The defaults of absent top-level fields, made only when no field failed
 * (`emitDefaultsLater`): a failed parse's value is dropped, so the defaults
 * it would hold (a new id, the current time) are not made for it. Only for
 * an object whose own checks never see that value (it has none).
 */
export type DeferredDefaults = [key: string, def: string][];

/**
 * A top-level defaulted field (a plain `default`, no checks of its own),
 * with its default left for later when absent: its key keeps its place in
 * the value, as `undefined`. A present value is checked as `emitIssues`
 * checks it (a value that becomes `undefined` takes the default at once, so
 * `undefined` in the value means "absent").
 */
function emitDeferredDefault(
  ctx: EmitContext,
  node: z.ZodType,
  k: string,
  fp: string,
  p: string,
  later: DeferredDefaults,
): boolean {
  const def = plainDefaultOf(node);
  if (def === undefined) return false;
  const d = constant(ctx, def);
  later.push([k, d]);
  emit(ctx, `if (${fp}.value === undefined) {`);
  emit(ctx, `  ${p}.value[${k}] = undefined;`);
  emit(ctx, '} else {');
  ctx.depth += 1;
  try {
    emitIssues(ctx, def.innerType, fp);
  } finally {
    ctx.depth -= 1;
  }
  emit(ctx, `  if (${fp}.value === undefined) ${fp}.value = ${d}.defaultValue;`);
  emit(ctx, `  if (${fp}.issues.length !== 0) H.prefixInto(${p}, ${k}, ${fp});`);
  emit(ctx, `  ${p}.value[${k}] = ${fp}.value;`);
  emit(ctx, '}');
  return true;
}

/** The deferred defaults, made when the object `p` has no issue. */
export function emitDefaultsLater(ctx: EmitContext, p: string, later: DeferredDefaults): void {
  if (later.length === 0) return;
  emit(ctx, `if (${p}.issues.length === 0) {`);
  for (const [k, d] of later) {
    emit(ctx, `  if (${p}.value[${k}] === undefined) ${p}.value[${k}] = ${d}.defaultValue;`);
  }
  emit(ctx, '}');
}

/** Zod's `handlePropertyResult` for one property, written out for its `optin`/`optout`. */
function emitFiling(
  ctx: EmitContext,
  node: z.ZodType,
  k: string,
  fp: string,
  v: string,
  p: string,
): void {
  const { optin, optout } = node._zod;
  const file = `if (${fp}.issues.length !== 0) H.prefixInto(${p}, ${k}, ${fp});`;
  if (optin === 'optional' && optout === 'optional') {
    // Absent: nothing, not even its issues.
    emit(ctx, `if (${k} in ${v}) {`);
    emit(ctx, `  ${file}`);
    emit(ctx, `  ${p}.value[${k}] = ${fp}.value;`);
    emit(ctx, '}');
  } else if (optin === undefined) {
    emit(ctx, file);
    emit(ctx, `if (${k} in ${v}) ${p}.value[${k}] = ${fp}.value;`);
    emit(
      ctx,
      `else if (${fp}.issues.length === 0) ${p}.issues.push({ code: 'invalid_type', expected: 'nonoptional', input: undefined, path: [${k}] });`,
    );
  } else if (optin === 'defaulted' && optout === undefined) {
    emit(ctx, file);
    emit(ctx, `${p}.value[${k}] = ${fp}.value;`);
  } else {
    const quote = (x: string | undefined) => (x === undefined ? 'undefined' : `'${x}'`);
    emit(ctx, `H.fileProperty(${fp}, ${k}, ${v}, ${p}, ${quote(optin)}, ${quote(optout)});`);
  }
}

/** A check the generated code files issues for itself, or `undefined`. */
function inlineIssue(
  ctx: EmitContext,
  schema: z.ZodType,
  check: Check,
  p: string,
  kind: Kind,
): { readonly when: boolean; readonly fails: string; readonly issue: string } | undefined {
  const def = check._zod.def;
  const traits = traitsOf(check);
  const tail = `inst: ${constant(ctx, check)}, continue: ${def.abort !== true}, schema: ${constant(ctx, schema)}`;
  const v = `${p}.value`;
  if (
    (def.check === 'max_length' || def.check === 'min_length') &&
    def.when === defaultLengthWhen() &&
    (kind === 'string' || kind === 'array')
  ) {
    const max = def.check === 'max_length';
    const bound = Number(max ? def.maximum : def.minimum);
    const fails = max
      ? kind === 'string'
        ? `${v}.length > ${bound} && H.codePointLength(${v}) > ${bound}`
        : `${v}.length > ${bound}`
      : kind === 'string'
        ? `${v}.length < ${bound * 2} && H.codePointLength(${v}) < ${bound}`
        : `${v}.length < ${bound}`;
    const issue = max
      ? `{ origin: '${kind}', code: 'too_big', maximum: ${bound}, inclusive: true, input: ${v}, ${tail} }`
      : `{ origin: '${kind}', code: 'too_small', minimum: ${bound}, inclusive: true, input: ${v}, ${tail} }`;
    return { when: true, fails, issue };
  }
  if (def.when !== undefined) return undefined;
  if (
    (def.check === 'greater_than' || def.check === 'less_than') &&
    kind === 'number' &&
    typeof def.value === 'number'
  ) {
    const big = def.check === 'less_than';
    const op = big ? (def.inclusive ? '<=' : '<') : def.inclusive ? '>=' : '>';
    const inclusive = def.inclusive === undefined ? 'undefined' : String(def.inclusive);
    const bound = big ? 'maximum' : 'minimum';
    return {
      when: false,
      fails: `!(${v} ${op} ${String(def.value)})`,
      issue: `{ origin: 'number', code: '${big ? 'too_big' : 'too_small'}', ${bound}: ${String(def.value)}, input: ${v}, inclusive: ${inclusive}, ${tail} }`,
    };
  }
  if (
    def.check === 'string_format' &&
    kind === 'string' &&
    traits.has('$ZodCustomStringFormat') &&
    typeof def.fn === 'function'
  ) {
    return {
      when: false,
      fails: `!${constant(ctx, def.fn)}(${v})`,
      issue: `{ code: 'invalid_format', format: ${JSON.stringify(def.format)}, input: ${v}, ${tail} }`,
    };
  }
  if (
    def.check === 'string_format' &&
    kind === 'string' &&
    def.pattern instanceof RegExp &&
    !def.pattern.global &&
    !def.pattern.sticky &&
    !traits.has('$ZodCustomStringFormat')
  ) {
    const format = traits.has('$ZodCheckRegex')
      ? 'regex'
      : PATTERN_FORMATS.some((t) => traits.has(t))
        ? def.format
        : undefined;
    if (format === undefined) return undefined;
    const pattern = JSON.stringify(def.pattern.toString());
    return {
      when: false,
      fails: `!${constant(ctx, def.pattern)}.test(${v})`,
      issue: `{ origin: 'string', code: 'invalid_format', format: ${JSON.stringify(format)}, input: ${v}, pattern: ${pattern}, ${tail} }`,
    };
  }
  return undefined;
}

/**
 * Emits a schema's checks after its parse, as Zod's check loop runs them: a
 * check without `when` is skipped once an issue aborted, one with `when`
 * only after an explicit abort. Where the parse found no issue the value's
 * kind is known and the checks with an inline issue are generated; otherwise
 * (a type mismatch, an item's issue) Zod's loop runs them.
 */
function emitChecks(ctx: EmitContext, schema: z.ZodType, p: string, kind: Kind): void {
  const checks = checksOf(schema);
  if (checks.length === 0) return;
  const owner = constant(ctx, schema);
  emit(ctx, `if (${p}.issues.length === 0) {`);
  // The abort state of the payload: 1 aborted, 2 explicitly (both bits then).
  const st = local(ctx, 's');
  emit(ctx, `  let ${st} = 0;`);
  let generic = false;
  for (const check of checks) {
    const inline = generic ? undefined : inlineIssue(ctx, schema, check, p, kind);
    if (inline === undefined) {
      // A check may rewrite the value (trim): its kind is no longer known.
      generic = true;
      emit(ctx, `  ${st} = H.checkStep(${constant(ctx, check)}, ${owner}, ${p}, ${st});`);
      continue;
    }
    const guard = inline.when ? `(${st} & 2) === 0` : `${st} === 0`;
    const abort = check._zod.def.abort === true ? ` ${st} = 3;` : '';
    emit(ctx, `  if (${guard} && ${inline.fails}) { ${p}.issues.push(${inline.issue});${abort} }`);
  }
  emit(ctx, '} else {');
  emit(ctx, `  H.runChecks(${owner}, ${constant(ctx, checks)}, ${p});`);
  emit(ctx, '}');
}
