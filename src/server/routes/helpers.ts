/**
 * What the route modules share: dumps in wire form, query parsing with
 * registry errors, `If-Match` / `ETag`, pages.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  ConflictError,
  isAlertbaseError,
  toJsonPointer,
  ValidationError,
  type ValidationIssue,
} from '../../base/exceptions/index.js';
import type { AnyModel, DumpOptions } from '../../base/types/model.js';
import type { Page } from '../../storage/repositories/index.js';
import { PreconditionFailedError } from '../problems.js';

/** How records are written in responses: JSON values, wire (snake_case) names, secrets masked. */
export const WIRE_DUMP: DumpOptions = Object.freeze({ mode: 'json', byAlias: true });

/** A record in wire form. */
export function wire(model: AnyModel, instance: object): Record<string, unknown> {
  return model.dump(instance, WIRE_DUMP);
}

/** A page in wire form: `{ items, next_cursor }`. */
export function wirePage<T extends object>(
  model: AnyModel,
  page: Page<T>,
): { items: Record<string, unknown>[]; next_cursor: string | null } {
  return { items: page.items.map((item) => wire(model, item)), next_cursor: page.nextCursor };
}

/** @internal Zod issues as alertbase validation issues, under `prefix`. */
export function issuesOf(
  error: z.ZodError,
  prefix: readonly (string | number)[] = [],
): ValidationIssue[] {
  return error.issues.map((issue) => {
    const path = [...prefix, ...issue.path.map((p) => (typeof p === 'number' ? p : String(p)))];
    return { path, pointer: toJsonPointer(path), code: issue.code, message: issue.message };
  });
}

/** One value or a repeated query parameter, as a list (comma-separated values split). */
export const listParam = z.union([z.string(), z.array(z.string())]).transform((v) =>
  (Array.isArray(v) ? v : [v])
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter((s) => s !== ''),
);

/** `label=name=value` (repeatable) as a label set. */
export const labelsParam = z.union([z.string(), z.array(z.string())]).transform((v, ctx) => {
  // Null prototype: any label name is only data (`__proto__`, `constructor`).
  const labels: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const pair of Array.isArray(v) ? v : [v]) {
    const eq = pair.indexOf('=');
    if (eq <= 0) {
      ctx.addIssue({ code: 'custom', message: 'expected label=name=value' });
      return z.NEVER;
    }
    labels[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return labels;
});

/** A boolean query parameter: `true`/`false`/`1`/`0`. */
export const boolParam = z
  .enum(['true', 'false', '1', '0'])
  .transform((v) => v === 'true' || v === '1');

/** An RFC 3339 time in a query parameter. */
export const timeParam = z.iso.datetime({ offset: true }).transform((s) => new Date(s));

/**
 * A refinement of a query with `since` and `until`: `until` before `since` is
 * refused (`too_small` at `/until`) rather than answered with an empty page,
 * so swapped bounds do not pass for "nothing happened". Equal bounds are allowed.
 */
export function untilNotBeforeSince(
  query: { readonly since?: Date | undefined; readonly until?: Date | undefined },
  ctx: z.RefinementCtx,
): void {
  const { since, until } = query;
  if (since === undefined || until === undefined || until.getTime() >= since.getTime()) return;
  ctx.addIssue({
    code: 'too_small',
    origin: 'date',
    minimum: since.getTime(),
    inclusive: true,
    path: ['until'],
    input: until,
    message: 'expected until at or after since',
  });
}

/** Pagination parameters shared by every list. */
export const pageParams = {
  limit: z.coerce.number().int().min(1).max(1_000).optional(),
  cursor: z.string().min(1).max(4_096).optional(),
  order: z.enum(['asc', 'desc']).optional(),
};

/** The `:id` of a route. */
export const IdParams = z.object({ id: z.string().min(1).max(255) });

/** The `id` path parameter. */
export function idOf(request: FastifyRequest): string {
  const result = IdParams.safeParse(request.params);
  if (!result.success) throw new ValidationError('PathParameters', issuesOf(result.error));
  return result.data.id;
}

/**
 * The version an `If-Match` header names (`"3"`, `W/"3"` or `3`), or
 * `undefined` without one (or with `*`).
 * @throws ValidationError for another value.
 */
export function ifMatchOf(request: FastifyRequest): number | undefined {
  const header = request.headers['if-match'];
  if (header === undefined || header.trim() === '*') return undefined;
  const match = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(header);
  if (match?.[1] === undefined) {
    throw new ValidationError('Headers', [
      {
        path: ['headers', 'if-match'],
        pointer: '/headers/if-match',
        code: 'invalid_format',
        message: 'expected the ETag of the record: "<version>"',
      },
    ]);
  }
  return Number(match[1]);
}

/**
 * Runs a write with the version of `If-Match`: a stale one becomes 412
 * (`ALERTBASE_RESOURCE_PRECONDITION_FAILED`, current version in the problem).
 */
export async function conditional<T>(
  request: FastifyRequest,
  write: (options: { expectedVersion?: number }) => Promise<T>,
): Promise<T> {
  const expectedVersion = ifMatchOf(request);
  try {
    return await write(expectedVersion === undefined ? {} : { expectedVersion });
  } catch (err) {
    if (
      expectedVersion !== undefined &&
      err instanceof ConflictError &&
      isAlertbaseError(err, 'ALERTBASE_RESOURCE_VERSION_CONFLICT')
    ) {
      throw new PreconditionFailedError(err.context);
    }
    throw err;
  }
}

/** Sets the `ETag` of a versioned record. */
export function etag(reply: FastifyReply, record: object): FastifyReply {
  const version = (record as { version?: unknown }).version;
  if (typeof version === 'number') reply.header('etag', `"${version}"`);
  return reply;
}
