import { Readable } from 'node:stream';

/** Spreadsheet programs in Japan read a CSV as Shift_JIS unless it starts with a UTF-8 byte order mark. */
export const UTF8_BOM = '\uFEFF';

/** One CSV field: quoted when it holds a comma, a quote or a line break; a formula-looking cell is defused. */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = value instanceof Date ? value.toISOString() : String(value);
  // A cell starting with = + - @ would run as a formula when opened (CSV injection): a leading apostrophe stops it.
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvLine(fields: unknown[]): string {
  return `${fields.map(csvField).join(',')}\r\n`;
}

/**
 * A CSV document streamed from pages of rows: the next page is read only when the reader has taken the previous
 * one, so an export of any size holds one page in memory.
 */
export function csvStream<T>(header: string[], pages: AsyncIterable<T[]>, toFields: (row: T) => unknown[]): Readable {
  async function* lines(): AsyncGenerator<string> {
    yield UTF8_BOM + csvLine(header);
    for await (const page of pages) {
      let chunk = '';
      for (const row of page) chunk += csvLine(toFields(row));
      if (chunk) yield chunk;
    }
  }
  return Readable.from(lines(), { objectMode: false, highWaterMark: 1 });
}
