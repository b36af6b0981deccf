import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHmac } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import request from 'supertest';
import { inboundParseBody } from '../fakes/sendgrid-fake.js';
import { formBody, signTwilioForm } from '../fakes/twilio-fake.js';
import { startHubProcess } from '../support/hub-process.js';
import type { HubProcess } from '../support/hub-process.js';

const MODULE_LOG = fileURLToPath(new URL('../support/module-log.mjs', import.meta.url));
// Without PUBLIC_URL the hub takes itself to be http://localhost:<PORT>, the address Twilio's signature covers.
const PUBLIC_URL = 'http://localhost:0';

/**
 * The packages a hub loads only once a channel needs them: each is megabytes of resident memory and hundreds of
 * modules, which a hub without such a channel (and every test that starts one) would otherwise carry.
 */
const ON_DEMAND = {
  twilio: /\/node_modules\/twilio\//,
  sendgrid: /\/node_modules\/@sendgrid\//,
  line: /\/node_modules\/@line\/bot-sdk\//,
  // (busboy, iconv-lite and encoding-japanese, which read the multipart post, stay: a few hundred kilobytes.)
  mailParsing: /\/node_modules\/(mailparser|sanitize-html|html-to-text)\//,
  smtp: /\/node_modules\/nodemailer\//,
  qrCodes: /\/node_modules\/qrcode\//,
  whatsappWeb: /\/node_modules\/whatsapp-web\.js\//,
};

// Guards the regression of a top-level `import twilio from 'twilio'` (or any provider SDK) coming back: the hub's
// idle memory grew by tens of megabytes for channels it did not have.
describe('provider SDKs', () => {
  let dir: string;
  let hub: HubProcess;
  let auth: Record<string, string>;
  const logFile = () => join(dir, 'modules.log');
  const loaded = async () => (await readFile(logFile(), 'utf8')).split('\n').filter(Boolean);
  const loadedOf = async (pattern: RegExp) => (await loaded()).filter((url) => pattern.test(url));

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tsunagi-sdks-'));
    // Every module passes through the recording hook: the start takes longer than a plain one.
    hub = await startHubProcess({ HUB_DATA_DIR: dir, PORT: '0', MODULE_LOG_FILE: logFile() }, 150_000, ['--import', MODULE_LOG]);
    const session = await request(hub.url).post('/api/auth/login').send({ email: hub.login.email, password: hub.login.password }).expect(200);
    auth = { Authorization: `Bearer ${session.body.accessToken}` };
  }, 180_000);

  afterAll(async () => {
    await hub?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const channel = async (body: Record<string, unknown>) => (await request(hub.url).post('/api/channels').set(auth).send(body).expect(201)).body.id as string;

  it('are not loaded by a hub that has no channel of theirs, even with channels of theirs created', async () => {
    expect((await loaded()).some((url) => url.endsWith('/dist/app.module.js'))).toBe(true);
    await channel({ type: 'sms', provider: 'twilio', name: 'SMS', config: { accountSid: `AC${'a'.repeat(32)}`, authToken: 'twilio-auth-token-0123456789', from: '+15005550006' } });
    for (const [name, pattern] of Object.entries(ON_DEMAND)) {
      expect({ name, loaded: await loadedOf(pattern) }).toEqual({ name, loaded: [] });
    }
  });

  it('loads Twilio’s SDK for the first webhook of a Twilio channel, which it then takes', async () => {
    const authToken = 'twilio-auth-token-abcdefghij';
    const id = await channel({ type: 'sms', provider: 'twilio', name: 'SMS 2', config: { accountSid: `AC${'b'.repeat(32)}`, authToken, from: '+15005550007' } });
    const path = `/webhooks/twilio/${id}`;
    const params = { MessageSid: `SM${'1'.repeat(32)}`, AccountSid: `AC${'b'.repeat(32)}`, From: '+819012345678', To: '+15005550007', Body: 'こんにちは', NumMedia: '0' };
    await request(hub.url)
      .post(path)
      .set({ 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signTwilioForm(authToken, `${PUBLIC_URL}${path}`, params) })
      .send(formBody(params))
      .expect(200);
    expect(await loadedOf(ON_DEMAND.twilio)).not.toEqual([]);
  });

  it('loads LINE’s SDK to check a LINE webhook’s signature', async () => {
    const channelSecret = 'line-channel-secret-0123';
    const id = await channel({ type: 'line', provider: 'line', name: 'LINE', config: { channelSecret, channelAccessToken: 'token' } });
    const body = JSON.stringify({ destination: 'U0', events: [] });
    await request(hub.url)
      .post(`/webhooks/line/${id}`)
      .set({ 'content-type': 'application/json', 'x-line-signature': createHmac('sha256', channelSecret).update(body).digest('base64') })
      .send(body)
      .expect(200);
    expect(await loadedOf(ON_DEMAND.line)).not.toEqual([]);
  });

  it('loads the mail parsing packages for the first mail an email channel receives', async () => {
    const inboundToken = 'sendgrid-inbound-token-0123';
    const id = await channel({ type: 'email', provider: 'sendgrid', name: 'Mail', config: { apiKey: `SG.${'k'.repeat(30)}`, fromEmail: 'support@shop.example.jp', inboundToken } });
    const { body, contentType } = inboundParseBody([
      { name: 'headers', value: 'From: yamada@example.jp\r\nMessage-ID: <lazy@example.jp>' },
      { name: 'from', value: 'yamada@example.jp' },
      { name: 'text', value: 'hello' },
      { name: 'html', value: '<p>hello</p>' },
    ]);
    await request(hub.url).post(`/webhooks/sendgrid/${id}/inbound?token=${inboundToken}`).set('content-type', contentType).send(body).expect(200);
    expect(await loadedOf(ON_DEMAND.mailParsing)).not.toEqual([]);
  });
});
