import { Readable } from 'node:stream';
import { zonedTime } from './zoned-time.js';

/** Spreadsheet programs in Japan read a CSV as Shift_JIS unless it starts with a UTF-8 byte order mark. */
export const UTF8_BOM = '\uFEFF';

/**
 * A cell a spreadsheet would run as a formula when opened (CSV injection): one starting with = + - @, their
 * full-width forms ＝ ＋ － ＠ (Excel reads those as the ASCII signs), the same behind leading spaces, tabs or
 * ideographic spaces (skipped before a formula), or a tab or line break of its own. A leading apostrophe stops it.
 * (`\s*` cannot backtrack into the sign class, which holds no space: linear.)
 */
const FORMULA = /^(?:[\t\r\n]|\s*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20])/;

/**
 * One CSV field: quoted when it holds a comma, a quote or a line break; a formula-looking text is defused. Every
 * CSV the hub writes goes through it. Numbers stay numbers (a refund's -500 is not a formula).
 */
export function csvField(value: unknown, timeZone?: string): string {
  if (value === null || value === undefined) return '';
  let text = value instanceof Date ? zonedTime(value, timeZone) : String(value);
  if (typeof value === 'string' && FORMULA.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvLine(fields: unknown[], timeZone?: string): string {
  return `${fields.map((field) => csvField(field, timeZone)).join(',')}\r\n`;
}


/**
 * A CSV document streamed from pages of rows: the next page is read only when the reader has taken the previous
 * one, so an export of any size holds one page in memory.
 */
export function csvStream<T>(header: string[], pages: AsyncIterable<T[]>, toFields: (row: T) => unknown[], timeZone?: string): Readable {
  async function* lines(): AsyncGenerator<string> {
    // With a zone, each time carries its offset and the last column names the zone, so nobody reads UTC as local.
    yield UTF8_BOM + csvLine(timeZone ? [...header, 'time_zone'] : header);
    for await (const page of pages) {
      let chunk = '';
      for (const row of page) chunk += csvLine(timeZone ? [...toFields(row), timeZone] : toFields(row), timeZone);
      if (chunk) yield chunk;
    }
  }
  return Readable.from(lines(), { objectMode: false, highWaterMark: 1 });
}
