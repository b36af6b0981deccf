import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { CHANNEL_TYPES } from '../common/channel-types.js';
import { systemClock } from '../common/clock.js';
import { DomainError } from '../common/errors/domain-error.js';
import { OutboundGuard } from '../common/outbound/index.js';
import type { HubConfig } from '../common/config/config.js';
import { CHANNEL_PROVIDERS } from './channel-adapter.js';
import type { ChannelAccount, ChannelAdapter, OutboundMessage } from './channel-adapter.js';
import { ChannelRegistry, registerAdapter } from './channel-registry.js';
import { LineAdapter } from './line/line.adapter.js';
import { SendgridAdapter } from './sendgrid/sendgrid.adapter.js';
import { TwilioAdapter } from './twilio/twilio.adapter.js';
import { WebchatAdapter } from './webchat/webchat.adapter.js';
import { WebchatSender } from './webchat/webchat.sender.js';
import { checkPassed } from './channel-check.js';
import { WhatsAppCloudAdapter } from './whatsapp-cloud/whatsapp-cloud.adapter.js';
import { WhatsAppWebAdapter } from './whatsapp-web/whatsapp-web.adapter.js';
import type { WhatsAppWebSessions } from './whatsapp-web/whatsapp-web-sessions.service.js';

const settingsSchema = z.object({ fromEmail: z.email(), templates: z.array(z.string()).default([]) });
const secretsSchema = z.object({ apiKey: z.string() }).partial();
type Settings = z.output<typeof settingsSchema>;
type Secrets = z.output<typeof secretsSchema>;

/** An adapter that records the accounts it is handed. */
function recordingAdapter(): ChannelAdapter<Settings, Secrets> & { seen: ChannelAccount<Settings, Secrets>[] } {
  const seen: ChannelAccount<Settings, Secrets>[] = [];
  return {
    seen,
    provider: 'sendgrid',
    types: ['email'],
    capabilities: { files: { kinds: {}, maxBytes: 0, maxPerMessage: 0 }, templates: false, typing: false, readReceipts: false, replyTokens: false, groups: false, maxTextLength: 10, replyWindowHours: null, maxMessagesPerCall: 1, sendsPerSecond: 1 },
    configSchema: z.strictObject({ ...settingsSchema.shape, apiKey: z.string() }),
    secretKeys: ['apiKey'],
    settingsSchema,
    secretsSchema,
    webhook: null,
    async verify() {},
    async parse() {
      return [];
    },
    async send(channel) {
      seen.push(channel);
      // Typed: a misspelled field here does not compile.
      return { ok: true, providerMessageId: `${channel.settings.fromEmail}:${channel.settings.templates.length}:${channel.secrets.apiKey ?? 'none'}` };
    },
    async check(channel) {
      seen.push(channel);
      return checkPassed(channel.settings.fromEmail, 'recorded');
    },
  };
}

const stored = (settings: Record<string, unknown>, secrets: Record<string, unknown> = { apiKey: 'SG.key' }): ChannelAccount => ({
  id: 'c',
  teamId: 't',
  type: 'email',
  provider: 'sendgrid',
  name: 'Mail',
  active: true,
  settings,
  secrets,
});

const message: OutboundMessage = {
  messageId: 'm',
  conversationId: 'v',
  to: { kind: 'email', address: 'a@example.com' },
  body: 'hi',
  attachments: [],
  author: { type: 'member', id: null, name: null },
  createdAt: new Date(0),
  seq: '1',
};

describe(registerAdapter.name, () => {
  it('hands the adapter the stored account read by its schemas, once per loaded account', async () => {
    const adapter = recordingAdapter();
    const registered = registerAdapter(adapter);
    const account = stored({ fromEmail: 'shop@example.com', leftOver: 'from an older version' });
    expect(await registered.send(account, message)).toEqual({ ok: true, providerMessageId: 'shop@example.com:0:SG.key' });
    await registered.send(account, message);
    // The schema's default filled in, the unknown key dropped; the same read object the second time.
    expect(adapter.seen[0].settings).toEqual({ fromEmail: 'shop@example.com', templates: [] });
    expect(adapter.seen[1]).toBe(adapter.seen[0]);
  });

  it('reads credentials that did not open as none, for the provider call to fail like a wrong one', async () => {
    const registered = registerAdapter(recordingAdapter());
    expect(await registered.send(stored({ fromEmail: 'shop@example.com' }, {}), message)).toEqual({ ok: true, providerMessageId: 'shop@example.com:0:none' });
  });

  it('refuses a stored config its schema no longer reads, naming the fields and not the values', async () => {
    const adapter = recordingAdapter();
    const error = await registerAdapter(adapter)
      .send(stored({ fromEmail: 'not an address' }, { apiKey: 42 }), message)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ kind: 'unprocessable', code: 'channel_settings_invalid', message: expect.stringContaining('fromEmail, apiKey') });
    expect((error as DomainError).message).not.toContain('not an address');
    expect(adapter.seen).toEqual([]);
  });
});

describe(ChannelRegistry.name, () => {
  const guard = new OutboundGuard({ allowedOrigins: [], maxDownloadBytes: 1024 });
  const config: Pick<HubConfig, 'publicUrl'> = { publicUrl: 'https://hub.example' };
  const registry = new ChannelRegistry({
    webchat: registerAdapter(new WebchatAdapter(new WebchatSender())),
    twilio: registerAdapter(new TwilioAdapter(systemClock, config as HubConfig, guard)),
    line: registerAdapter(new LineAdapter(systemClock, guard)),
    'whatsapp-cloud': registerAdapter(new WhatsAppCloudAdapter(systemClock, guard)),
    'whatsapp-web': registerAdapter(new WhatsAppWebAdapter({} as WhatsAppWebSessions)),
    sendgrid: registerAdapter(new SendgridAdapter(systemClock, guard)),
  });

  it('has an adapter for every provider and every channel type', () => {
    expect(registry.all().map((a) => a.provider).sort()).toEqual([...CHANNEL_PROVIDERS].sort());
    expect(registry.types().sort()).toEqual([...CHANNEL_TYPES].sort());
  });

  // What the channels service stores (the config without its secrets) must read back through the settings schema.
  it.each([
    ['line', 'line', { channelSecret: 'x'.repeat(32), channelAccessToken: 'token', dataApiBaseUrl: 'https://api-data.line.me' }],
    ['twilio', 'sms', { accountSid: `AC${'a'.repeat(32)}`, authToken: 'a'.repeat(32), from: '+815012345678', sendsPerSecond: 2 }],
    ['sendgrid', 'email', { apiKey: `SG.${'k'.repeat(30)}`, fromEmail: 'shop@example.com', inboundToken: 't'.repeat(20) }],
    ['whatsapp-cloud', 'whatsapp', { accessToken: 'token', appSecret: 's'.repeat(16), verifyToken: 'v'.repeat(16), phoneNumberId: '123', templates: [{ name: 'order_ready', language: 'ja', variables: ['name'] }] }],
    ['whatsapp-web', 'whatsapp', { sessionName: 'shop-1' }],
    ['webchat', 'webchat', { allowedOrigins: ['https://shop.example/path'], greeting: 'Hello' }],
  ] as const)('reads back what a %s channel stores', async (provider, type, config) => {
    const adapter = registry.forRequest(type, provider);
    const parsed = adapter.configSchema.parse(config);
    const settings = Object.fromEntries(Object.entries(parsed).filter(([key]) => !adapter.secretKeys.includes(key)));
    const secrets = Object.fromEntries(Object.entries(parsed).filter(([key]) => adapter.secretKeys.includes(key)));
    expect(Object.keys(secrets).sort()).toEqual(Object.keys(config).filter((key) => adapter.secretKeys.includes(key)).sort());
    // A webhook-less channel refuses verify on its own; one with webhooks gets as far as the signature check.
    const account = { ...stored(settings, secrets), provider, type };
    const outcome = await adapter.verify(account, { hook: '', url: 'https://hub.example/webhooks/x/c', headers: {}, query: {}, rawBody: Buffer.alloc(0), body: undefined }).catch((e: unknown) => e);
    expect(outcome).not.toMatchObject({ code: 'channel_settings_invalid' });
  });

  it('refuses a type or provider it has no adapter for, naming what exists', () => {
    const refusal = (type: string, provider: string): unknown => {
      try {
        return registry.forRequest(type, provider);
      } catch (error) {
        return error;
      }
    };
    expect(refusal('fax', 'twilio')).toMatchObject({ code: 'unsupported_channel' });
    expect(refusal('sms', 'line')).toMatchObject({ code: 'unsupported_channel', message: expect.stringContaining('sms/twilio') });
  });
});
