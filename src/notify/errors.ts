import type { CodesOf } from '../base/exceptions/codes.js';
import { AlertbaseError, type ErrorContext } from '../base/exceptions/errors.js';
import { redact } from './redact.js';
import { truncate } from './templates.js';

/** The longest error message a result carries. */
export const MAX_ERROR_LENGTH = 300;

import type { DeliveryResult } from './types.js';

/** A failed delivery attempt, thrown inside a sender and turned into its {@link DeliveryResult}. @internal */
export class DeliveryError extends AlertbaseError {
  readonly deliveryCode: CodesOf<'DELIVERY'>;
  readonly retryable: boolean;
  readonly statusCode: number | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(
    code: CodesOf<'DELIVERY'>,
    context: ErrorContext,
    options: {
      readonly retryable: boolean;
      readonly statusCode?: number | undefined;
      readonly retryAfterMs?: number | undefined;
      readonly cause?: unknown;
    },
  ) {
    super(code, context, { cause: options.cause });
    this.deliveryCode = code;
    this.retryable = options.retryable;
    this.statusCode = options.statusCode;
    this.retryAfterMs = options.retryAfterMs;
  }

  /** The result of the attempt, its message with `secrets` masked. */
  toResult(secrets: readonly string[], requests?: number): DeliveryResult {
    return {
      ok: false,
      retryable: this.retryable,
      code: this.deliveryCode,
      // Masked before it is shortened, so no part of a secret survives the cut.
      error: truncate(redact(this.message, secrets), MAX_ERROR_LENGTH),
      ...(this.statusCode === undefined ? {} : { status: this.statusCode }),
      ...(this.retryAfterMs === undefined ? {} : { retryAfterMs: this.retryAfterMs }),
      ...(requests === undefined ? {} : { requests }),
    };
  }
}

/** Turns whatever a sender threw into a result: a {@link DeliveryError} as it says, anything else as a network failure. @internal */
export function failureResult(
  err: unknown,
  secrets: readonly string[],
  requests?: number,
): DeliveryResult {
  if (err instanceof DeliveryError) return err.toResult(secrets, requests);
  const reason = err instanceof Error ? err.message : String(err);
  return new DeliveryError(
    'ALERTBASE_DELIVERY_NETWORK',
    { reason },
    { retryable: true, cause: err },
  ).toResult(secrets, requests);
}
