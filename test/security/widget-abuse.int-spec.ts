import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { VisitorClaimsService } from '../../src/conversations/visitor-claims.service.js';
import { startSendgridFake } from '../fakes/sendgrid-fake.js';
import type { SendgridFake, SentMail } from '../fakes/sendgrid-fake.js';
import { eventually } from '../support/eventually.js';
import { collect, connect, emitWithAck, sessionOf, socketPool } from '../support/sockets.js';
import { TestHub, TestMember, createTeam, createWebchat, startTestHub } from '../support/test-hub.js';

const API_KEY = 'SG.widget-abuse-key-0123456789';

interface Ack {
  ok: boolean;
  code?: string;
  retryAfterSeconds?: number;
  conversationId?: string;
  email?: string;
  proof?: { kind: string; sent: boolean; retryAfterSeconds?: number } | null;
}

/** What a script on the open internet can make a team's widget do (issue 16): mail, SMS, rows and fan-out, each rationed. */
describe('Widget abuse through frames without a budget', () => {
  let hub: TestHub;
  let fake: SendgridFake;
  const { open, closeAll } = socketPool();
  let tokens = 0;

  beforeAll(async () => {
    fake = await startSendgridFake({ apiKey: API_KEY });
    hub = await startTestHub();
  });

  afterAll(async () => {
    closeAll();
    await hub?.stop();
    await fake?.close();
  });

  async function shop(withEmail = false): Promise<{ admin: TestMember; channelId: string }> {
    const { admin } = await createTeam(hub);
    if (withEmail) {
      await hub.http
        .post('/api/channels')
        .set(admin.auth)
        .send({ type: 'email', provider: 'sendgrid', name: 'Support', config: { apiKey: API_KEY, fromEmail: 'support@shop.example.jp', inboundToken: `abuse-token-${tokens++}-0123456789`, apiBaseUrl: fake.url } })
        .expect(201);
    }
    return { admin, channelId: await createWebchat(hub, admin) };
  }

  async function visitor(channelId: string) {
    const socket = await open(hub.url, '/widget', { channelId });
    await sessionOf(socket);
    return socket;
  }

  const mailTo = (address: string): SentMail[] => fake.sent.filter((m) => m.body.personalizations[0].to[0].email === address);
  const textOf = (mail: SentMail) => mail.body.content?.map((part) => part.value).join('\n') ?? '';
  const isCode = (mail: SentMail) => (mail.body.subject ?? mail.body.personalizations[0].subject ?? '').includes('確認コード');
  const codeIn = (mail: SentMail) => /\b(\d{6})\b/.exec(textOf(mail))?.[1];

  // Guards: the transcript as a mail relay in the default (proposal) mode: a script identifies with a victim's
  // address, writes its text in the chat and has the hub mail it to the victim. Only a proof code may go there.
  it('mails a transcript to a typed address only after the visitor proved it, sending the code first', async () => {
    const { channelId } = await shop(true);
    const script = await visitor(channelId);
    await emitWithAck(script, 'message', { body: 'Buy cheap watches at spam.example' });
    expect(await emitWithAck<Ack>(script, 'identify', { email: 'victim@elsewhere.example' })).toMatchObject({ ok: true });
    expect(await emitWithAck<Ack>(script, 'transcript', { email: 'victim@elsewhere.example' })).toMatchObject({ ok: false, code: 'address_unproven' });
    const [codeMail] = await eventually(async () => mailTo('victim@elsewhere.example'), (mails) => mails.length >= 1);
    expect(isCode(codeMail)).toBe(true);
    expect(textOf(codeMail)).not.toContain('spam.example');

    // The address's owner, with the code, gets the transcript.
    expect(await emitWithAck<Ack>(script, 'prove', { code: codeIn(codeMail) })).toMatchObject({ ok: true });
    expect(await emitWithAck<Ack>(script, 'transcript', { email: 'victim@elsewhere.example' })).toMatchObject({ ok: true, email: 'victim@elsewhere.example' });
    await eventually(async () => mailTo('victim@elsewhere.example'), (mails) => mails.length === 2);
  });

  // Guards: a mail bomb of transcripts to one address: the per-conversation limit alone is no limit, since every
  // new session makes a new conversation.
  it('mails at most five transcripts a day to one address, across conversations', async () => {
    const { channelId } = await shop(true);
    const address = 'inbox@target.example';
    const proved = async () => {
      const person = await visitor(channelId);
      await emitWithAck(person, 'message', { body: 'hello' });
      await emitWithAck(person, 'identify', { email: address });
      // The default mode sends no code on identify; asking for the transcript does.
      await emitWithAck<Ack>(person, 'transcript', { email: address });
      const mails = await eventually(async () => mailTo(address).filter(isCode), (found) => found.length >= 1);
      expect(await emitWithAck<Ack>(person, 'prove', { code: codeIn(mails[mails.length - 1]) })).toMatchObject({ ok: true });
      return person;
    };
    const first = await proved();
    for (let i = 0; i < 3; i++) expect(await emitWithAck<Ack>(first, 'transcript', { email: address })).toMatchObject({ ok: true });
    const second = await proved();
    for (let i = 0; i < 2; i++) expect(await emitWithAck<Ack>(second, 'transcript', { email: address })).toMatchObject({ ok: true });
    expect(await emitWithAck<Ack>(second, 'transcript', { email: address })).toMatchObject({ ok: false, code: 'rate_limited', retryAfterSeconds: expect.any(Number) });
  });

  // Guards: mail pumping through the message form: each new visitor id (the client invents it) gets codes of its
  // own, and each new address too, so one client address could have the team's mail channel send codes without end.
  it('sends at most ten proof codes an hour for one client address, whatever visitor ids and addresses it uses', async () => {
    const { channelId } = await shop(true);
    const acks: Ack[] = [];
    for (let i = 0; i < 11; i++) {
      const pump = await visitor(channelId);
      acks.push(await emitWithAck<Ack>(pump, 'leave_message', { email: `pumped-${i}@target.example`, body: 'hello' }));
    }
    expect(acks.slice(0, 10).every((ack) => ack.ok && ack.proof?.sent === true)).toBe(true);
    expect(acks[10]).toMatchObject({ ok: true, proof: { kind: 'email', sent: false, retryAfterSeconds: expect.any(Number) } });
    await eventually(async () => fake.sent.filter((m) => m.body.personalizations[0].to[0].email.startsWith('pumped-')).length, (n) => n >= 10);
    expect(mailTo('pumped-10@target.example')).toHaveLength(0);
  });

  // Guards: a message form whose claim is read just before the visitor proves the address in another tab: its
  // conversation, inserted after the proof released the waiting ones, was held (no reply by mail) forever.
  it('releases a message form’s conversation inserted while the visitor proved its address', async () => {
    const { admin, channelId } = await shop(true);
    await hub.http.patch('/api/teams/current').set(admin.auth).send({ settings: { visitorProof: 'code' } }).expect(200);
    const tab = await visitor(channelId);
    const { visitorId } = await sessionOf<{ visitorId: string }>(tab);
    const otherTab = await open(hub.url, '/widget', { channelId, visitorId });
    await sessionOf(otherTab);
    const address = 'raced@customer.example';
    expect(await emitWithAck<Ack>(tab, 'identify', { email: address })).toMatchObject({ ok: true, proof: { sent: true } });
    const code = codeIn((await eventually(async () => mailTo(address), (mails) => mails.length >= 1))[0]);

    // The proof lands between the form's read of the claim and the insert of its conversation.
    const claims = hub.app.get(VisitorClaimsService);
    const claimForForm = claims.claimForForm.bind(claims);
    claims.claimForForm = async (...args) => {
      const read = await claimForForm(...args);
      expect(await emitWithAck<Ack>(otherTab, 'prove', { code })).toMatchObject({ ok: true });
      return read;
    };
    let form: Ack;
    try {
      form = await emitWithAck<Ack>(tab, 'leave_message', { email: address, body: 'a question' });
    } finally {
      claims.claimForForm = claimForForm;
    }
    expect(form).toMatchObject({ ok: true });
    expect(await hub.infra.db.conversation.findUniqueOrThrow({ where: { id: form.conversationId! } })).toMatchObject({ awaitingClaimId: null });
  });

  // Guards: identify in a loop: each frame writes claim rows, merge proposals and supervisor notifications.
  it('refuses the eleventh identify in a minute from one visitor, and from its client address under another visitor id', async () => {
    const { channelId } = await shop();
    const one = await visitor(channelId);
    const two = await visitor(channelId);
    for (let i = 0; i < 10; i++) expect(await emitWithAck<Ack>(one, 'identify', { name: `name ${i}`, email: `claim-${i}@target.example` })).toMatchObject({ ok: true });
    expect(await emitWithAck<Ack>(one, 'identify', { email: 'claim-10@target.example' })).toMatchObject({ ok: false, code: 'rate_limited', retryAfterSeconds: expect.any(Number) });
    expect(await emitWithAck<Ack>(two, 'identify', { email: 'claim-11@target.example' })).toMatchObject({ ok: false, code: 'rate_limited' });
    expect(await hub.infra.db.visitorClaim.count({ where: { channelId } })).toBe(10);
  });

  // Guards: page frames in a loop, each one a visitor_pages row.
  it('stores sixty pages a minute for one client address and refuses the next without storing it', async () => {
    const { channelId } = await shop();
    const one = await visitor(channelId);
    const two = await visitor(channelId);
    for (let i = 0; i < 60; i++) expect(await emitWithAck<Ack>(i % 2 ? one : two, 'page', { url: `https://shop.example/p/${i}` })).toMatchObject({ ok: true });
    expect(await emitWithAck<Ack>(one, 'page', { url: 'https://shop.example/p/60' })).toMatchObject({ ok: false, code: 'rate_limited' });
    expect(await hub.infra.db.visitorPage.count({ where: { channelId } })).toBe(60);
  });

  // Guards: rating frames in a loop, each a write to the conversation and its satisfaction report.
  it('refuses the sixth rating in a minute', async () => {
    const { channelId } = await shop();
    const rater = await visitor(channelId);
    await emitWithAck(rater, 'message', { body: 'hi' });
    for (let i = 0; i < 5; i++) expect(await emitWithAck<Ack>(rater, 'rating', { score: (i % 5) + 1 })).toMatchObject({ ok: true });
    expect(await emitWithAck<Ack>(rater, 'rating', { score: 1 })).toMatchObject({ ok: false, code: 'rate_limited' });
  });

  // Guards: typing fanned out to every agent screen by many visitor ids from one client address (the per-visitor
  // throttle alone lets each new id through).
  it('relays at most five typing frames a second from one client address, across its visitors', async () => {
    const { admin, channelId } = await shop();
    const agentSocket = await open(hub.url, '/inbox', { token: admin.token });
    const typists = [];
    for (let i = 0; i < 10; i++) {
      const typist = await visitor(channelId);
      await emitWithAck(typist, 'message', { body: `hi ${i}` });
      typists.push(typist);
    }
    const seen = collect<{ draft: string }>(agentSocket, 'typing');
    const acks = await Promise.all(typists.flatMap((typist, i) => Array.from({ length: 3 }, (_, j) => emitWithAck<Ack>(typist, 'typing', { draft: `d${i}-${j}` }))));
    expect(acks.every((ack) => ack.ok)).toBe(true);
    await emitWithAck(typists[0], 'message', { body: 'sync' });
    await eventually(async () => (await hub.infra.db.message.count({ where: { channelId, body: 'sync' } })) === 1, (done) => done);
    expect(seen.length).toBeGreaterThan(0);
    // Five a second: a burst straddling the start of a second gets at most two windows' worth.
    expect(seen.length).toBeLessThanOrEqual(10);
  });
});

describe('Widget handshakes', () => {
  let hub: TestHub;

  beforeAll(async () => {
    hub = await startTestHub({ HUB_WIDGET_HANDSHAKES_PER_MINUTE: '5' });
  });

  afterAll(async () => {
    await hub?.stop();
  });

  // Guards: handshakes that are refused after a channel lookup (an unknown channel, a wrong origin) were never
  // counted: a script could make the hub read and decrypt channels in a loop. The address is counted first.
  it('counts a client address’s handshakes before the channel is looked up', async () => {
    const refusal = (channelId: string) =>
      connect(hub.url, '/widget', { channelId }).then(
        (socket) => {
          socket.close();
          return 'connected';
        },
        (error: Error & { data?: { code: string } }) => error.data?.code,
      );
    const missing = '01900000-0000-7000-8000-000000000000';
    for (let i = 0; i < 5; i++) expect(await refusal(missing)).not.toBe('rate_limited');
    expect(await refusal(missing)).toBe('rate_limited');
  });
});
