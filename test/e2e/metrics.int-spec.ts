import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import type { Socket } from 'socket.io-client';
import { formBody, signTwilioForm, startTwilioFake } from '../fakes/twilio-fake.js';
import type { TwilioFake } from '../fakes/twilio-fake.js';
import type { Params } from '../fakes/http-fake.js';
import { eventually } from '../support/eventually.js';
import { connect, sleep } from '../support/sockets.js';
import { TestHub, TestMember, createTeam, startTestHub } from '../support/test-hub.js';
import { metricValue as valueOf } from '../support/metrics-text.js';

const PUBLIC_URL = 'https://hub.example.test';
const ACCOUNT_SID = 'AC' + 'b'.repeat(32);
const AUTH_TOKEN = 'twilio-auth-token-metrics-0123';
const METRICS_TOKEN = 'metrics-token-0123456789abcdef';

let sidCounter = 0;
const newSid = () => `SM${(Date.now().toString(16) + (sidCounter++).toString(16)).padStart(32, '0')}`;

describe('GET /metrics', () => {
  let fake: TwilioFake;

  beforeAll(async () => {
    fake = await startTwilioFake({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
  });

  afterAll(async () => {
    await fake?.close();
  });

  describe('without HUB_METRICS_TOKEN', () => {
    let hub: TestHub;
    let admin: TestMember;
    let sms: string;
    let agent: Socket;

    beforeAll(async () => {
      // The hub trusts the proxy on loopback, so a forwarded address stands for a client elsewhere.
      // On the embedded database: its one connection is what the pool gauges show here (the service suite reads PostgreSQL's pool).
      hub = await startTestHub({ PUBLIC_URL, HUB_TRUST_PROXY: '127.0.0.1' }, { embedded: true });
      admin = (await createTeam(hub)).admin;
      const config = { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, apiBaseUrl: fake.url, sendsPerSecond: 200, from: '+15005550006' };
      sms = (await hub.http.post('/api/channels').set(admin.auth).send({ type: 'sms', provider: 'twilio', name: 'SMS', config }).expect(201)).body.id;
      agent = await connect(hub.url, '/inbox', { token: admin.token });
    });

    afterAll(async () => {
      agent?.close();
      await hub?.stop();
    });

    function webhook(params: Params, signature?: string) {
      const path = `/webhooks/twilio/${sms}`;
      return request(hub.url)
        .post(path)
        .set('content-type', 'application/x-www-form-urlencoded')
        .set('x-twilio-signature', signature ?? signTwilioForm(AUTH_TOKEN, PUBLIC_URL + path, params))
        .send(formBody(params));
    }

    const inbound = (body: string): Params => ({ MessageSid: newSid(), AccountSid: ACCOUNT_SID, From: '+15005550001', To: '+15005550006', Body: body, NumMedia: '0' });

    it('counts signed webhooks and refusals, times the stored ones, and reads the gauges', async () => {
      const before = (await hub.http.get('/metrics').expect(200)).text;
      expect(valueOf(before, 'tsunagi_webhooks_total{provider="twilio",outcome="stored"}')).toBeUndefined();

      await webhook(inbound('こんにちは')).expect(200);
      await webhook(inbound('まだですか')).expect(200);
      await webhook(inbound('forged'), 'bm90IGEgc2lnbmF0dXJl').expect(401);
      await request(hub.url).post('/webhooks/nobody/0190a0b0-0000-7000-8000-000000000000').send({}).expect(404);

      const scraped = await hub.http.get('/metrics').expect(200);
      expect(scraped.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
      const text = scraped.text;
      expect(valueOf(text, 'tsunagi_webhooks_total{provider="twilio",outcome="stored"}')).toBe(2);
      expect(valueOf(text, 'tsunagi_webhooks_total{provider="twilio",outcome="signature_invalid"}')).toBe(1);
      // The route segment is the caller's: an unknown provider is not a label of its own.
      expect(text).not.toContain('provider="nobody"');
      expect(valueOf(text, 'tsunagi_webhook_ingest_seconds_count{provider="twilio"}')).toBe(2);
      expect(valueOf(text, 'tsunagi_webhook_ingest_seconds_sum{provider="twilio"}')).toBeGreaterThan(0);
      expect(valueOf(text, 'tsunagi_outbox_deliveries{state="pending"}')).toBe(0);
      expect(valueOf(text, 'tsunagi_offers_pending')).toBeGreaterThanOrEqual(0);
      expect(valueOf(text, 'tsunagi_report_posts_pending')).toBe(0);
      expect(valueOf(text, 'tsunagi_sockets{namespace="/inbox"}')).toBe(1);
      expect(valueOf(text, 'tsunagi_db_pool_connections{database="embedded",state="max"}')).toBe(1);
      expect(valueOf(text, 'tsunagi_db_pool_waiting_queries{database="embedded"}')).toBeGreaterThanOrEqual(0);
      expect(text).toMatch(/^tsunagi_job_queue_jobs\{queue="[^"]+",state="waiting"\} \d+$/m);
      expect(text).toMatch(/^tsunagi_job_queue_oldest_waiting_seconds\{queue="[^"]+"\} [\d.e-]+$/m);
      expect(valueOf(text, 'nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
    });

    it('counts a reply the outbox sent, and reads the outbox empty again', async () => {
      const params = inbound('返信をください');
      await webhook(params).expect(200);
      const { conversationId } = await hub.infra.db.message.findFirstOrThrow({ where: { channelId: sms, eventKey: String(params.MessageSid) } });
      const reply = await hub.http.post(`/api/conversations/${conversationId}/messages`).set(admin.auth).send({ body: 'お待たせしました' }).expect(201);
      await eventually(() => hub.infra.db.delivery.findUniqueOrThrow({ where: { messageId: reply.body.id } }), (delivery) => delivery.state === 'done');
      // Scrapes within a second of a read share it; polled gently, as the scrapes count against the route's limit.
      const text = await eventually(
        async () => {
          await sleep(150);
          return (await hub.http.get('/metrics').expect(200)).text;
        },
        (t) => valueOf(t, 'tsunagi_deliveries_total{outcome="sent"}') === 1 && valueOf(t, 'tsunagi_outbox_deliveries{state="pending"}') === 0,
      );
      expect(valueOf(text, 'tsunagi_outbox_deliveries{state="failed"}')).toBe(0);
    });

    // Guards the default: a hub on a public address with no settings must not show its figures to anyone.
    it('serves loopback clients only, and tells others how to enable it', async () => {
      await hub.http.get('/metrics').expect(200);
      const remote = await hub.http.get('/metrics').set('x-forwarded-for', '203.0.113.7').expect(403);
      expect(remote.body).toMatchObject({ code: 'metrics_token_not_set' });
      expect(remote.body.message).toContain('HUB_METRICS_TOKEN');
      await hub.http.get('/metrics').set('x-forwarded-for', '::1').expect(200);
    });

    it('limits scrapes per client address', async () => {
      const from = '198.51.100.9';
      const answers = [];
      for (let i = 0; i < 121; i += 1) answers.push((await hub.http.get('/metrics').set('x-forwarded-for', from)).status);
      expect(answers.slice(0, 120).every((status) => status === 403)).toBe(true);
      expect(answers[120]).toBe(429);
    });
  });

  describe('with HUB_METRICS_TOKEN', () => {
    let hub: TestHub;

    beforeAll(async () => {
      hub = await startTestHub({ HUB_METRICS_TOKEN: METRICS_TOKEN, HUB_TRUST_PROXY: '127.0.0.1' });
    });

    afterAll(async () => {
      await hub?.stop();
    });

    it('asks every client for the bearer token, loopback included', async () => {
      expect((await hub.http.get('/metrics').expect(401)).body).toMatchObject({ code: 'metrics_token_required' });
      await hub.http.get('/metrics').set('authorization', `Bearer ${METRICS_TOKEN}x`).expect(401);
      await hub.http.get('/metrics').set('authorization', 'Bearer short').expect(401);
      await hub.http.get('/metrics').set('authorization', METRICS_TOKEN).expect(401);
      const ok = await hub.http.get('/metrics').set('authorization', `Bearer ${METRICS_TOKEN}`).set('x-forwarded-for', '203.0.113.7').expect(200);
      expect(ok.text).toContain('# TYPE tsunagi_webhooks_total counter');
    });
  });
});
