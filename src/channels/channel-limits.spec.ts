import { describe, expect, it } from '@jest/globals';
import { systemClock } from '../common/clock.js';
import { OutboundGuard } from '../common/outbound/index.js';
import type { RegisteredAdapter } from './channel-adapter.js';
import { LineAdapter } from './line/line.adapter.js';
import { SendgridAdapter } from './sendgrid/sendgrid.adapter.js';
import { TwilioAdapter } from './twilio/twilio.adapter.js';
import { WebchatAdapter } from './webchat/webchat.adapter.js';
import { WhatsAppCloudAdapter } from './whatsapp-cloud/whatsapp-cloud.adapter.js';
import { WhatsAppWebAdapter } from './whatsapp-web/whatsapp-web.adapter.js';

const guard = new OutboundGuard({ allowedOrigins: [], maxDownloadBytes: 1024 });

// The send policy refuses a reply above `maxTextLength` before it is queued: a number larger than the provider's
// lets a message through that then fails at the provider; a smaller one refuses what would have gone.
describe('ChannelCapabilities.maxTextLength', () => {
  const cases: [string, Pick<RegisteredAdapter, 'capabilities'>, number, number][] = [
    // Twilio's `Body`: 1,600 characters on SMS and WhatsApp (error 21617 above it).
    ['Twilio', new TwilioAdapter(systemClock, { publicUrl: 'https://hub.example' } as never, guard), 1600, 1],
    // LINE: 5,000 UTF-16 units per text object, five objects per call (the sender splits).
    ['LINE', new LineAdapter(systemClock, guard), 5000, 5],
    // The WhatsApp Business (Cloud) API: 4,096 characters of text body.
    ['WhatsApp Cloud', new WhatsAppCloudAdapter(systemClock, guard), 4096, 1],
    // A linked device sends as WhatsApp's own apps do: 65,536 characters.
    ['WhatsApp Web', new WhatsAppWebAdapter(null as never), 65_536, 1],
    ['web chat', new WebchatAdapter(null as never), 5000, 1],
    ['SendGrid', new SendgridAdapter(systemClock, guard), 100_000, 1],
  ];

  it.each(cases)('is the provider’s own limit for %s', (_name, adapter, maxTextLength, maxMessagesPerCall) => {
    expect(adapter.capabilities).toMatchObject({ maxTextLength, maxMessagesPerCall });
  });
});
