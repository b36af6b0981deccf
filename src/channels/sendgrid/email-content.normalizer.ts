import { convert } from 'html-to-text';
import sanitizeHtml from 'sanitize-html';

/** An email's HTML as an agent may see it: nothing that runs, nothing that loads from elsewhere until asked. */
export interface SanitizedHtml {
  html: string;
  /** Remote images held back: each `<img>` keeps its address in `data-remote-src` and loads only if the agent asks. */
  remoteImages: number;
}

/**
 * Scripts, styles, event handlers (`onerror`, `onclick`), forms, frames and `javascript:` links go; images keep
 * their address in `data-remote-src` instead of `src`, so opening a mail does not tell the sender it was read (a
 * tracking pixel) until the agent chooses to load them.
 */
export function sanitizeEmailHtml(html: string): SanitizedHtml {
  let remoteImages = 0;
  const clean = sanitizeHtml(html, {
    allowedTags: [...sanitizeHtml.defaults.allowedTags, 'img', 'font', 'center'],
    allowedAttributes: {
      a: ['href', 'title', 'rel', 'target'],
      img: ['alt', 'title', 'width', 'height', 'data-remote-src', 'data-cid'],
      td: ['colspan', 'rowspan', 'align', 'valign'],
      th: ['colspan', 'rowspan', 'align', 'valign'],
      table: ['width', 'border', 'cellpadding', 'cellspacing'],
      font: ['color', 'size'],
      '*': ['dir', 'lang'],
    },
    allowedSchemes: ['http', 'https', 'mailto', 'tel'],
    allowedSchemesByTag: { img: ['http', 'https'] },
    // `data-remote-src` is a URL we may later load: it gets the same scheme check as `src` and `href`.
    allowedSchemesAppliedToAttributes: ['href', 'src', 'cite', 'data-remote-src'],
    allowProtocolRelative: false,
    transformTags: {
      img: (tagName, attribs) => {
        const { src, ...rest } = attribs;
        const cid = src?.toLowerCase().startsWith('cid:') ? src.slice(4) : undefined;
        if (src && !cid) remoteImages++;
        return { tagName, attribs: { ...rest, ...(cid ? { 'data-cid': cid } : src ? { 'data-remote-src': src } : {}) } };
      },
      a: (tagName, attribs) => ({ tagName, attribs: { ...attribs, rel: 'noopener noreferrer nofollow', target: '_blank' } }),
    },
  });
  return { html: clean, remoteImages };
}

/** The text of an HTML-only mail, for the conversation's preview and the display body. */
export function htmlToPlainText(html: string): string {
  return convert(html, { wordwrap: false, selectors: [{ selector: 'img', format: 'skip' }, { selector: 'a', options: { ignoreHref: true } }] }).trim();
}

// Where the quoted history of a reply starts, in the forms mail programs write it (English and Japanese):
// "On Mon, ... wrote:", Gmail's Japanese "2024年1月5日(金) 10:00 山田 <a@b.jp>:", Outlook's "-----Original Message-----"
// and its separator line followed by From:/差出人:, and a run of "> " lines.
const QUOTE_HEADERS = [
  /^On\b.{0,300}\bwrote:\s*$/i,
  /^\d{4}[年/-]\d{1,2}[月/-]\d{1,2}.{0,200}(<[^<>\s]+@[^<>\s]+>|書きました|wrote)\s*[:：]\s*$/,
  /^-{2,}\s*(Original Message|元のメッセージ|Forwarded message|転送メッセージ)/i,
  /^_{10,}\s*$/,
  /^(From|差出人|送信者)\s*[:：].+$/,
];
// A signature starts at the "-- " line (RFC 3676); a few Japanese mailers draw a line of dashes or box rules.
const SIGNATURE_START = /^(-- ?|―{3,}|━{3,}|-{5,}|={5,})$/;

/**
 * The part of a mail's text the agent reads first: the new writing, without the quoted history below it or the
 * signature. The full text stays with the message. When trimming would leave nothing (a forwarded mail is all
 * "history"), the whole text is the message.
 */
export function trimQuotedReply(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  // quotedToEnd[i]: lines i.. are all "> " lines or blank, at least one quoted (computed once: a mail can be long).
  const quotedToEnd: boolean[] = new Array<boolean>(lines.length + 1).fill(false);
  let blankTail = true;
  for (let i = lines.length - 1; i >= 0; i--) {
    const quoted = lines[i].startsWith('>');
    const blank = lines[i].trim() === '';
    quotedToEnd[i] = (quoted && (quotedToEnd[i + 1] || blankTail)) || (blank && quotedToEnd[i + 1]);
    blankTail = blankTail && blank;
  }
  let end = lines.length;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trimEnd();
    const twoLines = i + 1 < lines.length ? `${line} ${lines[i + 1].trim()}` : line;
    if (QUOTE_HEADERS.some((pattern) => pattern.test(line)) || (/^On\b/i.test(line) && QUOTE_HEADERS[0].test(twoLines))) {
      end = i;
      break;
    }
    // A run of "> " lines to the end is history; so is the line that introduces it ("...のメール:", "... a écrit :").
    if ((line.startsWith('>') && quotedToEnd[i]) || (/[:：]$/.test(line) && quotedToEnd[i + 1])) {
      end = i;
      break;
    }
    if (SIGNATURE_START.test(line)) {
      end = i;
      break;
    }
  }
  const trimmed = lines.slice(0, end).join('\n').trim();
  return trimmed || text.trim();
}
