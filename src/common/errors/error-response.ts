import { ArgumentsHost, Catch, ExceptionFilter, HttpException } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ZodError } from 'zod';
import { DomainError, ErrorKind } from './domain-error.js';
import type { ErrorCode } from './error-codes.js';
import { logger } from '../logging/logger.js';
import { zodDetails } from '../http/validation.js';

const STATUS: Record<ErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  unprocessable: 422,
  too_many_requests: 429,
  unavailable: 503,
};

/** Nest's own HTTP exceptions (a route that is not there, a parser's refusal) as the hub's codes. */
const HTTP_CODES: Partial<Record<number, ErrorCode>> = {
  400: 'invalid_request',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
};

export interface ErrorBody {
  statusCode: number;
  code: ErrorCode;
  message: string;
  details?: unknown;
  /** With 429 and 503: whole seconds until the caller may try again. */
  retryAfterSeconds?: number;
}

/** Turns any error into the API's `{statusCode, code, message, details?}`. */
export function toErrorBody(error: unknown): ErrorBody {
  if (error instanceof DomainError) {
    const body: ErrorBody = { statusCode: STATUS[error.kind], code: error.code, message: error.message, details: error.details };
    if (error.retryAfterSeconds !== undefined) body.retryAfterSeconds = error.retryAfterSeconds;
    return body;
  }
  if (error instanceof ZodError) {
    return { statusCode: 400, code: 'invalid_request', message: 'The request is not valid.', details: zodDetails(error) };
  }
  if (error instanceof HttpException) {
    const statusCode = error.getStatus();
    // Nest's raw-body JSON parser reports an oversized body as its own 413, Fastify's parsers as FST_ERR_CTP_BODY_TOO_LARGE.
    const message = statusCode === 404 ? 'There is nothing at this address.' : error.message;
    return { statusCode, code: HTTP_CODES[statusCode] ?? (statusCode < 500 ? 'invalid_request' : 'internal_error'), message };
  }
  const fastifyError = error as { statusCode?: number; code?: string; message?: string };
  if (typeof fastifyError?.statusCode === 'number' && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    // Fastify's own refusals: a malformed JSON body, a body over the size limit, an unsupported media type.
    return {
      statusCode: fastifyError.statusCode,
      code: fastifyError.statusCode === 413 ? 'payload_too_large' : fastifyError.statusCode === 415 ? 'unsupported_media_type' : 'invalid_request',
      message: fastifyError.message ?? 'The request is not valid.',
    };
  }
  return { statusCode: 500, code: 'internal_error', message: 'Something went wrong on our side; it has been logged.' };
}

@Catch()
export class ErrorResponseFilter implements ExceptionFilter {
  catch(error: unknown, host: ArgumentsHost): void {
    const body = toErrorBody(error);
    if (body.statusCode >= 500) logger.error({ err: error }, 'unhandled error');
    if (host.getType() !== 'http') return;
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    if (body.retryAfterSeconds !== undefined) void reply.header('Retry-After', String(body.retryAfterSeconds));
    void reply.status(body.statusCode).send(body);
  }
}
