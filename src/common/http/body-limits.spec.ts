import { describe, expect, it } from '@jest/globals';
import { BODY_LIMIT, webhookBodyLimit } from './body-limits.js';

describe('webhookBodyLimit', () => {
  // Guards a limit raised for one provider and silently given to all: only Inbound Parse takes whole mails.
  it('gives SendGrid Inbound Parse 30 MB and keeps the other webhooks bounded', () => {
    expect(webhookBodyLimit('sendgrid', 'inbound')).toBe(30 * 1024 * 1024);
    for (const [route, hook] of [['line', ''], ['whatsapp', ''], ['twilio', ''], ['twilio', 'status'], ['sendgrid', 'events']]) {
      expect(webhookBodyLimit(route, hook)).toBeLessThanOrEqual(5 * 1024 * 1024);
      expect(webhookBodyLimit(route, hook)).toBeGreaterThanOrEqual(BODY_LIMIT);
    }
    expect(webhookBodyLimit('made-up', 'inbound')).toBe(BODY_LIMIT);
  });
});
