import { z, ZodError, ZodType } from 'zod';
import { DomainError, ErrorDetail } from '../errors/domain-error.js';

export function zodDetails(error: ZodError): ErrorDetail[] {
  return error.issues.flatMap((issue) => {
    // An unknown field is named as itself, not as its parent.
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ field: [...issue.path, key].join('.'), message: 'is not a known field' }));
    }
    return [{ field: issue.path.join('.') || '(body)', message: issue.message }];
  });
}

/** Parses untrusted input with a schema, or refuses it with 400 `invalid_request` naming each bad field. */
export function parseInput<S extends ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input ?? {});
  if (!result.success) {
    throw new DomainError('invalid', 'invalid_request', 'The request is not valid.', zodDetails(result.error));
  }
  return result.data;
}

export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});

/** The view of a page of `item`s, as `Page<T>` answers it. */
export const pageView = <T extends ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
