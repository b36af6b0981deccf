import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { ChannelRegistry } from '../../src/channels/index.js';
import type { ChannelAccount, ChannelProvider, ChannelType, OutboundMessage } from '../../src/channels/index.js';
import { startHttpFake } from '../fakes/http-fake.js';
import type { HttpFake } from '../fakes/http-fake.js';
import { signWhatsAppBody, startWhatsAppCloudFake } from '../fakes/whatsapp-cloud-fake.js';
import type { WhatsAppCloudFake } from '../fakes/whatsapp-cloud-fake.js';
import { eventually } from '../support/eventually.js';
import { TestHub, TestMember, createTeam, startTestHub } from '../support/test-hub.js';

const APP_SECRET = 'whatsapp-app-secret';
const ACCESS_TOKEN = 'whatsapp-cloud-access-token';
const PHONE_NUMBER_ID = '106540352242922';
const MAX_DOWNLOAD_BYTES = 64 * 1024;

type Attachment = { url?: string; failed?: { code: string; reason: string } };

/**
 * Server-side request forgery: the hub calls URLs that an administrator typed (a channel's API base) or that a
 * provider's answer named (a media download). Neither may make the hub reach the cloud metadata service, its own
 * loopback or the private network behind it, unless the operator listed that origin in HUB_ALLOWED_API_ORIGINS
 * (the tests list http://127.0.0.1:*, where the provider fakes listen; 127.0.0.2 and `localhost` are not listed).
 */
describe('Outbound URL guard', () => {
  let hub: TestHub;
  let admin: TestMember;
  let graph: WhatsAppCloudFake;
  // Stand for the internal services an attacker wants the hub to call: every hit is a forged request. One on
  // 127.0.0.2 (a private address nobody allowed), one on 127.0.0.1 reached by the name `localhost` (allowed is
  // the origin http://127.0.0.1:*, not whatever resolves there).
  let internal: HttpFake;
  let loopback: HttpFake;

  beforeAll(async () => {
    graph = await startWhatsAppCloudFake({ accessToken: ACCESS_TOKEN, phoneNumberId: PHONE_NUMBER_ID });
    internal = await startHttpFake(() => ({ status: 200, json: { secret: 'instance credentials' } }), '127.0.0.2');
    loopback = await startHttpFake(() => ({ status: 200, json: { secret: 'admin console' } }));
    hub = await startTestHub({ HUB_MAX_DOWNLOAD_BYTES: String(MAX_DOWNLOAD_BYTES) });
    admin = (await createTeam(hub)).admin;
  });

  afterAll(async () => {
    await hub?.stop();
    await graph?.close();
    await internal?.close();
    await loopback?.close();
  });

  const create = (type: string, provider: string, config: Record<string, unknown>) =>
    hub.http.post('/api/channels').set(admin.auth).send({ type, provider, name: 'Probe', config });

  const configs: [string, string, Record<string, unknown>][] = [
    ['sms', 'twilio', { accountSid: 'AC0123456789abcdef0123456789abcdef', authToken: 'twilio-auth-token-0123456789', from: '+15005550006' }],
    ['line', 'line', { channelSecret: 'line-secret', channelAccessToken: 'line-token' }],
    ['email', 'sendgrid', { apiKey: 'SG.key-0123456789abcdefghij', fromEmail: 'shop@example.com', inboundToken: 'inbound-token-0123456789' }],
    ['whatsapp', 'whatsapp-cloud', { accessToken: ACCESS_TOKEN, appSecret: APP_SECRET, verifyToken: 'verify-token-1', phoneNumberId: PHONE_NUMBER_ID }],
  ];

  describe('a channel API base', () => {
    // The cloud metadata service (credentials of the machine), its IPv4-mapped IPv6 spelling, the hub's own
    // loopback on a port other than the allowed origin's scheme, and a lookalike of a provider's host.
    const refused = ['http://169.254.169.254', 'http://[::ffff:169.254.169.254]/latest', 'https://127.0.0.1:8443', 'http://localhost:3000', 'https://api.twilio.com.evil.example'];

    it.each(configs)('refuses a %s/%s channel pointed at the metadata service or any unofficial origin, naming config.apiBaseUrl', async (type, provider, config) => {
      for (const apiBaseUrl of refused) {
        const response = await create(type, provider, { ...config, apiBaseUrl }).expect(400);
        expect(response.body).toMatchObject({ code: 'url_not_allowed', details: [expect.objectContaining({ field: 'config.apiBaseUrl' })] });
      }
    });

    it('refuses the same on an update, and LINE content from a private data API base', async () => {
      const channelId = (await create('line', 'line', configs[1][2]).expect(201)).body.id as string;
      const patch = await hub.http.patch(`/api/channels/${channelId}`).set(admin.auth).send({ config: { apiBaseUrl: 'http://169.254.169.254' } }).expect(400);
      expect(patch.body).toMatchObject({ code: 'url_not_allowed', details: [expect.objectContaining({ field: 'config.apiBaseUrl' })] });
      const data = await hub.http.patch(`/api/channels/${channelId}`).set(admin.auth).send({ config: { dataApiBaseUrl: 'http://10.0.0.8' } }).expect(400);
      expect(data.body).toMatchObject({ code: 'url_not_allowed', details: [expect.objectContaining({ field: 'config.dataApiBaseUrl' })] });
    });

    it("accepts the providers' official origins and an origin the operator allowed", async () => {
      await create('sms', 'twilio', { ...configs[0][2], apiBaseUrl: 'https://api.dublin.ie1.twilio.com' }).expect(201);
      await create('line', 'line', { ...configs[1][2], apiBaseUrl: 'https://api.line.me', dataApiBaseUrl: 'https://api-data.line.me' }).expect(201);
      await create('email', 'sendgrid', { ...configs[2][2], apiBaseUrl: 'https://api.eu.sendgrid.com' }).expect(201);
      await create('whatsapp', 'whatsapp-cloud', { ...configs[3][2], apiBaseUrl: 'https://graph.facebook.com/v23.0' }).expect(201);
      await create('whatsapp', 'whatsapp-cloud', { ...configs[3][2], apiBaseUrl: graph.apiBaseUrl }).expect(201);
    });

    // A clinic lists its reservation system's private address: the operator's list is the only way in.
    it('accepts the metadata address only on a hub whose operator allowed it', async () => {
      const allowing = await startTestHub({ HUB_ALLOWED_API_ORIGINS: 'http://169.254.169.254, http://127.0.0.1:*' });
      try {
        const owner = (await createTeam(allowing)).admin;
        await allowing.http
          .post('/api/channels')
          .set(owner.auth)
          .send({ type: 'sms', provider: 'twilio', name: 'Probe', config: { ...configs[0][2], apiBaseUrl: 'http://169.254.169.254' } })
          .expect(201);
      } finally {
        await allowing.stop();
      }
    });

    // A channel saved before the guard existed (or written around the API) still cannot reach a private address:
    // each SDK connects through the guard, which checks the address it is about to connect to.
    it.each(configs)('never lets the %s/%s sender reach a private address, by literal or by a name that resolves there', async (type, provider, config) => {
      const registry = hub.app.get(ChannelRegistry);
      const port = new URL(internal.url).port;
      for (const apiBaseUrl of [internal.url, `http://localhost:${new URL(loopback.url).port}`, `http://[::ffff:127.0.0.2]:${port}`]) {
        const { accessToken, channelAccessToken, authToken, apiKey, ...settings } = config;
        const account: ChannelAccount = {
          id: `probe-${provider}`,
          teamId: admin.teamId,
          type: type as ChannelType,
          provider: provider as ChannelProvider,
          name: 'Probe',
          active: true,
          settings: { ...settings, apiBaseUrl },
          secrets: Object.fromEntries(Object.entries({ accessToken, channelAccessToken, authToken, apiKey }).filter(([, v]) => v !== undefined)),
        };
        const result = await registry.get(account.provider).send(account, outbound(type === 'email' ? 'customer@example.com' : '+819012345678'));
        expect(result).toMatchObject({ ok: false, retry: false, code: 'url_not_allowed' });
      }
      expect(internal.requests).toHaveLength(0);
      expect(loopback.requests).toHaveLength(0);
    });
  });

  describe('a media download a provider points to', () => {
    let channelId: string;

    beforeAll(async () => {
      channelId = (await create('whatsapp', 'whatsapp-cloud', { ...configs[3][2], apiBaseUrl: graph.apiBaseUrl }).expect(201)).body.id;
    });

    /** An inbound image whose media the Graph fake says lies at `downloadUrl`; resolves to its attachment once settled. */
    async function imageFrom(downloadUrl: string | undefined, content = Buffer.from('a small picture')): Promise<{ messageId: string; attachment: Attachment }> {
      const mediaId = String(Date.now()) + randomBytes(3).readUIntBE(0, 3);
      graph.setMedia(mediaId, content, 'image/jpeg', downloadUrl);
      const wamid = `wamid.${randomBytes(12).toString('base64url')}`;
      const body = JSON.stringify({
        object: 'whatsapp_business_account',
        entry: [
          {
            id: '419561257915477',
            changes: [
              {
                field: 'messages',
                value: {
                  messaging_product: 'whatsapp',
                  metadata: { display_phone_number: '15550783881', phone_number_id: PHONE_NUMBER_ID },
                  contacts: [{ profile: { name: 'Sheena Nelson' }, wa_id: '16505551234' }],
                  messages: [{ from: '16505551234', id: wamid, timestamp: String(Math.floor(Date.now() / 1000)), type: 'image', image: { mime_type: 'image/jpeg', id: mediaId } }],
                },
              },
            ],
          },
        ],
      });
      await hub.http.post(`/webhooks/whatsapp/${channelId}`).set('content-type', 'application/json').set('x-hub-signature-256', signWhatsAppBody(APP_SECRET, body)).send(body).expect(200);
      const message = await eventually(
        () => hub.infra.db.message.findFirst({ where: { channelId, providerMessageId: wamid } }),
        (m) => {
          const attachment = (m?.attachments as Attachment[] | undefined)?.[0];
          return Boolean(attachment?.url || attachment?.failed);
        },
      );
      return { messageId: message!.id, attachment: (message!.attachments as Attachment[])[0] };
    }

    it('still fetches media from an allowed origin', async () => {
      const { attachment } = await imageFrom(undefined);
      expect(attachment.url).toBeDefined();
      const file = await hub.http.get(attachment.url!).set(admin.auth).expect(200);
      expect(file.body.toString()).toBe('a small picture');
    });

    it('never fetches a media URL on a private address: literal, IPv4-mapped, a name resolving there, or behind a redirect', async () => {
      const port = new URL(internal.url).port;
      // An allowed origin that answers with a redirect to the internal service.
      const bouncer = await startHttpFake(() => ({ status: 302, headers: { location: `${internal.url}/latest/meta-data/` } }));
      try {
        const names = [`${internal.url}/latest/meta-data/`, `http://[::ffff:127.0.0.2]:${port}/x`, `http://localhost:${new URL(loopback.url).port}/x`, `${bouncer.url}/bounce`];
        for (const url of names) {
          const { messageId, attachment } = await imageFrom(url);
          // The message is kept; its attachment says why it has no picture.
          expect(attachment).toMatchObject({ failed: { code: 'url_not_allowed', reason: expect.any(String) } });
          expect(attachment.url).toBeUndefined();
          expect(await hub.infra.db.message.count({ where: { id: messageId } })).toBe(1);
        }
        expect(bouncer.requests).toHaveLength(1);
      } finally {
        await bouncer.close();
      }
      expect(internal.requests).toHaveLength(0);
      expect(loopback.requests).toHaveLength(0);
    });

    // A hostile or broken media server streaming without end would fill the memory: the download stops at the cap.
    it('stops a download over the size cap, with or without a Content-Length, and keeps the message', async () => {
      const big = Buffer.alloc(MAX_DOWNLOAD_BYTES + 1, 1);
      const { attachment: declared } = await imageFrom(undefined, big);
      expect(declared).toMatchObject({ failed: { code: 'download_too_large', reason: expect.stringContaining('MB') } });
      const chunked = await startHttpFake(() => ({ status: 200, headers: { 'transfer-encoding': 'chunked', 'content-type': 'image/jpeg' }, body: big }));
      try {
        const { attachment } = await imageFrom(`${chunked.url}/stream`);
        expect(attachment).toMatchObject({ failed: { code: 'download_too_large' } });
      } finally {
        await chunked.close();
      }
    });
  });
});

function outbound(address: string): OutboundMessage {
  return {
    messageId: '0190f0f0-0000-7000-8000-000000000001',
    conversationId: '0190f0f0-0000-7000-8000-000000000002',
    to: { kind: address.includes('@') ? 'email' : 'phone', address },
    body: 'hello',
    attachments: [],
    author: { type: 'member', id: null, name: null },
    createdAt: new Date(),
    seq: '1',
  };
}
