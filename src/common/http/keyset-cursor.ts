import { DomainError } from '../errors/domain-error.js';

/** A position in a list ordered by (time, id): stable while new rows arrive. Opaque to clients. */
export interface KeysetPosition {
  at: Date;
  id: string;
}

export function encodeKeysetCursor(position: KeysetPosition): string {
  return Buffer.from(`${position.at.toISOString()}|${position.id}`).toString('base64url');
}

/** Reads a cursor this API gave, or refuses it naming the `cursor` field. */
export function decodeKeysetCursor(cursor: string): KeysetPosition {
  const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const date = new Date(at ?? '');
  if (!id || Number.isNaN(date.getTime())) {
    throw new DomainError('invalid', 'invalid_request', 'The cursor is not valid.', [{ field: 'cursor', message: 'is not a cursor this API gave' }]);
  }
  return { at: date, id };
}

/**
 * Every row of a query in keyset order, a page at a time (exports): `read(after)` answers up to `pageSize` rows
 * after a position, `positionOf` names a row's position. Only one page is ever held.
 */
export async function* keysetPages<Row, Out>(
  read: (after: KeysetPosition | null) => Promise<Row[]>,
  pageSize: number,
  positionOf: (row: Row) => KeysetPosition,
  toOut: (row: Row) => Out,
): AsyncGenerator<Out[]> {
  let after: KeysetPosition | null = null;
  for (;;) {
    const rows = await read(after);
    if (rows.length > 0) yield rows.map(toOut);
    if (rows.length < pageSize) return;
    after = positionOf(rows[rows.length - 1]);
  }
}
