import { describe, expect, it } from '@jest/globals';
import { senderAligned } from '../../src/channels/sendgrid/sendgrid.verifier.js';

/** SendGrid's Inbound Parse fields are the sender's to write. */
describe(senderAligned.name, () => {
  // Guards: a mail whose `dkim` field is a long run of `@` holding the event loop (the pattern backtracks
  // quadratically over it) for seconds per mail.
  it('reads a dkim field of 100,000 @ in well under a second, and still finds a pass in a short one', () => {
    const started = performance.now();
    expect(senderAligned({ from: 'a@customer.example', dkim: `{${'@'.repeat(100_000)}}` })).toBe(false);
    expect(performance.now() - started).toBeLessThan(500);
    expect(senderAligned({ from: 'a@customer.example', dkim: '{@customer.example : pass}' })).toBe(true);
  });
});
