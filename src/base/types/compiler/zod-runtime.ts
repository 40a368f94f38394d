/**
 * @internal What compiled model parsers call back into: Zod's own parse of one
 * node, and faithful copies of the few steps of Zod's object parse that
 * decide where an issue goes (a property's result, the checks after a
 * schema's parse). Kept beside the generator so the compiled and the regular
 * parser report the same issues in the same order.
 */

import { z } from 'zod';

/** A Zod parse payload: the value so far and the raw issues. */
export interface Payload {
  value: unknown;
  issues: RawIssue[];
  aborted?: boolean;
}

/** A raw (not yet finalized) Zod issue. */
export interface RawIssue {
  code?: string;
  path?: PropertyKey[];
  continue?: boolean;
  schema?: unknown;
  [key: string]: unknown;
}

/** Zod's parse context, as the regular parser creates it. */
export interface ParseContext {
  readonly async: false;
}

interface CheckInternals {
  readonly _zod: {
    readonly def: { readonly when?: (payload: Payload) => boolean };
    check(payload: Payload): unknown;
  };
}

/** A schema's internals as the compiled code uses them. */
export interface NodeInternals {
  readonly _zod: {
    readonly optin?: 'optional' | 'defaulted' | undefined;
    readonly optout?: 'optional' | undefined;
    run(payload: Payload, ctx: ParseContext): Payload | Promise<Payload>;
  };
}

const util = z.core.util as unknown as {
  finalizeIssue(issue: RawIssue, ctx: ParseContext, config: unknown): FinalIssue;
  codePointLength(text: string): number;
  isPlainObject(value: unknown): boolean;
};

/** A finalized Zod issue (what `safeParse` gives). */
export interface FinalIssue {
  readonly code: string;
  readonly path: readonly PropertyKey[];
  readonly message: string;
  readonly [key: string]: unknown;
}

/** Zod's count of a string's code points (its length checks measure those). */
export const codePointLength: (text: string) => number = util.codePointLength;

/** Zod's test for a record's input. */
export const isPlainRecord: (value: unknown) => boolean = util.isPlainObject;

/** Finalizes raw issues as `safeParse` does (messages from the error maps and locale). */
export function finalizeIssues(issues: readonly RawIssue[], ctx: ParseContext): FinalIssue[] {
  const config = z.config();
  return issues.map((issue) => util.finalizeIssue(issue, ctx, config));
}

type ErrorMap = (issue: RawIssue) => string | { message?: string } | undefined | null;

interface IssueSource {
  readonly _zod?: {
    readonly traits?: ReadonlySet<string>;
    readonly def?: { readonly error?: ErrorMap };
  };
}

const messageOf = (made: ReturnType<ErrorMap>): string | undefined =>
  typeof made === 'string' ? made : (made?.message ?? undefined);

/**
 * Zod's finalization of raw issues for a caller that only reads them (the
 * model's mapping to `ValidationError` issues): each issue gets its path
 * (`[]` when it has none) and the message `finalizeIssue` gives it, from the
 * same maps in the same order (the raising check's or schema's own, the
 * owning schema's, the global map, the locale's), in place, without Zod's
 * copy of every issue. The raw issues are the failed parse's own and are
 * dropped with it. `finalizeIssues` gives the same fields (the parity tests
 * compare the two parsers' messages).
 */
export function resolveMessages(issues: RawIssue[], ctx: ParseContext): FinalIssue[] {
  const config = z.config() as { customError?: ErrorMap; localeError?: ErrorMap };
  for (const issue of issues) {
    const inst = issue.inst as IssueSource | undefined;
    const traits = inst?._zod?.traits;
    if (traits?.has('$ZodType') === true) {
      if (!traits.has('$ZodCheck')) issue.schema = inst;
      else issue.schema ??= inst;
    }
    if (issue.path === undefined) issue.path = [];
    if (issue.message) continue;
    const owner = issue.schema === inst ? undefined : (issue.schema as IssueSource | undefined);
    const schemaError = owner?._zod?.def?.error;
    issue.message =
      messageOf(inst?._zod?.def?.error?.(issue)) ??
      messageOf(schemaError?.(issue)) ??
      messageOf((ctx as { error?: ErrorMap }).error?.(issue)) ??
      messageOf(config.customError?.(issue)) ??
      messageOf(config.localeError?.(issue)) ??
      'Invalid input';
  }
  return issues as unknown as FinalIssue[];
}

/** Runs one schema with Zod; a Promise (an async check) is refused as `safeParse` refuses it. */
export function runNode(node: NodeInternals, value: unknown, ctx: ParseContext): Payload {
  const result = node._zod.run({ value, issues: [] }, ctx);
  if (result instanceof Promise) throw new z.core.$ZodAsyncError();
  return result;
}

/** What {@link check} and {@link transform} give when the value fails. */
export const FAIL: unique symbol = Symbol('alertbase.compiled.fail');

/** A payload lent to a check or transform, with what Zod's transform adds for its callback. */
interface ScratchPayload extends Payload {
  addIssue(issue: unknown): void;
}

// Payloads are lent for the duration of one call and reused: allocating two
// objects per check was a fifth of a valid parse (garbage collection). A
// check that parses again (a refine calling a model) takes the next one.
const scratch: ScratchPayload[] = [];
let lent = 0;

function borrow(value: unknown): ScratchPayload {
  let payload = scratch[lent];
  if (payload === undefined) {
    const issues: RawIssue[] = [];
    payload = {
      value,
      issues,
      addIssue(issue: unknown) {
        issues.push(typeof issue === 'object' && issue !== null ? (issue as RawIssue) : {});
      },
    };
    scratch[lent] = payload;
  } else {
    payload.value = value;
    // Setting an array's length is not free, even to what it is: a tenth of a valid parse.
    if (payload.issues.length !== 0) payload.issues.length = 0;
    if (payload.aborted !== undefined) delete payload.aborted;
  }
  lent += 1;
  return payload;
}

/**
 * Runs one check on a value that passed everything before it; gives the
 * value after it (a check may rewrite it: trim, toLowerCase) or {@link FAIL}.
 */
export function check(checkInst: CheckInternals, value: unknown): unknown {
  const payload = borrow(value);
  try {
    const when = checkInst._zod.def.when;
    if (when !== undefined && !when(payload)) return value;
    const result = checkInst._zod.check(payload);
    if (result instanceof Promise) return FAIL;
    return payload.issues.length === 0 ? payload.value : FAIL;
  } finally {
    lent -= 1;
  }
}

/**
 * Runs a transform's function as Zod's transform does (`(value, ctx)`, with
 * `ctx.addIssue`); gives its output, or {@link FAIL} when it reported an
 * issue or went async (Zod then runs the node and reports).
 */
export function transform(
  fn: (value: unknown, payload: Payload) => unknown,
  value: unknown,
): unknown {
  const payload = borrow(value);
  try {
    const out = fn(value, payload);
    if (out instanceof Promise || payload.issues.length !== 0) return FAIL;
    return out;
  } finally {
    lent -= 1;
  }
}

/** A URL scheme, as the URL parser reads one before the first `:`. */
const URL_SCHEME = /^[a-zA-Z][a-zA-Z0-9+.-]*$/;
/** What the URL parser removes anywhere in its input; Zod removes it from the output too. */
const TAB_OR_NEWLINE = /[\t\n\r]/;
/** Zod's http(s) protocol pattern, which also makes its URL check require `://`. */
const HTTP_PROTOCOL_SOURCE = z.regexes.httpProtocol.source;
const HTTP_SLASHES = /^https?:\/\//i;

/**
 * Does Zod's URL check (`z.url({ protocol })`, without `hostname` or
 * `normalize`) accept `text` and leave it as it is? A sufficient test, cheaper
 * than the check by the URL object it does not build: nothing at either end
 * that `trim()` or the URL parser strips, no tab or newline anywhere (both
 * would change the output), the scheme (the characters before the first `:`,
 * lower-cased, as the parser reads a URL that parses) accepted by `protocol`,
 * `://` where Zod asks for it, and a URL that parses. When it says no, the
 * check itself runs and decides.
 */
export function plainUrl(text: string, protocol: RegExp | undefined): boolean {
  const first = text.charCodeAt(0);
  const last = text.charCodeAt(text.length - 1);
  // NaN (an empty text) fails too. Beyond ASCII, trim() strips Unicode spaces.
  if (!(first > 0x20 && last > 0x20)) return false;
  if ((first >= 0x80 || last >= 0x80) && text.trim() !== text) return false;
  if (TAB_OR_NEWLINE.test(text)) return false;
  if (protocol !== undefined) {
    const colon = text.indexOf(':');
    const scheme = text.slice(0, colon);
    if (colon < 1 || !URL_SCHEME.test(scheme)) return false;
    protocol.lastIndex = 0;
    if (!protocol.test(scheme.toLowerCase())) return false;
    if (protocol.source === HTTP_PROTOCOL_SOURCE && !HTTP_SLASHES.test(text)) return false;
  }
  return URL.canParse(text);
}

function aborted(payload: Payload, start = 0): boolean {
  if (payload.aborted === true) return true;
  for (let i = start; i < payload.issues.length; i++) {
    if (payload.issues[i]?.continue !== true) return true;
  }
  return false;
}

function explicitlyAborted(payload: Payload, start = 0): boolean {
  if (payload.aborted === true) return true;
  for (let i = start; i < payload.issues.length; i++) {
    if (payload.issues[i]?.continue === false) return true;
  }
  return false;
}

/** Zod's `runChecks`: a schema's checks after its parse, with Zod's skipping and ownership rules. */
export function runChecks(
  owner: unknown,
  checks: readonly CheckInternals[],
  payload: Payload,
): void {
  let isAborted = aborted(payload);
  for (const check of checks) {
    const when = check._zod.def.when;
    if (when !== undefined) {
      if (explicitlyAborted(payload)) continue;
      if (!when(payload)) continue;
    } else if (isAborted) {
      continue;
    }
    const before = payload.issues.length;
    const result = check._zod.check(payload);
    if (result instanceof Promise) throw new z.core.$ZodAsyncError();
    if (payload.issues.length === before) continue;
    for (let i = before; i < payload.issues.length; i++) {
      const issue = payload.issues[i] as RawIssue;
      issue.schema ??= owner;
    }
    if (!isAborted) isAborted = aborted(payload, before);
  }
}

/** Zod's `prefixIssues`. */
function prefixIssues(key: PropertyKey, issues: RawIssue[]): RawIssue[] {
  for (const issue of issues) {
    issue.path ??= [];
    issue.path.unshift(key);
  }
  return issues;
}

/** Zod's `_zod.run` of a node on a payload (it may give another one back); an async result is refused. */
export function run(node: NodeInternals, payload: Payload, ctx: ParseContext): Payload {
  const result = node._zod.run(payload, ctx);
  if (result instanceof Promise) throw new z.core.$ZodAsyncError();
  return result;
}

/** A codec's `decode` on the payload its `in` side left (it may file issues there); an async one is refused. */
export function decode(
  fn: (value: unknown, payload: Payload) => unknown,
  payload: Payload,
): unknown {
  const out = fn(payload.value, payload);
  if (out instanceof Promise) throw new z.core.$ZodAsyncError();
  return out;
}

/** Zod's number type issue (`received` names NaN and the infinities). */
export function numberIssue(payload: Payload, inst: unknown): void {
  const input = payload.value;
  const received =
    typeof input === 'number'
      ? Number.isNaN(input)
        ? 'NaN'
        : !Number.isFinite(input)
          ? String(input)
          : undefined
      : undefined;
  payload.issues.push({
    expected: 'number',
    code: 'invalid_type',
    input,
    inst,
    ...(received ? { received } : {}),
  });
}

/** Does the left side's result stop a pipe (any issue but an unknown key: Zod's `handlePipeResult`)? */
export function stopsPipe(payload: Payload): boolean {
  for (const issue of payload.issues) if (issue.code !== 'unrecognized_keys') return true;
  return false;
}

/** Zod's `prefixIssues` of a child's issues, appended to the parent's. */
export function prefixInto(target: Payload, key: PropertyKey, child: Payload): void {
  for (const issue of child.issues) {
    if (issue.path === undefined) issue.path = [key];
    else issue.path.unshift(key);
    target.issues.push(issue);
  }
}

/** Zod's issue of a record key its key schema refused. */
export function invalidKey(
  target: Payload,
  key: string,
  keyResult: Payload,
  inst: unknown,
  ctx: ParseContext,
): void {
  target.issues.push({
    code: 'invalid_key',
    origin: 'record',
    issues: finalizeIssues(keyResult.issues, ctx),
    input: key,
    path: [key],
    inst,
  });
}

/**
 * One turn of Zod's check loop (`runChecks`): runs `checkInst` on the payload
 * unless the abort state `state` (1: aborted, 2: explicitly, as bits) skips
 * it, files its issues under `owner`, and gives the abort state after it.
 */
export function checkStep(
  checkInst: CheckInternals,
  owner: unknown,
  payload: Payload,
  state: number,
): number {
  const when = checkInst._zod.def.when;
  if (when !== undefined) {
    if ((state & 2) !== 0 || !when(payload)) return state;
  } else if (state !== 0) {
    return state;
  }
  const before = payload.issues.length;
  const result = checkInst._zod.check(payload);
  if (result instanceof Promise) throw new z.core.$ZodAsyncError();
  let next = state;
  for (let i = before; i < payload.issues.length; i++) {
    const issue = payload.issues[i] as RawIssue;
    issue.schema ??= owner;
    if (issue.continue !== true) next |= 1;
    if (issue.continue === false) next |= 3;
  }
  return next;
}

/**
 * Zod's object parse of one declared property (`handlePropertyResult`): runs
 * the property's schema with Zod and files its result into the object's payload.
 */
export function runProperty(
  node: NodeInternals,
  key: string,
  input: Record<string, unknown>,
  target: Payload,
  ctx: ParseContext,
): void {
  fileProperty(
    runNode(node, input[key], ctx),
    key,
    input,
    target,
    node._zod.optin,
    node._zod.optout,
  );
}

/** Zod's `handlePropertyResult`: files a declared property's result into its object's payload. */
export function fileProperty(
  result: Payload,
  key: string,
  input: Record<string, unknown>,
  target: Payload,
  optin: 'optional' | 'defaulted' | undefined,
  optout: 'optional' | undefined,
): void {
  const isPresent = key in input;
  const isOptionalOut = optout === 'optional';
  if (!isPresent && isOptionalOut && optin === 'optional') return;
  if (result.issues.length > 0) {
    if (optin !== undefined && isOptionalOut && !isPresent) return;
    target.issues.push(...prefixIssues(key, result.issues));
  }
  if (!isPresent && optin === undefined) {
    if (result.issues.length === 0) {
      target.issues.push({
        code: 'invalid_type',
        expected: 'nonoptional',
        input: undefined,
        path: [key],
      });
    }
    return;
  }
  const out = target.value as Record<string, unknown>;
  if (result.value === undefined) {
    if (isPresent || (optin === 'defaulted' && !isOptionalOut)) out[key] = undefined;
  } else {
    out[key] = result.value;
  }
}

/** Zod's report of unknown keys of a strict object. */
export function unrecognizedKeys(
  keys: ReadonlySet<string>,
  input: Record<string, unknown>,
  target: Payload,
  owner: unknown,
): void {
  const unknown: string[] = [];
  for (const key in input) {
    if (keys.has(key)) continue;
    unknown.push(key);
  }
  if (unknown.length > 0) {
    target.issues.push({
      code: 'unrecognized_keys',
      keys: unknown,
      input,
      inst: owner,
      continue: true,
    });
  }
}

/** Zod's parse of the undeclared keys of a loose object (its catchall schema). */
export function runCatchall(
  node: NodeInternals,
  keys: ReadonlySet<string>,
  input: Record<string, unknown>,
  target: Payload,
  ctx: ParseContext,
): void {
  for (const key in input) {
    if (keys.has(key) || key === '__proto__') continue;
    runProperty(node, key, input, target, ctx);
  }
}
