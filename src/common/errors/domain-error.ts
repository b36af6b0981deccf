import type { ErrorCode } from './error-codes.js';

/** What went wrong, independent of HTTP; the global filter maps each kind to a status in one place. */
export type ErrorKind =
  | 'invalid'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'unprocessable'
  | 'too_many_requests'
  /** The hub cannot take it now (its database is busy); the caller should come again after `retryAfterSeconds`. */
  | 'unavailable';

export interface ErrorDetail {
  field: string;
  message: string;
}

/** A refusal the caller can act on: a stable snake_case `code` and a sentence a person understands. */
export class DomainError extends Error {
  constructor(
    readonly kind: ErrorKind,
    readonly code: ErrorCode,
    message: string,
    readonly details?: ErrorDetail[] | Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
  }

  /** For `too_many_requests` and `unavailable`: when the caller may try again (the API answers it and sets `Retry-After`). */
  retryAfterSeconds?: number;
}

/** A limit was reached: 429 with `retryAfterSeconds`, whole seconds, at least 1. */
export function tooManyRequests(code: ErrorCode, message: string, retryAfterMs: number): DomainError {
  const error = new DomainError('too_many_requests', code, message);
  error.retryAfterSeconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return error;
}

/** The hub cannot take the request now: 503 with `retryAfterSeconds`, whole seconds, at least 1. */
export function unavailable(code: ErrorCode, message: string, retryAfterMs: number): DomainError {
  const error = new DomainError('unavailable', code, message);
  error.retryAfterSeconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return error;
}

export const notFound = (what: string) => new DomainError('not_found', 'not_found', `${what} was not found.`);
