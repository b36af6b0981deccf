import { describe, expect, it } from '@jest/globals';
import { sanitizeEmailHtml, trimQuotedReply } from './email-content.normalizer.js';

describe('trimQuotedReply', () => {
  it('cuts at the quote header mail programs write, in English and Japanese', () => {
    expect(trimQuotedReply('Yes, Tuesday works.\n\nOn Mon, Jan 5, 2026 at 10:00 AM Shop <support@shop.example.jp> wrote:\n> When can we deliver?')).toBe('Yes, Tuesday works.');
    // Gmail wraps a long header over two lines.
    expect(trimQuotedReply('OK\n\nOn Mon, Jan 5, 2026 at 10:00 AM Shop Support Team\n<support@shop.example.jp> wrote:\n> hi')).toBe('OK');
    expect(trimQuotedReply('承知しました。\n\n-----Original Message-----\nFrom: Shop\n件名: 配送')).toBe('承知しました。');
    expect(trimQuotedReply('了解です\n________________________________\n差出人: Shop <support@shop.example.jp>\n送信日時: 2026年1月5日')).toBe('了解です');
    expect(trimQuotedReply('はい\n\n2026/01/05 10:00、Shop <support@shop.example.jp>のメール:\n> 発送しました')).toBe('はい');
  });

  it('cuts a trailing block of quoted lines and the signature', () => {
    expect(trimQuotedReply('Thanks!\n\n> old line\n>\n> older line\n')).toBe('Thanks!');
    expect(trimQuotedReply('Thanks!\n-- \nTaro Yamada\nExample Inc.')).toBe('Thanks!');
    // A quote in the middle, answered below it, is the customer's writing: kept.
    expect(trimQuotedReply('> Which size?\nM, please.')).toBe('> Which size?\nM, please.');
  });

  it('keeps the whole text when trimming would leave nothing', () => {
    expect(trimQuotedReply('---------- Forwarded message ---------\nFrom: a@example.com\n\nthe body')).toContain('the body');
  });
});

describe('sanitizeEmailHtml', () => {
  it('keeps inline (cid:) images apart from remote ones, and drops styles that could load anything', () => {
    const { html, remoteImages } = sanitizeEmailHtml('<img src="cid:logo@x"><div style="background:url(https://t.example/x)">a</div><style>p{}</style><iframe src="https://x"></iframe>');
    expect(html).toBe('<img data-cid="logo@x" /><div>a</div>');
    expect(remoteImages).toBe(0);
  });
});
