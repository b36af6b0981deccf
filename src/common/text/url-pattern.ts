/**
 * A store URL pattern, `*` standing for any run of characters (none included), matched whole and in any case.
 *
 * Not a regular expression: `^.*a.*a.*b$` backtracks through every placing of its stars, so a pattern with a few
 * stars and one long URL from a visitor's browser would hold the event loop for minutes. A pattern with only `*`
 * needs no backtracking: the part before the first star must start the text, the part after the last must end
 * it, and each part between is taken at its leftmost place after the previous one (taking a later place can
 * only leave less room for the rest). Each part is found with Knuth-Morris-Pratt, so the whole match looks at
 * each character of the text a bounded number of times: O(text + pattern) per pattern.
 */
export interface UrlPattern {
  /** `counter.steps` is increased by the comparisons made, for tests that prove the bound. */
  matches(text: string, counter?: { steps: number }): boolean;
}

export function compileUrlPattern(pattern: string): UrlPattern {
  const parts = pattern.toLowerCase().split('*');
  const tables = parts.map(failureTable);
  return {
    matches(input: string, counter = { steps: 0 }): boolean {
      const text = input.toLowerCase();
      const first = parts[0];
      if (parts.length === 1) {
        counter.steps += text.length;
        return text === first;
      }
      const last = parts[parts.length - 1];
      if (text.length < first.length + last.length) return false;
      counter.steps += first.length + last.length;
      if (!text.startsWith(first) || !text.endsWith(last)) return false;
      let from = first.length;
      const end = text.length - last.length;
      for (let i = 1; i < parts.length - 1; i++) {
        const at = search(text, from, end, parts[i], tables[i], counter);
        if (at < 0) return false;
        from = at + parts[i].length;
      }
      return from <= end;
    },
  };
}

/** KMP's failure function: for each prefix of `part`, the length of its longest proper border. */
function failureTable(part: string): Int32Array {
  const table = new Int32Array(part.length);
  let k = 0;
  for (let i = 1; i < part.length; i++) {
    while (k > 0 && part[i] !== part[k]) k = table[k - 1];
    if (part[i] === part[k]) k++;
    table[i] = k;
  }
  return table;
}

/** Where `part` first occurs in text[from, end), or -1; at most 2 × (end - from) comparisons. */
function search(text: string, from: number, end: number, part: string, table: Int32Array, counter: { steps: number }): number {
  if (part.length === 0) return from;
  let k = 0;
  for (let i = from; i < end; i++) {
    counter.steps++;
    while (k > 0 && text[i] !== part[k]) {
      k = table[k - 1];
      counter.steps++;
    }
    if (text[i] === part[k]) k++;
    if (k === part.length) return i - part.length + 1;
  }
  return -1;
}
