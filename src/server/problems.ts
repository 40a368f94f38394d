/**
 * Every error becomes RFC 9457 problem details with an alertbase registry
 * code: alertbase errors as they render themselves, Fastify's own errors
 * mapped to the nearest registry code, anything else as `ALERTBASE_INTERNAL`.
 * Server errors (5xx) never show their message: it may hold SQL or paths.
 */
import {
  AlertbaseError,
  ConflictError,
  type ErrorContext,
  type ProblemDetails,
  SerializationError,
  specOf,
  ValidationError,
} from '../base/exceptions/index.js';

/** The media type of every error response. */
export const PROBLEM_JSON = 'application/problem+json';

/**
 * A stale `If-Match` (`ALERTBASE_RESOURCE_PRECONDITION_FAILED`, HTTP 412 per
 * RFC 9110 §13.1.1): the same conflict as a stale version in a body (409),
 * but the client made the request conditional.
 */
export class PreconditionFailedError extends ConflictError {
  constructor(context: ErrorContext) {
    super('ALERTBASE_RESOURCE_PRECONDITION_FAILED', context);
  }

  protected override problemExtensions(): Record<string, unknown> {
    return { currentVersion: this.context.currentVersion };
  }
}

/** An error thrown by Fastify itself (`FST_ERR_*`), as far as we look at it. */
interface FastifyLikeError {
  readonly code?: unknown;
  readonly statusCode?: unknown;
}

const isFastifyError = (err: unknown): err is Error & FastifyLikeError =>
  err instanceof Error &&
  typeof (err as FastifyLikeError).code === 'string' &&
  String((err as FastifyLikeError).code).startsWith('FST_');

/** @internal Maps Fastify's own errors to registry errors. */
function fromFastify(err: Error & FastifyLikeError, bodyLimit: number): AlertbaseError {
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new SerializationError('ALERTBASE_SERIALIZATION_TOO_LARGE', {
        format: 'request body',
        limit: bodyLimit,
        unit: 'bytes',
      });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new SerializationError('ALERTBASE_SERIALIZATION_UNSUPPORTED_FORMAT', {
        format: 'the Content-Type',
        supported: 'see the API documentation',
      });
    default: {
      const status = typeof err.statusCode === 'number' ? err.statusCode : 500;
      if (status === 404) {
        return new AlertbaseError('ALERTBASE_RESOURCE_NOT_FOUND', { resource: 'route', id: '' });
      }
      if (status >= 400 && status < 500) {
        return new SerializationError('ALERTBASE_SERIALIZATION_FAILED', {
          format: 'request',
          reason: String(err.code),
        });
      }
      return new AlertbaseError(
        'ALERTBASE_INTERNAL',
        { reason: 'unexpected error' },
        { cause: err },
      );
    }
  }
}

/**
 * The registry error an arbitrary thrown value stands for.
 *
 * @param bodyLimit the request size cap, reported by `ALERTBASE_SERIALIZATION_TOO_LARGE`.
 */
export function toAlertbaseError(err: unknown, bodyLimit: number): AlertbaseError {
  if (err instanceof AlertbaseError) return err;
  if (isFastifyError(err)) return fromFastify(err, bodyLimit);
  return new AlertbaseError('ALERTBASE_INTERNAL', { reason: 'unexpected error' }, { cause: err });
}

/**
 * The problem details of an error, safe to send: a 5xx keeps its code and
 * title but its detail is generic (the message may name SQL, files or hosts).
 *
 * @param instance the request path, RFC 9457 `instance`.
 * @param requestId the request id, to find the log line of a 5xx.
 */
export function problemOf(
  err: AlertbaseError,
  instance: string,
  requestId: string,
): ProblemDetails {
  const problem = err.toProblemDetails(instance);
  if (err instanceof ValidationError) {
    // Issues that know their source position (rule files) keep it.
    const errors = err.issues.map((i) => ({
      pointer: i.pointer,
      code: i.code,
      detail: i.message,
      ...(i.branch === undefined ? {} : { branch: i.branch }),
      ...(i.line === undefined || i.line <= 0 ? {} : { line: i.line, column: i.column }),
    }));
    return { ...problem, errors, requestId };
  }
  if (err.status < 500) return { ...problem, requestId };
  return {
    type: problem.type,
    title: specOf(err.code).title,
    status: err.status,
    detail: `the server could not complete the request; quote request id ${requestId}`,
    instance,
    code: err.code,
    requestId,
  };
}
