import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHmac, randomBytes } from 'node:crypto';
import request from 'supertest';
import type { Socket } from 'socket.io-client';
import { formBody, signTwilioForm, startTwilioFake } from '../fakes/twilio-fake.js';
import type { TwilioFake } from '../fakes/twilio-fake.js';
import { startLineFake } from '../fakes/line-fake.js';
import type { LineFake } from '../fakes/line-fake.js';
import { startWebhookReceiverFake } from '../fakes/webhook-receiver-fake.js';
import type { WebhookReceiverFake } from '../fakes/webhook-receiver-fake.js';
import { systemClock } from '../../src/common/clock.js';
import { itKeepsOnePersonOncePerTeam } from '../support/contact-dedup.scenario.js';
import { eventually } from '../support/eventually.js';
import { connect, emitWithAck, nextEvent, sessionOf, sleep } from '../support/sockets.js';
import { TestHub, TestMember, addMember, createTeam, startTestHub } from '../support/test-hub.js';

const PUBLIC_URL = 'https://hub.example.test';
const ACCOUNT_SID = 'AC' + 'c'.repeat(32);
const AUTH_TOKEN = 'contacts-auth-token-000000';
const LINE_SECRET = 'contacts-line-secret';

describe('Contacts on the embedded database', () => {
  itKeepsOnePersonOncePerTeam(() => ({}), () => ({ embedded: true }));
});

describe('Contacts and consent', () => {
  let hub: TestHub;
  let team: Awaited<ReturnType<typeof createTeam>>;
  let admin: TestMember;
  let twilio: TwilioFake;
  let line: LineFake;
  let sms: string;
  let whatsapp: string;
  let lineChannel: string;
  let agent: Socket;
  let receiver: WebhookReceiverFake;

  beforeAll(async () => {
    receiver = await startWebhookReceiverFake(systemClock);
    twilio = await startTwilioFake({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
    line = await startLineFake({ channelAccessToken: 'token' });
    hub = await startTestHub({ PUBLIC_URL });
    team = await createTeam(hub);
    admin = team.admin;
    const twilioConfig = { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, apiBaseUrl: twilio.url, sendsPerSecond: 200 };
    sms = (await hub.http.post('/api/channels').set(admin.auth).send({ type: 'sms', provider: 'twilio', name: 'SMS', config: { ...twilioConfig, from: '+15005550006' } }).expect(201)).body.id;
    whatsapp = (await hub.http.post('/api/channels').set(admin.auth).send({ type: 'whatsapp', provider: 'twilio', name: 'WA', config: { ...twilioConfig, from: 'whatsapp:+14155238886' } }).expect(201)).body.id;
    lineChannel = (
      await hub.http.post('/api/channels').set(admin.auth).send({ type: 'line', provider: 'line', name: 'LINE', config: { channelSecret: LINE_SECRET, channelAccessToken: 'token', apiBaseUrl: line.url } }).expect(201)
    ).body.id;
    agent = await connect(hub.url, '/inbox', { token: admin.token });
  });

  afterAll(async () => {
    agent?.close();
    await hub?.stop();
    await twilio?.close();
    await line?.close();
    await receiver?.close();
  });

  function twilioMessage(channelId: string, from: string, body: string) {
    const params = { MessageSid: `SM${randomBytes(16).toString('hex')}`, AccountSid: ACCOUNT_SID, From: from, To: '+15005550006', Body: body, NumMedia: '0' };
    const path = `/webhooks/twilio/${channelId}`;
    return request(hub.url).post(path).set('content-type', 'application/x-www-form-urlencoded').set('x-twilio-signature', signTwilioForm(AUTH_TOKEN, PUBLIC_URL + path, params)).send(formBody(params)).expect(200);
  }

  function lineEvent(event: Record<string, unknown>) {
    const body = JSON.stringify({ destination: 'U0', events: [{ mode: 'active', timestamp: Date.now(), webhookEventId: `01${randomBytes(12).toString('hex')}`, ...event }] });
    return request(hub.url)
      .post(`/webhooks/line/${lineChannel}`)
      .set('content-type', 'application/json')
      .set('x-line-signature', createHmac('sha256', LINE_SECRET).update(body).digest('base64'))
      .send(body)
      .expect(200);
  }

  async function contactByPhone(phone: string) {
    return (await hub.infra.db.contactIdentity.findFirstOrThrow({ where: { teamId: admin.teamId, kind: 'phone', address: phone } })).contactId;
  }

  async function consent(contactId: string) {
    return (await hub.http.get(`/api/contacts/${contactId}`).set(admin.auth).expect(200)).body.consent;
  }

  it('refuses the same email however it is written, and the same number in any format', async () => {
    const taro = await hub.http.post('/api/contacts').set(admin.auth).send({ name: 'Taro', email: 'Taro <TARO＠Example.COM>' }).expect(201);
    expect(taro.body).toMatchObject({ ownerId: admin.id, identities: [{ kind: 'email', address: 'taro@example.com' }], consent: { sms: 'none', whatsapp: 'none', email: 'none', line: 'none' } });
    const again = await hub.http.post('/api/contacts').set(admin.auth).send({ name: 'Taro again', email: 'taro@example.com' }).expect(409);
    expect(again.body).toMatchObject({ code: 'duplicate_contact', message: expect.stringContaining('already a contact of the team') });

    await hub.http.post('/api/contacts').set(admin.auth).send({ name: '電話 花子', phone: '090-1234-5678' }).expect(201);
    await hub.http.post('/api/contacts').set(admin.auth).send({ name: 'Hanako', phone: '+81 90-1234-5678' }).expect(409);
    const bad = await hub.http.post('/api/contacts').set(admin.auth).send({ name: 'x', email: 'taro(at)example.com', phone: '12' }).expect(400);
    expect(bad.body.details.map((d: { field: string }) => d.field).sort()).toEqual(['email', 'phone']);
  });

  it('tells a supervisor whose list holds the person, and an associate only that they exist', async () => {
    const associate = await addMember(hub, team, { name: '山本 一郎' });
    await hub.http.post('/api/contacts').set(associate.auth).send({ name: 'Kenji', phone: '090-2222-3333' }).expect(201);
    const toAssociate = await hub.http.post('/api/contacts').set((await addMember(hub, team)).auth).send({ name: 'Kenji', phone: '09022223333' }).expect(409);
    expect(toAssociate.body.message).not.toContain('山本');
    const toSupervisor = await hub.http.post('/api/contacts').set(admin.auth).send({ name: 'Kenji', phone: '+819022223333' }).expect(409);
    expect(toSupervisor.body.message).toContain('山本 一郎');
  });

  it('lets another team add the same person: dedup is per team', async () => {
    const other = (await createTeam(hub, 'Other shop')).admin;
    await hub.http.post('/api/contacts').set(other.auth).send({ name: 'Taro', email: 'taro@example.com' }).expect(201);
  });

  it('finds a contact by a phone number typed any way', async () => {
    const found = await hub.http.get('/api/contacts').query({ q: '０９０－１２３４－５６７８' }).set(admin.auth).expect(200);
    expect(found.body.items.map((c: { name: string }) => c.name)).toContain('電話 花子');
  });

  // Issue 20: an operator's contacts page lists their own contacts and the people they served, not the whole team's.
  it('lists an operator’s own contacts and the people they served, a supervisor the team’s', async () => {
    const operator = await addMember(hub, team, { name: '担当 四郎' });
    const own = (await hub.http.post('/api/contacts').set(operator.auth).send({ name: '自分の 顧客', email: 'own-list@example.com' }).expect(201)).body.id;
    const others = (await hub.http.post('/api/contacts').set(admin.auth).send({ name: '他人の 顧客', email: 'not-on-list@example.com' }).expect(201)).body.id;
    await twilioMessage(sms, '+819044440001', '予約できますか');
    const served = await hub.infra.db.conversation.findFirstOrThrow({ where: { contact: { identities: { some: { address: '+819044440001' } } } } });
    await hub.http.post(`/api/conversations/${served.id}/assign`).set(admin.auth).send({ memberId: operator.id, override: true }).expect(200);

    const ids = async (member: TestMember) => ((await hub.http.get('/api/contacts').query({ limit: 200 }).set(member.auth).expect(200)).body.items as { id: string }[]).map((c) => c.id);
    const operatorSees = await ids(operator);
    expect(operatorSees).toEqual(expect.arrayContaining([own, served.contactId]));
    expect(operatorSees).not.toContain(others);
    expect(await ids(admin)).toEqual(expect.arrayContaining([own, served.contactId, others]));

    // The contact page's conversations across channels: this contact's only.
    const conversations = await hub.http.get('/api/conversations').query({ contactId: served.contactId }).set(admin.auth).expect(200);
    expect(conversations.body.items.map((c: { id: string }) => c.id)).toEqual([served.id]);
  });

  // Issue 20: the contact page lists proposals; one whose contact was since merged into a third is no question any more.
  it('lists a merge proposal only while both its contacts are live', async () => {
    await hub.http.post('/api/contacts').set(admin.auth).send({ name: '提案 一', phone: '090-7777-0001' }).expect(201);
    const asker = (await hub.http.post('/api/contacts').set(admin.auth).send({ name: '提案 二', email: 'proposal-two@example.com' }).expect(201)).body.id as string;
    const third = (await hub.http.post('/api/contacts').set(admin.auth).send({ name: '提案 三' }).expect(201)).body.id as string;
    const refused = await hub.http.post(`/api/contacts/${asker}/identities`).set(admin.auth).send({ kind: 'phone', address: '09077770001' }).expect(409);
    const proposalId = refused.body.details.mergeProposalId as string;
    const listed = async () => ((await hub.http.get('/api/contacts/merge-proposals').set(admin.auth).expect(200)).body.items as { id: string }[]).map((p) => p.id);
    expect(await listed()).toContain(proposalId);
    const merge = await hub.http.post(`/api/contacts/${asker}/merge`).set(admin.auth).send({ intoContactId: third }).expect(201);
    expect(await listed()).not.toContain(proposalId);
    await hub.http.post(`/api/contacts/merges/${merge.body.mergeId}/undo`).set(admin.auth).expect(200);
    expect(await listed()).toContain(proposalId);
  });

  it('flips SMS and WhatsApp consent on every keyword variant, not on a sentence, and keeps the evidence', async () => {
    const variants: [string, string][] = [
      ['STOP', 'opted_out'],
      ['start', 'opted_in'],
      ['Stop.', 'opted_out'],
      ['ＵＮＳＴＯＰ', 'opted_in'],
      ['unsubscribe', 'opted_out'],
      ['YES', 'opted_in'],
      ['配信停止', 'opted_out'],
      ['開始', 'opted_in'],
      ['cancel', 'opted_out'],
      ['START', 'opted_in'],
      ['end', 'opted_out'],
      ['start', 'opted_in'],
      ['quit', 'opted_out'],
      ['start', 'opted_in'],
      ['stopall', 'opted_out'],
      ['start', 'opted_in'],
      ['revoke', 'opted_out'],
      ['start', 'opted_in'],
      ['optout', 'opted_out'],
      ['start', 'opted_in'],
      ['停止', 'opted_out'],
      ['start', 'opted_in'],
      ['解除', 'opted_out'],
      ['cancel my order', 'opted_out'],
      ['START', 'opted_in'],
      ['stop please', 'opted_in'],
    ];
    for (const [channelId, channelType, from, phone] of [
      [sms, 'sms', '+819031110000', '+819031110000'],
      [whatsapp, 'whatsapp', 'whatsapp:+819031110001', '+819031110001'],
    ] as const) {
      for (const [body, expected] of variants) {
        await twilioMessage(channelId, from, body);
        expect({ body, state: (await consent(await contactByPhone(phone)))[channelType] }).toEqual({ body, state: expected });
      }
      const ledger = (await hub.http.get(`/api/contacts/${await contactByPhone(phone)}/events`).set(admin.auth).expect(200)).body.items;
      expect(ledger).toHaveLength(variants.length - 2);
      expect(ledger[0]).toMatchObject({ kind: 'opt_out', channelType, detail: { source: 'keyword', keyword: 'STOP', messageId: expect.any(String) } });
    }
  });

  it('answers HELP, and confirms an opt-out once: not where Twilio already answered it', async () => {
    const systemReplies = async (phone: string) =>
      hub.infra.db.message.findMany({ where: { authorType: 'system', conversation: { contactId: await contactByPhone(phone) } }, orderBy: { seq: 'asc' } });
    await twilioMessage(sms, '+819051510000', 'help');
    await twilioMessage(sms, '+819051510000', 'STOP');
    await twilioMessage(sms, '+819051510000', '停止');
    const smsReplies = await systemReplies('+819051510000');
    // HELP answered; STOP answered by Twilio itself on SMS; 停止 then changes nothing (already out): no reply.
    expect(smsReplies.map((m) => m.body)).toEqual([expect.stringContaining('「STOP」')]);
    await twilioMessage(sms, '+819051510001', '配信停止');
    expect((await systemReplies('+819051510001')).map((m) => m.body)).toEqual([expect.stringContaining('配信を停止しました')]);
    await twilioMessage(whatsapp, 'whatsapp:+819051510002', 'STOP');
    const confirmation = await systemReplies('+819051510002');
    expect(confirmation.map((m) => m.body)).toEqual([expect.stringContaining('配信を停止しました')]);
    // The confirmation reaches the customer although they have just opted out.
    for (let i = 0; i < 100 && (await hub.infra.db.message.findUniqueOrThrow({ where: { id: confirmation[0].id } })).status === 'queued'; i++) await sleep(30);
    expect((await hub.infra.db.message.findUniqueOrThrow({ where: { id: confirmation[0].id } })).status).toBe('sent');
  });

  it('reads phone numbers in the team’s region and uses the team’s own keywords and replies', async () => {
    const shop = await createTeam(hub, 'US shop');
    await hub.http
      .patch('/api/teams/current')
      .set(shop.admin.auth)
      .send({ settings: { defaultPhoneRegion: 'US', consentKeywords: { optOut: ['BYE'], optIn: ['HI'], help: ['?'] }, consentReplies: { optOut: 'Bye from {team.name}.' } } })
      .expect(200);
    await hub.http.patch('/api/teams/current').set(shop.admin.auth).send({ settings: { consentKeywords: { optOut: ['BYE'] } } }).expect(400);
    const created = await hub.http.post('/api/contacts').set(shop.admin.auth).send({ name: 'Pat', phone: '(415) 555-2671' }).expect(201);
    expect(created.body.identities).toEqual([{ kind: 'phone', address: '+14155552671' }]);
    const shopSms = (
      await hub.http
        .post('/api/channels')
        .set(shop.admin.auth)
        .send({ type: 'sms', provider: 'twilio', name: 'SMS', config: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, apiBaseUrl: twilio.url, from: '+15005550006', sendsPerSecond: 200 } })
        .expect(201)
    ).body.id;
    await twilioMessage(shopSms, '+14155552671', 'STOP');
    expect((await hub.http.get(`/api/contacts/${created.body.id}`).set(shop.admin.auth).expect(200)).body.consent.sms).toBe('none');
    await twilioMessage(shopSms, '+14155552671', 'bye');
    expect((await hub.http.get(`/api/contacts/${created.body.id}`).set(shop.admin.auth).expect(200)).body.consent.sms).toBe('opted_out');
    const reply = await hub.infra.db.message.findFirstOrThrow({ where: { authorType: 'system', conversation: { contactId: created.body.id } } });
    expect(reply.body).toBe('Bye from US shop.');
  });

  it('needs an opt-in before an agent writes first; STOP refuses and cancels what was queued', async () => {
    const created = await hub.http.post('/api/contacts').set(admin.auth).send({ name: '予約 次郎', phone: '080-7777-0000' }).expect(201);
    const contactId = created.body.id;
    const refused = await hub.http.post('/api/conversations').set(admin.auth).send({ contactId, channelId: sms, body: 'ご予約の確認です' }).expect(409);
    expect(refused.body.code).toBe('consent_required');

    const changed = nextEvent<{ contactId: string; channel: string; state: string }>(agent, 'consent.changed', (e) => e.contactId === contactId);
    await twilioMessage(sms, '+818077770000', 'YES');
    expect(await changed).toEqual({ contactId, channel: 'sms', state: 'opted_in' });
    const started = await hub.http.post('/api/conversations').set(admin.auth).send({ contactId, channelId: sms, body: 'ご予約の確認です' }).expect(201);
    expect(started.body.conversation).toMatchObject({ contact: { id: contactId }, assigneeId: admin.id, status: 'open' });

    // A reply held back by the rate limit when the customer sends STOP is not sent.
    await hub.http.patch(`/api/channels/${sms}`).set(admin.auth).send({ config: { sendsPerSecond: 0.2 } }).expect(200);
    try {
      const first = await hub.http.post(`/api/conversations/${started.body.conversation.id}/messages`).set(admin.auth).send({ body: 'one' }).expect(201);
      const second = await hub.http.post(`/api/conversations/${started.body.conversation.id}/messages`).set(admin.auth).send({ body: 'two' }).expect(201);
      // The first goes out at once; the second waits for its slot.
      await eventually(() => hub.infra.db.message.findUniqueOrThrow({ where: { id: first.body.id } }), (row) => row.status !== 'queued');
      await twilioMessage(sms, '+818077770000', 'STOP');
      const statuses = await Promise.all(
        [first.body.id, second.body.id].map(async (id: string) => {
          for (let i = 0; i < 100; i++) {
            const row = await hub.infra.db.message.findUniqueOrThrow({ where: { id } });
            if (row.status !== 'queued') return row;
            await sleep(30);
          }
          return hub.infra.db.message.findUniqueOrThrow({ where: { id } });
        }),
      );
      expect(statuses.map((m) => m.status)).toContain('failed');
      expect(statuses.find((m) => m.status === 'failed')!.error).toMatch(/opted out/);
      expect(twilio.requests.filter((r) => r.form?.Body === 'two')).toHaveLength(0);
    } finally {
      await hub.http.patch(`/api/channels/${sms}`).set(admin.auth).send({ config: { sendsPerSecond: 200 } }).expect(200);
    }
    const afterStop = await hub.http.post('/api/conversations').set(admin.auth).send({ contactId, channelId: sms, body: 'again' }).expect(409);
    expect(afterStop.body.code).toBe('opted_out');
    const reply = await hub.http.post(`/api/conversations/${started.body.conversation.id}/messages`).set(admin.auth).send({ body: 'after STOP' }).expect(409);
    expect(reply.body.code).toBe('opted_out');
  });

  it('invites by SMS: pending until the customer answers YES, then an agent may write first', async () => {
    const associate = await addMember(hub, team, { name: '店員 三郎' });
    const created = await hub.http.post('/api/contacts').set(associate.auth).send({ name: '招待 四郎', phone: '080-8888-0000' }).expect(201);
    const contactId = created.body.id;
    // Only the member whose list holds the contact invites them.
    const notTheirs = await hub.http.post(`/api/contacts/${contactId}/invitations`).set(admin.auth).send({ channel: 'sms', channelId: sms }).expect(403);
    expect(notTheirs.body.code).toBe('not_your_contact');
    const wrongType = await hub.http.post(`/api/contacts/${contactId}/invitations`).set(associate.auth).send({ channel: 'sms', channelId: lineChannel }).expect(400);
    expect(wrongType.body.details[0].field).toBe('channelId');
    // Email invitations go through an email channel: an SMS channel named for one is the wrong type.
    const byEmail = await hub.http.post(`/api/contacts/${contactId}/invitations`).set(associate.auth).send({ channel: 'email', channelId: sms }).expect(400);
    expect(byEmail.body.details[0].field).toBe('channelId');

    const pending = nextEvent<{ state: string; contactId: string }>(agent, 'consent.changed', (e) => e.contactId === contactId);
    const invited = await hub.http.post(`/api/contacts/${contactId}/invitations`).set(associate.auth).send({ channel: 'sms', channelId: sms }).expect(202);
    expect((await pending).state).toBe('pending');
    const question = await hub.infra.db.message.findFirstOrThrow({ where: { conversationId: invited.body.conversationId, direction: 'out' } });
    expect(question.body).toContain('YES');
    for (let i = 0; i < 100 && !twilio.sent.some((m) => m.form.To === '+818088880000'); i++) await sleep(30);
    expect(twilio.sent.find((m) => m.form.To === '+818088880000')?.form.Body).toContain('YES');
    await hub.http.post('/api/conversations').set(associate.auth).send({ contactId, channelId: sms, body: 'まだ早い' }).expect(409);

    await twilioMessage(sms, '+818088880000', 'Yes!');
    expect((await consent(contactId)).sms).toBe('opted_in');
    const ledger = (await hub.http.get(`/api/contacts/${contactId}/events`).set(associate.auth).expect(200)).body.items;
    expect(ledger.map((e: { kind: string }) => e.kind)).toEqual(['invited', 'opt_in']);
    expect(ledger[1].detail).toMatchObject({ source: 'keyword', invitationId: invited.body.invitationId });
    expect((await hub.infra.db.invitation.findUniqueOrThrow({ where: { id: invited.body.invitationId } })).status).toBe('confirmed');
    await hub.http.post('/api/conversations').set(associate.auth).send({ contactId, channelId: sms, body: 'ご来店ありがとうございました' }).expect(201);
  });

  it('keeps a blocked contact’s web chat and SMS messages out of sight and routing, tells supervisors, and closes their widget', async () => {
    const channelId = (await hub.http.post('/api/channels').set(admin.auth).send({ type: 'webchat', provider: 'webchat', name: 'Shop', config: {} }).expect(201)).body.id;
    const visitor = await connect(hub.url, '/widget', { channelId });
    const { visitorId } = await sessionOf<{ visitorId: string }>(visitor);
    const { conversationId } = await emitWithAck<{ conversationId: string }>(visitor, 'message', { body: 'はじめまして' });
    await twilioMessage(sms, '+819099990000', 'first SMS');
    const visitorContact = (await hub.infra.db.conversation.findUniqueOrThrow({ where: { id: conversationId } })).contactId;
    const smsContact = await contactByPhone('+819099990000');

    const notified = nextEvent<{ type: string; contactId: string }>(agent, 'notification', (n) => n.contactId === visitorContact);
    const associate = await addMember(hub, team);
    await hub.http.post(`/api/contacts/${visitorContact}/block`).set(associate.auth).expect(403);
    await hub.http.post(`/api/contacts/${visitorContact}/block`).set(admin.auth).expect(200);
    expect(await notified).toMatchObject({ type: 'contact_blocked', contactId: visitorContact });
    await hub.http.post(`/api/contacts/${smsContact}/block`).set(admin.auth).expect(200);

    const seen: unknown[] = [];
    const listen = (payload: unknown) => seen.push(payload);
    agent.on('message.created', listen);
    await emitWithAck(visitor, 'message', { body: 'blocked words' });
    await twilioMessage(sms, '+819099990000', 'blocked SMS');
    await eventually(() => hub.infra.db.message.count({ where: { blocked: true, body: { in: ['blocked words', 'blocked SMS'] } } }), (n) => n === 2);
    await hub.infra.jobs.idle();
    agent.off('message.created', listen);
    expect(seen).toEqual([]);
    expect(await hub.infra.db.message.count({ where: { blocked: true, body: { in: ['blocked words', 'blocked SMS'] } } })).toBe(2);
    const listed = (await hub.http.get('/api/conversations').set(admin.auth).expect(200)).body.items.map((c: { contact: { id: string } }) => c.contact.id);
    expect(listed).not.toContain(visitorContact);
    expect(listed).not.toContain(smsContact);
    const thread = (await hub.infra.db.message.findMany({ where: { conversationId } })).map((m) => m.body);
    expect(thread).toContain('blocked words');
    visitor.close();

    const refused = await connect(hub.url, '/widget', { channelId, visitorId }).then(
      () => null,
      (error: Error & { data?: { code: string } }) => error,
    );
    expect(refused?.data?.code).toBe('chat_unavailable');
    expect(refused?.message).not.toMatch(/block/i);

    await hub.http.post(`/api/contacts/${visitorContact}/unblock`).set(admin.auth).expect(200);
    const back = await connect(hub.url, '/widget', { channelId, visitorId });
    await sessionOf(back);
    back.close();
  });

  it('merges two contacts that are one person, and an undo restores both exactly', async () => {
    const byPhone = (await hub.http.post('/api/contacts').set(admin.auth).send({ name: '統合 元', phone: '080-1212-3434' }).expect(201)).body;
    const byEmail = (await hub.http.post('/api/contacts').set(admin.auth).send({ name: '統合 先', email: 'merge@example.com' }).expect(201)).body;
    await twilioMessage(sms, '+818012123434', 'hello');
    await twilioMessage(sms, '+818012123434', 'STOP');
    const snapshot = async () => {
      const db = hub.infra.db;
      const of = async (id: string) => ({
        contact: await db.contact.findUniqueOrThrow({ where: { id }, select: { name: true, ownerId: true, blocked: true, mergedIntoId: true } }),
        identities: (await db.contactIdentity.findMany({ where: { contactId: id }, orderBy: { id: 'asc' } })).map((i) => i.id),
        conversations: (await db.conversation.findMany({ where: { contactId: id }, orderBy: { id: 'asc' } })).map((c) => c.id),
        authored: (await db.message.findMany({ where: { authorId: id }, orderBy: { id: 'asc' } })).map((m) => m.id),
        ledger: (await db.contactEvent.findMany({ where: { contactId: id }, orderBy: { id: 'asc' } })).map((e) => e.id),
        tickets: (await db.ticket.findMany({ where: { contactId: id }, orderBy: { id: 'asc' } })).map((t) => t.id),
      });
      return { phone: await of(byPhone.id), email: await of(byEmail.id) };
    };
    // The hub notices: the email the associate adds to the phone contact is the other contact's.
    const proposed = nextEvent<{ type: string; contactId: string }>(agent, 'notification', (n) => n.type === 'merge_proposed' && n.contactId === byPhone.id);
    const clash = await hub.http.post(`/api/contacts/${byPhone.id}/identities`).set(admin.auth).send({ kind: 'email', address: 'MERGE@example.com' }).expect(409);
    expect(clash.body).toMatchObject({ code: 'duplicate_contact', details: { mergeProposalId: expect.any(String) } });
    expect(await proposed).toMatchObject({ otherContactId: byEmail.id });
    const proposals = (await hub.http.get('/api/contacts/merge-proposals').set(admin.auth).expect(200)).body.items;
    expect(proposals).toContainEqual(expect.objectContaining({ id: clash.body.details.mergeProposalId, contactId: byPhone.id, otherContactId: byEmail.id, reason: 'email' }));
    // A follow-up on the phone contact's chat: it goes where the contact goes.
    const ticket = (await hub.http.post(`/api/conversations/${(await snapshot()).phone.conversations[0]}/tickets`).set(admin.auth).send({ title: '折り返し' }).expect(201)).body;
    const before = await snapshot();
    expect(before.phone.conversations).toHaveLength(1);
    expect(before.phone.ledger).toHaveLength(1);
    expect(before.phone.tickets).toEqual([ticket.id]);

    const associate = await addMember(hub, team);
    await hub.http.get('/api/contacts/merge-proposals').set(associate.auth).expect(403);
    await hub.http.post(`/api/contacts/${byPhone.id}/merge`).set(associate.auth).send({ intoContactId: byEmail.id }).expect(403);
    const merged = await hub.http.post(`/api/contacts/${byPhone.id}/merge`).set(admin.auth).send({ intoContactId: byEmail.id }).expect(201);
    const into = (await hub.http.get(`/api/contacts/${byEmail.id}`).set(admin.auth).expect(200)).body;
    expect(into.identities.map((i: { kind: string }) => i.kind).sort()).toEqual(['email', 'phone']);
    expect(into.consent.sms).toBe('opted_out');
    const open = (await hub.http.get('/api/contacts/merge-proposals').set(admin.auth).expect(200)).body.items;
    expect(open.map((p: { id: string }) => p.id)).not.toContain(clash.body.details.mergeProposalId);
    const list = (await hub.http.get('/api/contacts').query({ q: '統合' }).set(admin.auth).expect(200)).body.items.map((c: { id: string }) => c.id);
    expect(list).toEqual([byEmail.id]);
    const intoTickets = (await hub.http.get(`/api/contacts/${byEmail.id}/tickets`).set(admin.auth).expect(200)).body.items;
    expect(intoTickets.map((t: { id: string }) => t.id)).toEqual([ticket.id]);
    // A message from the merged number now joins the contact that stayed.
    await twilioMessage(sms, '+818012123434', 'while merged');
    const during = await hub.infra.db.message.findFirstOrThrow({ where: { body: 'while merged' } });
    expect(during.authorId).toBe(byEmail.id);
    // A ticket opened while merged, on the conversation the undo gives back: it goes back with it.
    const whileMerged = (await hub.http.post(`/api/conversations/${during.conversationId}/tickets`).set(admin.auth).send({ title: '統合中の折り返し' }).expect(201)).body;
    expect(whileMerged.contactId).toBe(byEmail.id);

    await hub.http.post(`/api/contacts/merges/${merged.body.mergeId}/undo`).set(admin.auth).expect(200);
    const after = await snapshot();
    expect(after.email).toEqual(before.email);
    // Everything that was the phone contact's is back; what arrived during the merge stays with who received it.
    expect(after.phone.contact).toEqual(before.phone.contact);
    expect(after.phone.identities).toEqual(before.phone.identities);
    expect(after.phone.conversations).toEqual(before.phone.conversations);
    expect(after.phone.ledger).toEqual(before.phone.ledger);
    expect(after.phone.tickets).toEqual([...before.phone.tickets, whileMerged.id]);
    expect(after.phone.authored).toEqual([...before.phone.authored, during.id]);
    await hub.http.post(`/api/contacts/merges/${merged.body.mergeId}/undo`).set(admin.auth).expect(409);
  });

  it('erases a person without a trace, and their opt-out survives when they write again', async () => {
    const lineUser = 'U' + randomBytes(16).toString('hex');
    const person = (await hub.http.post('/api/contacts').set(admin.auth).send({ name: '消去 五郎', phone: '080-4545-6767', lineUserId: lineUser }).expect(201)).body;
    await twilioMessage(sms, '+818045456767', 'ERASE-ME-SECRET-BODY');
    await twilioMessage(sms, '+818045456767', 'STOP');
    line.setContent('erase-file-1', Buffer.from('private file'), 'text/plain');
    await lineEvent({ type: 'message', source: { type: 'user', userId: lineUser }, message: { id: 'erase-file-1', type: 'file', fileName: 'カルテ.pdf', fileSize: 12 } });
    let stored: { url?: string }[] = [];
    for (let i = 0; i < 200 && !stored[0]?.url; i++) {
      const file = await hub.infra.db.message.findFirst({ where: { providerMessageId: 'erase-file-1' } });
      stored = (file?.attachments ?? []) as { url?: string }[];
      await sleep(25);
    }
    await hub.http.get(stored[0].url!).set(admin.auth).expect(200);

    // What other modules keep about them: a follow-up ticket with a comment, the webhook deliveries of their messages
    // and consent change (with the logged events behind them), and a rule's run on their words.
    const endpoint = (await hub.http.post('/api/webhooks/endpoints').set(admin.auth).send({ url: `${receiver.url}/crm`, events: ['message.created', 'contact.consent_changed', 'ticket.*'] }).expect(201)).body;
    receiver.secrets.set('/crm', endpoint.secret);
    const rule = (await hub.http.post('/api/automation/rules').set(admin.auth).send({ name: '秘密', event: 'message.created', conditions: [{ kind: 'words', words: ['SECRET'] }], actions: [{ kind: 'note', text: '要確認' }] }).expect(201)).body;
    await twilioMessage(sms, '+818045456767', 'ERASE-ME-SECRET-BODY again');
    // Back in and out again: their consent changes reach the endpoint, and they end opted out as before.
    await twilioMessage(sms, '+818045456767', 'START');
    await twilioMessage(sms, '+818045456767', 'STOP');
    const conversationId = (await hub.infra.db.message.findFirstOrThrow({ where: { body: 'ERASE-ME-SECRET-BODY again' } })).conversationId;
    const ticket = (await hub.http.post(`/api/conversations/${conversationId}/tickets`).set(admin.auth).send({ title: '消去 五郎 さんへ折り返し' }).expect(201)).body;
    await hub.http.post(`/api/tickets/${ticket.id}/comments`).set(admin.auth).send({ body: 'ERASE-ME-SECRET-BODY の件' }).expect(201);
    await eventually(
      async () => ({ types: new Set(receiver.received.map((hit) => hit.type)), runs: await hub.infra.db.automationRun.count({ where: { ruleId: rule.id, conversationId, status: 'matched' } }) }),
      ({ types, runs }) => ['message.created', 'contact.consent_changed', 'ticket.created'].every((type) => types.has(type)) && runs === 1,
    );
    expect(receiver.unverified).toBe(0);
    // What the comment's ticket.updated makes is made before the erasure, so the search below looks at all of it.
    await hub.infra.jobs.idle();

    const associate = await addMember(hub, team, { role: 'supervisor' });
    await hub.http.delete(`/api/contacts/${person.id}`).set(associate.auth).expect(403);
    await hub.http.delete(`/api/contacts/${person.id}`).set(admin.auth).expect(204);
    await hub.http.get(`/api/contacts/${person.id}`).set(admin.auth).expect(404);
    await hub.http.get(stored[0].url!).set(admin.auth).expect(404);

    // Every text and JSON column of every table, searched for anything of theirs.
    const columns = await hub.infra.db.$queryRaw<{ table_name: string; column_name: string }[]>`
      SELECT table_name, column_name FROM information_schema.columns
       WHERE table_schema = 'public' AND data_type IN ('text', 'jsonb', 'character varying')`;
    const needles = ['ERASE-ME-SECRET-BODY', '+818045456767', lineUser, '消去 五郎', 'カルテ.pdf', person.id];
    const found: string[] = [];
    for (const { table_name, column_name } of columns) {
      for (const needle of needles) {
        const rows = await hub.infra.db.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM "${table_name}" WHERE "${column_name}"::text LIKE $1`, `%${needle}%`);
        if (rows[0].n > 0) found.push(`${table_name}.${column_name}: ${needle}`);
      }
    }
    expect(found).toEqual([]);
    await hub.http.delete(`/api/automation/rules/${rule.id}`).set(admin.auth).expect(204);
    await hub.http.delete(`/api/webhooks/endpoints/${endpoint.id}`).set(admin.auth).expect(204);

    // They write again: a new contact, still opted out of SMS.
    await twilioMessage(sms, '+818045456767', 'hello again');
    const again = await contactByPhone('+818045456767');
    expect(again).not.toBe(person.id);
    expect((await consent(again)).sms).toBe('opted_out');
  });

  // What the erased person wrote in a LINE group (held by the group's contact) goes from a webhook's queue too; the
  // group's later message, which waited behind it for an endpoint that was down, is sent once the erasure commits.
  it('sends the later deliveries of a group conversation once an erasure took out the one they waited behind', async () => {
    const group = 'C' + randomBytes(16).toString('hex');
    const person = 'U' + randomBytes(16).toString('hex');
    const endpoint = (await hub.http.post('/api/webhooks/endpoints').set(admin.auth).send({ url: `${receiver.url}/group`, events: ['message.created'] }).expect(201)).body;
    receiver.secrets.set('/group', endpoint.secret);
    receiver.down.add('/group');
    const deliveries = () => hub.infra.db.webhookDelivery.findMany({ where: { endpointId: endpoint.id }, orderBy: { seq: 'asc' } });
    await lineEvent({ type: 'message', source: { type: 'group', groupId: group, userId: person }, message: { id: `g-${person}`, type: 'text', text: 'GROUP-SECRET', quoteToken: 'q1' } });
    await eventually(deliveries, (rows) => rows.length === 1 && rows[0].failures >= 1);
    await lineEvent({ type: 'message', source: { type: 'group', groupId: group, userId: 'U' + randomBytes(16).toString('hex') }, message: { id: `g-other-${person}`, type: 'text', text: '別の人です', quoteToken: 'q2' } });
    await eventually(deliveries, (rows) => rows.length === 2);

    const contactId = (await hub.infra.db.contactIdentity.findFirstOrThrow({ where: { teamId: admin.teamId, address: person } })).contactId;
    await hub.http.delete(`/api/contacts/${contactId}`).set(admin.auth).expect(204);
    receiver.down.delete('/group');
    const received = await eventually(async () => receiver.received.filter((hit) => hit.path === '/group'), (hits) => hits.length === 1);
    expect(received[0].data).toMatchObject({ text: '別の人です' });
    expect(await deliveries()).toEqual([expect.objectContaining({ state: 'delivered' })]);
    await hub.http.delete(`/api/webhooks/endpoints/${endpoint.id}`).set(admin.auth).expect(204);
  });

  it('proposes a merge when a web visitor gives a known email, and joins them only when a supervisor merges', async () => {
    const known = (await hub.http.post('/api/contacts').set(admin.auth).send({ name: '常連 花子', email: 'regular@example.com' }).expect(201)).body;
    const channelId = (await hub.http.post('/api/channels').set(admin.auth).send({ type: 'webchat', provider: 'webchat', name: 'Shop 2', config: {} }).expect(201)).body.id;
    const visitor = await connect(hub.url, '/widget', { channelId });
    await sessionOf(visitor);
    const { conversationId } = await emitWithAck<{ conversationId: string }>(visitor, 'message', { body: '在庫はありますか' });
    const wrong = await emitWithAck<{ ok: boolean; code: string; details: { field: string }[] }>(visitor, 'identify', { email: 'regular(at)example.com' });
    expect(wrong).toMatchObject({ ok: false, code: 'invalid_request', details: [{ field: 'email' }] });
    const claimed = await emitWithAck<{ ok: boolean }>(visitor, 'identify', { name: 'はなこ', email: ' REGULAR＠example.com ' });
    expect(claimed).toEqual({ ok: true });
    // Typing an address proves nothing: the visitor stays their own contact until a supervisor merges the two.
    const guest = (await hub.http.get(`/api/conversations/${conversationId}`).set(admin.auth).expect(200)).body.contact;
    expect(guest.id).not.toBe(known.id);
    expect(guest.name).toBe('はなこ');
    const proposals = (await hub.http.get('/api/contacts/merge-proposals').set(admin.auth).expect(200)).body.items;
    expect(proposals).toContainEqual(expect.objectContaining({ contactId: guest.id, otherContactId: known.id, reason: 'email' }));
    await hub.http.post(`/api/contacts/${guest.id}/merge`).set(admin.auth).send({ intoContactId: known.id }).expect(201);
    const conversation = (await hub.http.get(`/api/conversations/${conversationId}`).set(admin.auth).expect(200)).body;
    expect(conversation.contact).toEqual({ id: known.id, name: '常連 花子' });
    const again = await emitWithAck<{ conversationId: string }>(visitor, 'message', { body: 'もう一つ' });
    expect(again.conversationId).toBe(conversationId);
    visitor.close();

    // A visitor nobody knows keeps their own contact, named; the address they typed is not theirs until proved.
    const stranger = await connect(hub.url, '/widget', { channelId });
    await sessionOf(stranger);
    const first = await emitWithAck<{ conversationId: string }>(stranger, 'message', { body: 'はじめて' });
    await emitWithAck(stranger, 'identify', { name: '新規 太郎', email: 'new-visitor@example.com' });
    const own = (await hub.http.get(`/api/conversations/${first.conversationId}`).set(admin.auth).expect(200)).body.contact;
    expect(own.name).toBe('新規 太郎');
    expect((await hub.http.get(`/api/contacts/${own.id}`).set(admin.auth).expect(200)).body.identities).not.toContainEqual({ kind: 'email', address: 'new-visitor@example.com' });
    stranger.close();
  });

  it('refuses LINE replies to a customer who blocked the account (not_following), and allows them again after follow', async () => {
    const userId = 'U' + randomBytes(16).toString('hex');
    await lineEvent({ type: 'message', source: { type: 'user', userId }, message: { id: '1', type: 'text', text: 'こんにちは' } });
    const conversation = await hub.infra.db.conversation.findFirstOrThrow({ where: { channelId: lineChannel, threadKey: `line:${userId}` } });
    await lineEvent({ type: 'unfollow', source: { type: 'user', userId } });
    const refused = await hub.http.post(`/api/conversations/${conversation.id}/messages`).set(admin.auth).send({ body: 'hello?' }).expect(409);
    expect(refused.body.code).toBe('not_following');
    await lineEvent({ type: 'follow', source: { type: 'user', userId }, follow: { isUnblocked: true } });
    await hub.http.post(`/api/conversations/${conversation.id}/messages`).set(admin.auth).send({ body: 'おかえりなさい' }).expect(201);
  });
});
