import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { normalizeWhatsAppCloud } from './whatsapp-cloud.normalizer.js';
import { parseWhatsAppCloudWebhook } from './whatsapp-cloud.schema.js';

const fixtures = join(process.cwd(), 'test', 'fixtures', 'providers', 'whatsapp-cloud');
const PHONE_NUMBER_ID = '106540352242922';
const now = new Date('2026-12-01T00:00:00Z');
const events = (name: string, phoneNumberId = PHONE_NUMBER_ID) => normalizeWhatsAppCloud(parseWhatsAppCloudWebhook(readFileSync(join(fixtures, name))), phoneNumberId, now);
const sheena = { kind: 'phone', address: '+16505551234', name: 'Sheena Nelson' };

/** A status webhook as the syntax block of Meta's status reference lays it out (no concrete example exists). */
function statusBody(statuses: Record<string, unknown>[], phoneNumberId = PHONE_NUMBER_ID): Buffer {
  return Buffer.from(
    JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [{ id: '102290129340398', changes: [{ value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '15550783881', phone_number_id: phoneNumberId }, statuses }, field: 'messages' }] }],
    }),
  );
}

describe(normalizeWhatsAppCloud.name, () => {
  it('reads a text message: the wamid as event key, the sender in E.164 with their profile name, Meta’s time', () => {
    expect(events('inbound-text.json')).toEqual([
      {
        type: 'message',
        eventKey: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=',
        providerMessageId: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=',
        from: sheena,
        kind: 'text',
        body: 'Does it come in another color?',
        attachments: [],
        occurredAt: new Date(1749416383 * 1000),
      },
    ]);
  });

  it('leaves an image at Meta under its media id, to be fetched in a job, with its caption as the body', () => {
    expect(events('inbound-image.json')[0]).toMatchObject({
      kind: 'media',
      body: 'Taj Mahal',
      attachments: [{ providerContentId: '1003383421387256', contentType: 'image/jpeg' }],
    });
  });

  it('reads every other recorded message type as the agent should see it', () => {
    expect(events('inbound-location.json')[0]).toMatchObject({
      kind: 'text',
      body: 'Philz Coffee\n101 Forest Ave, Palo Alto, CA 94301',
      attachments: [{ meta: { type: 'location', latitude: 37.44221496582, longitude: -122.16165924072, url: 'https://philzcoffee.com/' } }],
    });
    expect(events('inbound-contacts.json')[0]).toMatchObject({ kind: 'text', body: 'Lucía Gómez +1 (983) 555-2319', attachments: [{ meta: { type: 'contact', org: { company: 'Google' } } }] });
    expect(events('inbound-reaction.json')[0]).toMatchObject({
      kind: 'event',
      body: '👍',
      attachments: [{ meta: { type: 'reaction', messageId: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI0RTJEOTc2ODVERUY5RDlGNkYA' } }],
    });
    expect(events('inbound-interactive-button-reply.json')[0]).toMatchObject({ kind: 'text', body: 'Cancel', attachments: [{ meta: { type: 'button_reply', id: 'cancel-button' } }] });
    expect(events('inbound-interactive-list-reply.json')[0]).toMatchObject({
      kind: 'text',
      body: 'Priority Mail Express',
      attachments: [{ meta: { type: 'list_reply', id: 'priority_express', description: 'Next Day to 2 Days' } }],
    });
    // The template's quick-reply button: its text is what the customer said ("Unsubscribe" is a keyword).
    expect(events('inbound-button-template-quick-reply.json')[0]).toMatchObject({ kind: 'text', body: 'Unsubscribe', attachments: [{ meta: { type: 'button', payload: 'Unsubscribe' } }] });
    expect(events('inbound-order.json')[0]).toMatchObject({ kind: 'event', body: 'di9ozbzfi4 × 2 (30 USD)\nnqryix03ez × 1 (25 USD)' });
    expect(events('inbound-system-user-changed-number.json')[0]).toMatchObject({
      kind: 'event',
      body: 'User Sheena Nelson changed from 16505551234 to 12195555358',
      // A system message has no `contacts`: no name.
      from: { kind: 'phone', address: '+16505551234' },
    });
    expect(events('inbound-unsupported-with-errors.json')[0]).toMatchObject({ kind: 'event', body: expect.stringContaining('Message type is currently not supported.') });
    expect(events('inbound-text-ctwa-ad-referral.json')[0]).toMatchObject({ kind: 'text', body: 'Hello! Can I get more info on this?' });
    expect(events('inbound-text-with-context-product-inquiry.json')[0]).toMatchObject({ kind: 'text', body: 'Is this still available?' });
  });

  it('reads the dashboard’s test payload (field before value) for the number it names', () => {
    expect(events('meta-dashboard-test-sample.json', '123456123')).toEqual([
      expect.objectContaining({ eventKey: 'ABGGFlA5Fpa', body: 'this is a text message', from: { kind: 'phone', address: '+16315551181', name: 'test user name' } }),
    ]);
  });

  it('leaves out another phone number’s changes, group lifecycle changes and account-level errors', () => {
    expect(events('inbound-text.json', '999999999999999')).toEqual([]);
    for (const name of ['groups-create.json', 'groups-remove-participants.json', 'groups-settings-update.json', 'webhook-errors-130429.json']) {
      expect({ name, events: events(name) }).toEqual({ name, events: [] });
    }
  });

  it('iterates every entry, change, message and status of a batch, in order', () => {
    const one = JSON.parse(readFileSync(join(fixtures, 'inbound-text.json'), 'utf8'));
    const other = JSON.parse(readFileSync(join(fixtures, 'inbound-location.json'), 'utf8'));
    const statuses = JSON.parse(statusBody([{ id: 'wamid.OUT1', status: 'delivered', timestamp: '1750000000', recipient_id: '16505551234' }]).toString()).entry[0];
    const batch = { object: 'whatsapp_business_account', entry: [{ ...one.entry[0], changes: [...one.entry[0].changes, ...other.entry[0].changes] }, statuses] };
    const normalized = normalizeWhatsAppCloud(parseWhatsAppCloudWebhook(Buffer.from(JSON.stringify(batch))), PHONE_NUMBER_ID, now);
    expect(normalized.map((e) => (e.type === 'message' ? e.body.split('\n')[0] : e.type === 'status' ? `status:${e.status}` : e.type))).toEqual(['Does it come in another color?', 'Philz Coffee', 'status:delivered']);
  });

  it('maps statuses (played reads as read) and keeps a failure’s code and Meta’s words', () => {
    const body = statusBody([
      { id: 'wamid.A', status: 'sent', timestamp: '1750000000', recipient_id: '16505551234' },
      { id: 'wamid.A', status: 'played', timestamp: '1750000002', recipient_id: '16505551234' },
      { id: 'wamid.B', status: 'deleted', timestamp: '1750000003', recipient_id: '16505551234' },
      {
        id: 'wamid.C',
        status: 'failed',
        timestamp: '1750000004',
        recipient_id: '16505551234',
        errors: [{ code: 131047, title: 'Re-engagement message', message: 'Re-engagement message', error_data: { details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.' } }],
      },
    ]);
    expect(normalizeWhatsAppCloud(parseWhatsAppCloudWebhook(body), PHONE_NUMBER_ID, now)).toEqual([
      { type: 'status', providerMessageId: 'wamid.A', status: 'sent', occurredAt: new Date(1750000000_000) },
      { type: 'status', providerMessageId: 'wamid.A', status: 'read', occurredAt: new Date(1750000002_000) },
      {
        type: 'status',
        providerMessageId: 'wamid.C',
        status: 'failed',
        errorCode: '131047',
        failure: {
          code: 'reply_window_closed',
          details: { provider: 'whatsapp-cloud', providerCode: 131047, providerMessage: expect.stringMatching(/^Message failed to send because more than 24 hours/) },
          reason: expect.stringMatching(/24 hours.*WhatsApp says: Message failed to send because more than 24 hours.*\(error 131047\)$/),
        },
        occurredAt: new Date(1750000004_000),
      },
    ]);
  });

  it('refuses a body that is not a WhatsApp webhook, naming what is wrong', () => {
    expect(() => parseWhatsAppCloudWebhook(Buffer.from('{"object":"page"}'))).toThrow(/entry/);
    expect(() => parseWhatsAppCloudWebhook(Buffer.from('not json'))).toThrow(/not valid JSON/);
  });
});
