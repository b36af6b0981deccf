import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { WHATSAPP_WEB_RUNTIME } from '../../src/channels/index.js';
import { startLineFake } from '../fakes/line-fake.js';
import type { LineFake } from '../fakes/line-fake.js';
import { startSendgridFake } from '../fakes/sendgrid-fake.js';
import type { SendgridFake } from '../fakes/sendgrid-fake.js';
import { startTwilioFake } from '../fakes/twilio-fake.js';
import type { TwilioFake } from '../fakes/twilio-fake.js';
import { startWhatsAppCloudFake } from '../fakes/whatsapp-cloud-fake.js';
import type { WhatsAppCloudFake } from '../fakes/whatsapp-cloud-fake.js';
import { fakeWhatsAppWebRuntime } from '../fakes/whatsapp-web-fake.js';
import { eventually } from '../support/eventually.js';
import { TestHub, TestMember, addMember, createTeam, createWebchat, startTestHub } from '../support/test-hub.js';

const LINE_TOKEN = 'line-check-access-token';
const ACCOUNT_SID = 'AC' + 'c'.repeat(32);
const OTHER_SID = 'AC' + 'd'.repeat(32);
const AUTH_TOKEN = 'twilio-check-auth-token';
const SENDGRID_KEY = 'SG.check-key-0123456789abcdef';
const SENDGRID_READ_ONLY_KEY = 'SG.read-only-key-0123456789abcdef';
const WA_TOKEN = 'whatsapp-check-token';
const PHONE_NUMBER_ID = '106540352242922';

/**
 * `POST /api/channels/:id/check`: each provider asked through its official SDK (or the Graph API) at the fake's
 * base URL, with the channel's stored credentials; a wrong credential is an answer with a stable code, not an error.
 */
describe('Channel check', () => {
  let hub: TestHub;
  let team: Awaited<ReturnType<typeof createTeam>>;
  let admin: TestMember;
  let line: LineFake;
  let twilio: TwilioFake;
  let sendgrid: SendgridFake;
  let sendgridReadOnly: SendgridFake;
  let cloud: WhatsAppCloudFake;
  const runtime = fakeWhatsAppWebRuntime(1_000);

  beforeAll(async () => {
    [line, twilio, sendgrid, sendgridReadOnly, cloud] = await Promise.all([
      startLineFake({ channelAccessToken: LINE_TOKEN, botName: 'つなぎ商店' }),
      startTwilioFake({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, friendlyName: 'Shop account' }),
      startSendgridFake({ apiKey: SENDGRID_KEY }),
      startSendgridFake({ apiKey: SENDGRID_READ_ONLY_KEY, scopes: ['user.profile.read'] }),
      startWhatsAppCloudFake({ accessToken: WA_TOKEN, phoneNumberId: PHONE_NUMBER_ID, verifiedName: 'Tsunagi Shop', displayPhoneNumber: '+81 3-1234-5678' }),
    ]);
    hub = await startTestHub({}, { providers: [{ provide: WHATSAPP_WEB_RUNTIME, useValue: runtime }] });
    team = await createTeam(hub);
    admin = team.admin;
  });

  afterAll(async () => {
    await hub?.stop();
    await Promise.all([line, twilio, sendgrid, sendgridReadOnly, cloud].map((fake) => fake?.close()));
  });

  async function channel(type: string, provider: string, config: Record<string, unknown>, by = admin): Promise<string> {
    return (await hub.http.post('/api/channels').set(by.auth).send({ type, provider, name: `${provider} check`, config }).expect(201)).body.id;
  }
  async function check(channelId: string, by = admin) {
    return (await hub.http.post(`/api/channels/${channelId}/check`).set(by.auth).expect(200)).body;
  }
  const lineConfig = (token: string, apiBaseUrl = line.url) => ({ channelSecret: 'line-channel-secret', channelAccessToken: token, apiBaseUrl });
  const twilioConfig = (accountSid: string, authToken: string) => ({ accountSid, authToken, from: '+15005550006', apiBaseUrl: twilio.url });
  const sendgridConfig = (apiKey: string, fake: SendgridFake) => ({ apiKey, fromEmail: 'support@shop.example.jp', inboundToken: 'inbound-token-check-0123456789', apiBaseUrl: fake.url });
  const cloudConfig = (accessToken: string, phoneNumberId: string) => ({ accessToken, appSecret: 'app-secret-check', verifyToken: 'verify-check', phoneNumberId, apiBaseUrl: cloud.apiBaseUrl });

  describe('LINE (GET /v2/bot/info)', () => {
    it('names the bot when the channel access token works', async () => {
      const result = await check(await channel('line', 'line', lineConfig(LINE_TOKEN)));
      expect(result).toEqual({
        ok: true,
        code: 'ok',
        message: expect.stringContaining('つなぎ商店'),
        account: 'つなぎ商店 (@123abcde)',
        providerStatus: null,
        providerMessage: null,
        checkedAt: expect.any(String),
      });
      expect(line.requests.some((r) => r.method === 'GET' && r.path === '/v2/bot/info')).toBe(true);
    });

    it('says the token is refused, with LINE’s own message', async () => {
      const result = await check(await channel('line', 'line', lineConfig('a-revoked-token')));
      expect(result).toMatchObject({ ok: false, code: 'credentials_refused', account: null, providerStatus: 401, providerMessage: expect.stringContaining('Authentication failed') });
      expect(result.message).toContain('channel access token');
    });

    // Nothing answers on the port: the check says so instead of failing the request.
    it('says LINE could not be reached when nothing answers at the API address', async () => {
      const result = await check(await channel('line', 'line', lineConfig(LINE_TOKEN, 'http://127.0.0.1:9')));
      expect(result).toMatchObject({ ok: false, code: 'provider_unreachable', providerStatus: null });
    });
  });

  describe('Twilio (accounts(sid).fetch())', () => {
    it('names the account when the SID and auth token work', async () => {
      const result = await check(await channel('sms', 'twilio', twilioConfig(ACCOUNT_SID, AUTH_TOKEN)));
      expect(result).toMatchObject({ ok: true, code: 'ok', account: 'Shop account' });
      expect(twilio.requests.some((r) => r.method === 'GET' && r.path === `/2010-04-01/Accounts/${ACCOUNT_SID}.json`)).toBe(true);
    });

    it('says the auth token is refused (Twilio 20003)', async () => {
      const result = await check(await channel('sms', 'twilio', twilioConfig(ACCOUNT_SID, 'not-the-auth-token')));
      expect(result).toMatchObject({ ok: false, code: 'credentials_refused', providerStatus: 401, providerMessage: 'Authenticate' });
    });

    it('refuses an account SID the credentials do not open', async () => {
      const result = await check(await channel('sms', 'twilio', twilioConfig(OTHER_SID, AUTH_TOKEN)));
      expect(result).toMatchObject({ ok: false, code: 'credentials_refused', providerStatus: 401 });
    });
  });

  describe('SendGrid (GET /v3/scopes)', () => {
    it('accepts a key with Mail Send access', async () => {
      const result = await check(await channel('email', 'sendgrid', sendgridConfig(SENDGRID_KEY, sendgrid)));
      expect(result).toMatchObject({ ok: true, code: 'ok', account: 'support@shop.example.jp' });
      expect(sendgrid.requests.some((r) => r.method === 'GET' && r.path === '/v3/scopes')).toBe(true);
    });

    it('says the key is refused, with SendGrid’s message', async () => {
      const result = await check(await channel('email', 'sendgrid', sendgridConfig('SG.wrong-key-0123456789abcdef', sendgrid)));
      expect(result).toMatchObject({ ok: false, code: 'credentials_refused', providerStatus: 401, providerMessage: expect.stringContaining('authorization grant is invalid') });
    });

    it('says a valid key lacks the mail.send permission', async () => {
      const result = await check(await channel('email', 'sendgrid', sendgridConfig(SENDGRID_READ_ONLY_KEY, sendgridReadOnly)));
      expect(result).toMatchObject({ ok: false, code: 'permission_missing', message: expect.stringContaining('mail.send') });
    });
  });

  describe('WhatsApp Cloud (GET /{phone-number-id})', () => {
    it('names the number when the access token works', async () => {
      const result = await check(await channel('whatsapp', 'whatsapp-cloud', cloudConfig(WA_TOKEN, PHONE_NUMBER_ID)));
      expect(result).toMatchObject({ ok: true, code: 'ok', account: 'Tsunagi Shop +81 3-1234-5678' });
    });

    it('says the access token is refused (Graph API code 190)', async () => {
      const result = await check(await channel('whatsapp', 'whatsapp-cloud', cloudConfig('expired-token', PHONE_NUMBER_ID)));
      expect(result).toMatchObject({ ok: false, code: 'credentials_refused', providerStatus: 401, providerMessage: expect.stringContaining('access token') });
    });

    it('says the phone number ID is not found (Graph API code 100)', async () => {
      const result = await check(await channel('whatsapp', 'whatsapp-cloud', cloudConfig(WA_TOKEN, '999999999999999')));
      expect(result).toMatchObject({ ok: false, code: 'not_found', providerStatus: 400, providerMessage: expect.stringContaining('does not exist') });
      expect(result.message).toContain('phone number ID');
    });
  });

  it('answers web chat from the hub itself', async () => {
    expect(await check(await createWebchat(hub, admin))).toMatchObject({ ok: true, code: 'ok' });
  });

  it('answers WhatsApp Web from its session: not paired until the phone is linked', async () => {
    const made = runtime.clients.length;
    const channelId = await channel('whatsapp', 'whatsapp-web', { sessionName: 'check' });
    await eventually(async () => runtime.clients.length, (n) => n > made);
    const client = runtime.clients.at(-1)!;
    expect(await check(channelId)).toMatchObject({ ok: false, code: 'not_paired' });
    client.emit('ready');
    await eventually(() => check(channelId), (result) => result.ok === true);
  });

  // Every route with an id: another team's channel is not found, and only administrators check.
  it('finds no channel of another team, and refuses agents', async () => {
    const other = await createTeam(hub);
    const theirs = await channel('line', 'line', lineConfig(LINE_TOKEN), other.admin);
    const refused = await hub.http.post(`/api/channels/${theirs}/check`).set(admin.auth).expect(404);
    expect(refused.body.code).toBe('not_found');

    const ours = await createWebchat(hub, admin);
    const agent = await addMember(hub, team);
    const forbidden = await hub.http.post(`/api/channels/${ours}/check`).set(agent.auth).expect(403);
    expect(forbidden.body.code).toBe('forbidden');
    await hub.http.post(`/api/channels/${ours}/check`).expect(401);
  });
});
