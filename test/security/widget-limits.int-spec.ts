import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startSendgridFake } from '../fakes/sendgrid-fake.js';
import type { SendgridFake } from '../fakes/sendgrid-fake.js';
import { eventually } from '../support/eventually.js';
import { collect, connect, emitWithAck, sessionOf, socketPool } from '../support/sockets.js';
import { TestHub, TestMember, createTeam, createWebchat, startTestHub } from '../support/test-hub.js';

const API_KEY = 'SG.widget-limits-key-0123456789';

interface Ack {
  ok: boolean;
  code?: string;
  retryAfterSeconds?: number;
  conversationId?: string;
  email?: string;
}

/** Abuse limits on the widget (issue 16): a script on one address cannot flood a team, nor relay mail through it. */
describe('Widget abuse limits', () => {
  let hub: TestHub;
  let fake: SendgridFake;
  const { open, closeAll } = socketPool();

  beforeAll(async () => {
    fake = await startSendgridFake({ apiKey: API_KEY });
    hub = await startTestHub();
  });

  afterAll(async () => {
    closeAll();
    await hub?.stop();
    await fake?.close();
  });

  async function shop(settings: Record<string, unknown> = {}): Promise<{ admin: TestMember; channelId: string }> {
    const { admin } = await createTeam(hub);
    if (Object.keys(settings).length > 0) await hub.http.patch('/api/teams/current').set(admin.auth).send({ settings }).expect(200);
    return { admin, channelId: await createWebchat(hub, admin) };
  }

  async function visitor(channelId: string) {
    const socket = await open(hub.url, '/widget', { channelId });
    await sessionOf(socket);
    return socket;
  }

  // Guards: a script opening sessions in a loop from one address (each one a contact, a socket and a room).
  it('refuses the 21st new widget session in a minute from one address with rate_limited and retryAfterSeconds', async () => {
    const { channelId } = await shop();
    for (let i = 0; i < 20; i++) await visitor(channelId);
    const refused = await connect(hub.url, '/widget', { channelId }).then(
      () => null,
      (error: Error & { data?: { code: string; retryAfterSeconds: number } }) => error.data,
    );
    expect(refused).toMatchObject({ code: 'rate_limited', retryAfterSeconds: expect.any(Number) });
    expect(refused!.retryAfterSeconds).toBeGreaterThan(0);
    expect(refused!.retryAfterSeconds).toBeLessThanOrEqual(60);
  });

  // Guards: the team's own setting is what counts (a busy shop behind one office address raises it).
  it('takes the team’s own session limit', async () => {
    const { channelId } = await shop({ widgetLimits: { sessionsPerMinute: 2 } });
    await visitor(channelId);
    await visitor(channelId);
    await expect(connect(hub.url, '/widget', { channelId })).rejects.toMatchObject({ data: { code: 'rate_limited' } });
  });

  // Guards: one visitor flooding the inbox with messages; the refused one must not be stored, none below the limit lost.
  it('stores the first 30 messages of a minute and refuses the 31st without storing it', async () => {
    const { channelId } = await shop();
    const flooder = await visitor(channelId);
    const acks: Ack[] = [];
    for (let i = 0; i < 30; i++) acks.push(await emitWithAck<Ack>(flooder, 'message', { body: `message ${i}`, clientId: `flood-${String(i).padStart(4, '0')}` }));
    expect(acks.every((ack) => ack.ok)).toBe(true);
    const refused = await emitWithAck<Ack>(flooder, 'message', { body: 'one too many', clientId: 'flood-0030' });
    expect(refused).toMatchObject({ ok: false, code: 'rate_limited', retryAfterSeconds: expect.any(Number) });
    const stored = await hub.infra.db.message.findMany({ where: { channelId }, select: { body: true } });
    expect(stored).toHaveLength(30);
    expect(stored.map((m) => m.body)).not.toContain('one too many');
  });

  // Guards: many visitor ids from one address (a script that drops its id each time) sharing one budget.
  it('counts messages per address too', async () => {
    const { channelId } = await shop({ widgetLimits: { messagesPerMinute: 3 } });
    const one = await visitor(channelId);
    const two = await visitor(channelId);
    expect(await emitWithAck<Ack>(one, 'message', { body: 'a' })).toMatchObject({ ok: true });
    expect(await emitWithAck<Ack>(two, 'message', { body: 'b' })).toMatchObject({ ok: true });
    expect(await emitWithAck<Ack>(one, 'message', { body: 'c' })).toMatchObject({ ok: true });
    expect(await emitWithAck<Ack>(two, 'message', { body: 'd' })).toMatchObject({ ok: false, code: 'rate_limited' });
  });

  // Guards: typing frames as a cheap amplifier: every frame is fanned out to every agent socket of the team.
  it('drops typing frames beyond two a second silently', async () => {
    const { admin, channelId } = await shop();
    const agentSocket = await open(hub.url, '/inbox', { token: admin.token });
    const typist = await visitor(channelId);
    await emitWithAck(typist, 'message', { body: 'hi' });
    const seen = collect<{ draft: string }>(agentSocket, 'typing');
    const acks = await Promise.all(Array.from({ length: 40 }, (_, i) => emitWithAck<Ack>(typist, 'typing', { draft: `d${i}` })));
    expect(acks.every((ack) => ack.ok)).toBe(true);
    await emitWithAck(typist, 'message', { body: 'sync' });
    await eventually(async () => (await hub.infra.db.message.count({ where: { channelId, body: 'sync' } })) === 1, (done) => done);
    // Two a second: a burst that happens to straddle the start of a second gets at most two windows' worth.
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.length).toBeLessThanOrEqual(4);
  });

  // Guards: the transcript as an open mail relay (any text to any address) and as a mail bomb (many to one).
  it('mails a transcript only to an address the visitor gave and proved, at most three times a day per conversation', async () => {
    const { admin, channelId } = await shop();
    await hub.http
      .post('/api/channels')
      .set(admin.auth)
      .send({ type: 'email', provider: 'sendgrid', name: 'Support', config: { apiKey: API_KEY, fromEmail: 'support@shop.example.jp', inboundToken: 'limits-token-0123456789', apiBaseUrl: fake.url } })
      .expect(201);
    const person = await visitor(channelId);
    await emitWithAck(person, 'message', { body: 'spam text for the victim' });
    const relay = await emitWithAck<Ack>(person, 'transcript', { email: 'victim@elsewhere.example' });
    expect(relay).toMatchObject({ ok: false, code: 'transcript_address_not_given' });

    // A typed address is only a claim: the first ask mails it a code (and nothing else); with the code, it is the visitor's.
    expect(await emitWithAck<Ack>(person, 'identify', { email: 'me@customer.example' })).toMatchObject({ ok: true });
    expect(await emitWithAck<Ack>(person, 'transcript', { email: 'me@customer.example' })).toMatchObject({ ok: false, code: 'address_unproven' });
    const [codeMail] = await eventually(async () => fake.sent.filter((m) => m.body.personalizations[0].to[0].email === 'me@customer.example'), (mails) => mails.length === 1);
    const code = /\b(\d{6})\b/.exec(codeMail.body.content?.map((part) => part.value).join('\n') ?? '')?.[1];
    expect(await emitWithAck<Ack>(person, 'prove', { code })).toMatchObject({ ok: true });
    for (let i = 0; i < 3; i++) expect(await emitWithAck<Ack>(person, 'transcript', { email: 'ME@customer.example' })).toMatchObject({ ok: true, email: 'me@customer.example' });
    expect(await emitWithAck<Ack>(person, 'transcript', { email: 'me@customer.example' })).toMatchObject({ ok: false, code: 'rate_limited', retryAfterSeconds: expect.any(Number) });
    // The code, then three transcripts.
    await eventually(async () => fake.sent.filter((m) => m.body.personalizations[0].to[0].email === 'me@customer.example').length, (n) => n === 4);
    expect(fake.sent.some((m) => m.body.personalizations[0].to[0].email === 'victim@elsewhere.example')).toBe(false);
  });

  // Guards: a page (or a script) posting shopper events in a loop, each with a visitor id of its own making.
  it('answers shopper events beyond the limit with 429, retryAfterSeconds and Retry-After', async () => {
    const { channelId } = await shop();
    const visitorId = 'shopper-limit-visitor-0001';
    const send = () => hub.http.post(`/api/widget/${channelId}/events`).send({ visitorId, type: 'page_view', url: 'https://shop.example/' });
    const answers = await Promise.all(Array.from({ length: 80 }, () => send()));
    expect(answers.filter((a) => a.status === 202)).toHaveLength(60);
    const refused = answers.find((a) => a.status === 429)!;
    expect(refused.body).toMatchObject({ code: 'rate_limited', retryAfterSeconds: expect.any(Number) });
    expect(Number(refused.headers['retry-after'])).toBe(refused.body.retryAfterSeconds);
    expect(await hub.infra.db.shopperEvent.count({ where: { channelId, visitorId } })).toBe(60);
  });

  // Guards: with proof on, a typed address is not enough for a transcript either: it must be proved first.
  it('mails a transcript to an unproven address only after the proof when the team asks for proof', async () => {
    const { admin, channelId } = await shop({ visitorProof: 'code' });
    await hub.http
      .post('/api/channels')
      .set(admin.auth)
      .send({ type: 'email', provider: 'sendgrid', name: 'Support', config: { apiKey: API_KEY, fromEmail: 'support@shop.example.jp', inboundToken: 'limits-token-9876543210', apiBaseUrl: fake.url } })
      .expect(201);
    const person = await visitor(channelId);
    await emitWithAck(person, 'message', { body: 'hello' });
    await emitWithAck(person, 'identify', { email: 'prover@customer.example' });
    expect(await emitWithAck<Ack>(person, 'transcript', { email: 'prover@customer.example' })).toMatchObject({ ok: false, code: 'address_unproven' });
  });
});
