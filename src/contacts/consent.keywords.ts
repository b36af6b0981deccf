/**
 * SMS and WhatsApp consent keywords: the whole message, trimmed, any case, punctuation ignored, full-width
 * folded. "STOP" stops; "cancel my order" is a message about an order. Teams may replace the lists
 * (`settings.consentKeywords`); these are the defaults: the carriers' English words and their Japanese use.
 */
export const DEFAULT_CONSENT_KEYWORDS = {
  optOut: ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT', '停止', '配信停止', '解除'],
  optIn: ['START', 'YES', 'UNSTOP', '開始'],
  help: ['HELP', 'INFO'],
};

export type ConsentKeywords = typeof DEFAULT_CONSENT_KEYWORDS;

function fold(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/[\p{P}\p{S}\s]+/gu, '')
    .toUpperCase();
}

/** Which list a whole message matches, if any. */
export function consentKeyword(body: string, keywords: ConsentKeywords = DEFAULT_CONSENT_KEYWORDS): { kind: 'opt_out' | 'opt_in' | 'help'; keyword: string } | null {
  const folded = fold(body);
  if (!folded) return null;
  const lists = [
    ['opt_out', keywords.optOut],
    ['opt_in', keywords.optIn],
    ['help', keywords.help],
  ] as const;
  for (const [kind, words] of lists) {
    const keyword = words.find((word) => fold(word) === folded);
    if (keyword) return { kind, keyword };
  }
  return null;
}
