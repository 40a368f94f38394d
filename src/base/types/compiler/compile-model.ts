/**
 * @internal Compiles a model's object schema into one JavaScript function
 * (`new Function`) that parses a (normalized) input in one pass: every field
 * takes straight-line generated code; when one fails, the object is parsed
 * again by generated code that files every issue as Zod would (`emit-issues.ts`);
 * then the unknown keys and the object's own checks (the model's `refine`).
 */

import { z } from 'zod';
import { constant, type EmitContext, emitObject } from './emit.js';
import { type DeferredDefaults, emitDefaultsLater, emitPropertyIssues } from './emit-issues.js';
import { readsValidValueOnly } from './schema-internals.js';
import * as H from './zod-runtime.js';

/** The compiled parser: the object's payload (output and raw issues), as Zod's own parse leaves it. */
export type CompiledParse = (input: Record<string, unknown>, ctx: H.ParseContext) => H.Payload;

/** A compiled model parser and its source. */
export interface CompiledModel {
  readonly parse: CompiledParse;
  /** The generated JavaScript (for debugging). */
  readonly source: string;
}

interface ObjectDef {
  readonly type: string;
  readonly shape?: Readonly<Record<string, z.ZodType>>;
  readonly catchall?: z.ZodType;
  readonly checks?: readonly unknown[];
}

/** Why a schema is not compiled, or `undefined` when it can be. */
function refusal(root: z.ZodType): string | undefined {
  const def = root._zod.def as unknown as ObjectDef;
  const traits = (root._zod as unknown as { traits: ReadonlySet<string> }).traits;
  if (def.type !== 'object' || def.shape === undefined || !traits.has('$ZodObject')) {
    return 'the model schema is not an object';
  }
  // A cycle through the model itself (a field that holds the model again) is
  // Zod's to break, by the identity of the input objects it has seen.
  if (z.core.isRecursiveSchema(root) && reaches(root, new Set())) {
    return 'the model contains itself';
  }
  return undefined;
}

/** Do the schemas under `node` lead back to `target`? */
function reaches(target: z.ZodType, seen: Set<unknown>, node: z.ZodType = target): boolean {
  const def = node._zod.def as unknown as Record<string, unknown>;
  const children: unknown[] = [];
  for (const key of ['innerType', 'in', 'out', 'element', 'keyType', 'valueType', 'catchall']) {
    children.push(def[key]);
  }
  if (Array.isArray(def.options)) children.push(...def.options);
  if (def.type === 'object') children.push(...Object.values(def.shape as object));
  if (def.type === 'lazy')
    children.push((node._zod as unknown as { innerType: unknown }).innerType);
  for (const child of children) {
    if (child === target) return true;
    if (typeof child !== 'object' || child === null || seen.has(child)) continue;
    seen.add(child);
    if ('_zod' in child && reaches(target, seen, child as z.ZodType)) return true;
  }
  return false;
}

/** What the model layer asks of its compiled parser. */
export interface CompileOptions {
  /**
   * The prototype of a valid output (the model's computed fields): the
   * generated code builds the object with it, where setting it afterwards
   * (`Object.setPrototypeOf`) made the object slow to build, freeze and read.
   */
  readonly proto?: object;
}

/** The generated constructor of outputs with prototype `proto`, or `undefined` where a key would clash with it. */
function outputMaker(
  ctx: EmitContext,
  shape: Readonly<Record<string, z.ZodType>>,
  proto: object | undefined,
): ((keys: readonly string[]) => string) | undefined {
  if (proto === undefined) return undefined;
  // An own property of the prototype (a computed getter, `toJSON`) is not
  // writable by assignment: such a key keeps the literal.
  const taken = new Set<string>(Object.getOwnPropertyNames(proto));
  if (Object.keys(shape).some((key) => taken.has(key))) return undefined;
  const at = ctx.lines.length;
  const protoRef = constant(ctx, proto);
  return (keys) => {
    const params = keys.map((_, i) => `a${i}`);
    ctx.lines.splice(
      at,
      0,
      `function Output(${params.join(', ')}) {`,
      ...keys.map((key, i) => `  this[${key}] = a${i};`),
      '}',
      `Output.prototype = ${protoRef};`,
    );
    return 'Output';
  };
}

/**
 * The helpers as a plain object: a module namespace compiled to CommonJS
 * (tsx, bundlers) reads each export through a getter, a call per `H.check`
 * in the generated code.
 */
const HELPERS: typeof H = Object.freeze({ ...H });

/** Generates the source of a model's parser; the schemas it uses are in `constants`. */
export function generateModelSource(
  root: z.ZodType,
  options: CompileOptions = {},
): { source: string; constants: unknown[] } {
  const def = root._zod.def as unknown as ObjectDef;
  const shape = def.shape ?? {};
  const ctx: EmitContext = { constants: [], lines: [], counter: 0, depth: 0 };
  const keys = constant(ctx, new Set(Object.keys(shape)));
  const owner = constant(ctx, root);
  ctx.lines.push('"use strict";');
  ctx.lines.push(
    '// Some field failed: the object again as Zod runs it, every issue filed by the generated code.',
  );
  ctx.lines.push('function fieldByField(input, ctx) {');
  ctx.lines.push('  const P = { value: {}, issues: [] };');
  const catchall = def.catchall;
  const strictCatchall =
    catchall !== undefined && (catchall._zod.def as unknown as ObjectDef).type === 'never';
  const checks = def.checks ?? [];
  // Defaults made only for a value that is kept or checked: not when the
  // object's own checks could read a failed value, nor for a loose object's
  // catch-all.
  const later: DeferredDefaults | undefined =
    checks.every(readsValidValueOnly) && (catchall === undefined || strictCatchall)
      ? []
      : undefined;
  emitPropertyIssues(ctx, shape, 'input', 'P', later);
  if (catchall !== undefined) {
    if (strictCatchall) {
      ctx.lines.push(`  for (const k in input) if (!${keys}.has(k)) {`);
      ctx.lines.push(`    H.unrecognizedKeys(${keys}, input, P, ${owner});`);
      ctx.lines.push('    break;');
      ctx.lines.push('  }');
    } else {
      ctx.lines.push(`  H.runCatchall(${constant(ctx, catchall)}, ${keys}, input, P, ctx);`);
    }
  }
  if (later !== undefined) emitDefaultsLater(ctx, 'P', later);
  if (checks.length > 0) {
    ctx.lines.push(`  H.runChecks(${owner}, ${constant(ctx, checks)}, P);`);
  }
  ctx.lines.push('  return P;');
  ctx.lines.push('}');
  // A loose object's undeclared keys are assigned to the output: one named
  // like a member of the prototype could not be, so it keeps the literal.
  const make =
    catchall === undefined || strictCatchall ? outputMaker(ctx, shape, options.proto) : undefined;
  ctx.lines.push(
    '// Every field valid: straight-line checks, the output built in one literal (or constructor).',
  );
  ctx.lines.push('return function compiledParse(input, ctx) {');
  ctx.lines.push('  valid: {');
  ctx.depth = 1;
  const out = emitObject(ctx, shape, 'input', 'valid', make);
  const strict = strictCatchall;
  if (strict) ctx.lines.push(`    for (const k in input) if (!${keys}.has(k)) break valid;`);
  ctx.lines.push(`    const P = { value: ${out}, issues: [] };`);
  if (catchall !== undefined && !strict) {
    ctx.lines.push(`    H.runCatchall(${constant(ctx, catchall)}, ${keys}, input, P, ctx);`);
  }
  if (checks.length > 0) ctx.lines.push(`    H.runChecks(${owner}, ${constant(ctx, checks)}, P);`);
  ctx.lines.push('    return P;');
  ctx.lines.push('  }');
  ctx.lines.push('  return fieldByField(input, ctx);');
  ctx.lines.push('};');
  return { source: ctx.lines.join('\n'), constants: ctx.constants };
}

/**
 * Compiles a model's object schema; `undefined` when it cannot be compiled
 * or code generation is refused (a Content Security Policy, Node's
 * `--disallow-code-generation-from-strings`, Zod's `jitless`): the model then
 * uses the regular parser.
 */
export function compileModel(
  root: z.ZodType,
  options: CompileOptions = {},
): CompiledModel | undefined {
  if (refusal(root) !== undefined) return undefined;
  if (z.config().jitless === true) return undefined;
  const { source, constants } = generateModelSource(root, options);
  let factory: (K: readonly unknown[], helpers: typeof H) => CompiledParse;
  try {
    factory = new Function('K', 'H', source) as typeof factory;
  } catch (error) {
    // Code generation refused: the regular parser serves. Anything else is a defect of the generator.
    if (error instanceof EvalError) return undefined;
    throw error;
  }
  return { parse: factory(constants, HELPERS), source };
}
