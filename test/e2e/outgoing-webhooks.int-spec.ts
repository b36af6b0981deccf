import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { startSmtpFake } from '../fakes/smtp-fake.js';
import type { SmtpFake } from '../fakes/smtp-fake.js';
import { startWebhookReceiverFake } from '../fakes/webhook-receiver-fake.js';
import type { WebhookReceiverFake } from '../fakes/webhook-receiver-fake.js';
import { eventually } from '../support/eventually.js';
import { MovableClock } from '../support/movable-clock.js';
import { createHubDatabase } from '../support/test-database.js';
import { TestHub, TestMember, addMember, createTeam, startTestHub } from '../support/test-hub.js';
import { passRetries, publishLogged } from '../support/webhook-retries.js';

const HOUR = 3_600_000;

describe('Outgoing webhooks', () => {
  // Retries wait on this clock: the cases move it hours ahead instead of sleeping through the backoff.
  const clock = new MovableClock(new Date());
  let database: Awaited<ReturnType<typeof createHubDatabase>>;
  let dataDir: string;
  let smtp: SmtpFake;
  let receiver: WebhookReceiverFake;
  let hub: TestHub;
  let admin: TestMember;
  let teamId: string;
  let team: Awaited<ReturnType<typeof createTeam>>;

  const env = () => ({ HUB_SMTP_URL: smtp.url, HUB_MAIL_FROM: 'hub@example.com', ...(database ? { DATABASE_URL: database.url } : {}) });
  // The database outlives a hub: a restart finds the rows its predecessor left.
  const options = () => ({ clock, ...(database ? {} : { memoryDatabase: false, dataDir }) });

  beforeAll(async () => {
    database = await createHubDatabase();
    dataDir = await mkdtemp(join(tmpdir(), 'tsunagi-webhooks-'));
    smtp = await startSmtpFake();
    receiver = await startWebhookReceiverFake(clock);
    hub = await startTestHub(env(), options());
  });

  // A team per case: every endpoint of a team takes its events, and one case's outage is not another's.
  beforeEach(async () => {
    team = await createTeam(hub);
    ({ admin, teamId } = team);
  });

  afterAll(async () => {
    await hub.stop();
    await receiver.close();
    await smtp.close();
    await database?.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  /** An endpoint on the receiver at `path`, its secret handed to the receiver as an administrator would paste it. */
  async function endpoint(path: string, events: string[] = ['message.created', 'conversation.resolved']): Promise<string> {
    const created = await hub.http.post('/api/webhooks/endpoints').set(admin.auth).send({ url: `${receiver.url}${path}`, description: `予約システム ${path}`, events }).expect(201);
    expect(created.body.secret).toMatch(/^whsec_/);
    receiver.secrets.set(path, created.body.secret);
    return created.body.id as string;
  }

  let n = 0;
  /** A new event of the team, its `data.n` counting up in the order published. */
  function event(conversationId: string | null, type = 'message.created') {
    return { id: uuidv7(), teamId, type, conversationId, data: { n: ++n, conversationId, text: 'ご予約ありがとうございます' }, occurredAt: clock.now() };
  }

  const publish = (e: ReturnType<typeof event>) => publishLogged(hub, e);
  const deliveryOf = (endpointId: string, eventId: string) => hub.infra.db.webhookDelivery.findUniqueOrThrow({ where: { endpointId_eventId: { endpointId, eventId } } });
  const receivedIds = (path: string) => receiver.received.filter((hit) => hit.path === path).map((hit) => hit.id);

  /** Hours passing for the hub: every retry of the endpoint's deliveries runs at its time, up to `until`. */
  const passTime = (endpointId: string, until: Date) => passRetries(hub, clock, endpointId, until);

  it('refuses a private or loopback target that the operator did not allow, naming the code', async () => {
    for (const url of ['http://10.0.0.8/reservations', 'http://169.254.169.254/latest', 'http://localhost:8080/hook', 'http://[::1]/hook']) {
      const refused = await hub.http.post('/api/webhooks/endpoints').set(admin.auth).send({ url, events: ['message.created'] }).expect(400);
      expect(refused.body.code).toBe('webhook_url_not_allowed');
    }
    const withPassword = await hub.http.post('/api/webhooks/endpoints').set(admin.auth).send({ url: `${receiver.url.replace('http://', 'http://user:pw@')}/x`, events: ['message.created'] }).expect(400);
    expect(withPassword.body.code).toBe('webhook_url_invalid');
    const unknownEvent = await hub.http.post('/api/webhooks/endpoints').set(admin.auth).send({ url: `${receiver.url}/x`, events: ['message.deleted'] }).expect(400);
    expect(unknownEvent.body.code).toBe('invalid_request');
  });

  it('signs every delivery so the reference library verifies it, shows the secret once, and delivers an event published twice once', async () => {
    const id = await endpoint('/signed', ['ticket.*', 'message.created', 'ticket.solved']);
    const view = await hub.http.get(`/api/webhooks/endpoints/${id}`).set(admin.auth).expect(200);
    expect(view.body).not.toHaveProperty('secret');
    expect(view.body.events).toEqual(['message.created', 'ticket.*']);
    expect(JSON.stringify(await hub.infra.db.webhookEndpoint.findUniqueOrThrow({ where: { id } }))).not.toContain(receiver.secrets.get('/signed'));

    const message = event('conv-signed');
    expect(await publish(message)).toBe(1);
    // Redelivered by the event log after a restart, say: the unique (endpoint, event) pair keeps it to one delivery.
    expect(await publish(message)).toBe(0);
    const ticket = event(null, 'ticket.overdue');
    await publish(ticket);
    // Not subscribed: nothing is written.
    expect(await publish(event(null, 'sale.created'))).toBe(0);
    await hub.infra.jobs.idle();
    expect(receivedIds('/signed')).toEqual([message.id, ticket.id]);
    expect(receiver.received.find((hit) => hit.id === ticket.id)).toMatchObject({ type: 'ticket.overdue', data: { n: ticket.data.n } });
    expect(receiver.unverified).toBe(0);

    // A rotated secret signs from then on; for 24 hours the old one signs beside it, so the receiver, still holding
    // the old one, refuses nothing while it is switched over.
    const old = receiver.secrets.get('/signed')!;
    const rotated = await hub.http.post(`/api/webhooks/endpoints/${id}/rotate-secret`).set(admin.auth).expect(200);
    expect(rotated.body.secret).not.toBe(old);
    const during = await hub.http.post(`/api/webhooks/endpoints/${id}/ping`).set(admin.auth).expect(200);
    expect(during.body).toMatchObject({ eventType: 'webhook.ping', state: 'delivered', lastStatus: 200, attemptLog: [{ ok: true, statusCode: 200 }] });
    expect(during.body.attemptLog[0].responseBody).toContain(during.body.eventId);
    receiver.secrets.set('/signed', rotated.body.secret);
    await hub.http.post(`/api/webhooks/endpoints/${id}/ping`).set(admin.auth).expect(200).expect((res) => expect(res.body.state).toBe('delivered'));
    expect(receiver.unverified).toBe(0);
    // A day on, the old secret signs nothing more.
    clock.advance(25 * HOUR);
    receiver.secrets.set('/signed', old);
    const after = await hub.http.post(`/api/webhooks/endpoints/${id}/ping`).set(admin.auth).expect(200);
    expect(after.body).toMatchObject({ state: 'pending', lastStatus: 401 });
    expect(receiver.unverified).toBe(1);
    receiver.secrets.set('/signed', rotated.body.secret);
    receiver.unverified = 0;
  });

  it('gets every delivery once to a receiver down for an hour, across a restart, in order per conversation', async () => {
    const id = await endpoint('/clinic');
    receiver.down.add('/clinic');
    const start = clock.now();
    const [a1, a2, b1, loose] = [event('conv-a'), event('conv-a'), event('conv-b'), event(null, 'conversation.resolved')];
    for (const e of [a1, a2, b1, loose]) await publish(e);
    await hub.infra.jobs.idle();
    // a2 waits behind a1: it is not even tried while a1 fails.
    expect(await deliveryOf(id, a2.id)).toMatchObject({ state: 'pending', attempts: 0 });
    expect(await deliveryOf(id, b1.id)).toMatchObject({ state: 'pending', attempts: 1 });

    await passTime(id, new Date(start.getTime() + 0.75 * HOUR));
    // Tried at 0, 5 s, 5 min 5 s and 35 min 5 s.
    expect(await deliveryOf(id, a1.id)).toMatchObject({ state: 'pending', attempts: 4 });
    const log = await hub.http.get(`/api/webhooks/endpoints/${id}/deliveries/${(await deliveryOf(id, a1.id)).id}`).set(admin.auth).expect(200);
    expect(log.body.attemptLog).toHaveLength(4);
    expect(log.body.attemptLog[0]).toMatchObject({ ok: false, statusCode: null });
    expect(log.body.attemptLog[0].error).toMatch(/^network_error/);

    // The hub restarts while the receiver is down: the in-process queue's timers are lost with it.
    await hub.close();
    hub = await startTestHub(env(), options());
    receiver.down.delete('/clinic');
    await passTime(id, new Date(start.getTime() + HOUR));
    expect(receivedIds('/clinic')).toEqual([]);

    // The next retry, at 2 h 35 min 5 s, finds it back.
    await passTime(id, new Date(start.getTime() + 3 * HOUR));
    const ids = receivedIds('/clinic');
    expect([...ids].sort()).toEqual([a1.id, a2.id, b1.id, loose.id].sort());
    expect(ids.indexOf(a1.id)).toBeLessThan(ids.indexOf(a2.id));
    for (const e of [a1, a2, b1, loose]) expect(await deliveryOf(id, e.id)).toMatchObject({ state: 'delivered' });
    expect(await deliveryOf(id, a2.id)).toMatchObject({ attempts: 1 });
  });

  it('holds only the failing conversation: the others keep flowing', async () => {
    const id = await endpoint('/held');
    const [c1, c2, d1] = [event('conv-c'), event('conv-c'), event('conv-d')];
    // The receiver's own system refuses c1 until it is fixed.
    receiver.refuse = (hit) => hit.id === c1.id;
    for (const e of [c1, c2, d1]) await publish(e);
    await hub.infra.jobs.idle();
    expect(receivedIds('/held')).toEqual([d1.id]);
    expect(await deliveryOf(id, c1.id)).toMatchObject({ state: 'pending', attempts: 1, lastStatus: 500 });
    expect(await deliveryOf(id, c2.id)).toMatchObject({ state: 'pending', attempts: 0 });

    receiver.refuse = () => false;
    await passTime(id, new Date(clock.now().getTime() + 10_000));
    expect(receivedIds('/held')).toEqual([d1.id, c1.id, c2.id]);
  });

  it('switches an endpoint off after 24 hours of failures, mails the administrators, keeps its deliveries and sends them once switched on', async () => {
    const id = await endpoint('/gone');
    receiver.down.add('/gone');
    const lost = event('conv-gone');
    await publish(lost);
    await passTime(id, new Date(clock.now().getTime() + 30 * HOUR));
    const off = await hub.http.get(`/api/webhooks/endpoints/${id}`).set(admin.auth).expect(200);
    expect(off.body).toMatchObject({ enabled: false, disabledReason: 'failing', pendingDeliveries: 1 });
    // Attempts at 0, 5 s, 5 min, 35 min, 2 h 35, 7 h 35, 17 h 35 and 27 h 35 (the first past 24 hours): then no more.
    expect(await deliveryOf(id, lost.id)).toMatchObject({ state: 'pending', attempts: 8 });
    const mail = await eventually(async () => smtp.mails.filter((m) => m.to.includes(admin.email)), (mails) => mails.length > 0);
    expect(mail).toHaveLength(1);
    expect(mail[0].subject).toContain('switched off');
    expect(mail[0].text).toContain(`${receiver.url}/gone`);

    clock.advance(20 * HOUR);
    await hub.infra.jobs.idle();
    expect(await deliveryOf(id, lost.id)).toMatchObject({ attempts: 8 });
    // New events are not kept for a switched-off endpoint.
    expect(await publish(event('conv-gone'))).toBe(0);

    receiver.down.delete('/gone');
    await hub.http.patch(`/api/webhooks/endpoints/${id}`).set(admin.auth).send({ enabled: true }).expect(200);
    await hub.infra.jobs.idle();
    expect(receivedIds('/gone')).toEqual([lost.id]);
    expect(await hub.http.get(`/api/webhooks/endpoints/${id}`).set(admin.auth).expect(200)).toMatchObject({ body: { enabled: true, disabledReason: null, failingSince: null, pendingDeliveries: 0 } });
  });

  it('replays one delivery by hand, and every delivery that failed for good since a time', async () => {
    const id = await endpoint('/replay');
    const since = clock.now();
    const doomed = event('conv-r');
    const after = event('conv-r');
    receiver.refuse = (hit) => hit.id === doomed.id;
    await publish(doomed);
    await publish(after);
    // Three days of retries, while other events go through (so the endpoint is not switched off).
    for (let day = 0; day < 4; day++) {
      await publish(event(null));
      await passTime(id, new Date(clock.now().getTime() + 20 * HOUR));
    }
    expect(await deliveryOf(id, doomed.id)).toMatchObject({ state: 'failed', attempts: 12 });
    // Failed for good, it no longer holds its conversation.
    expect(await deliveryOf(id, after.id)).toMatchObject({ state: 'delivered' });

    receiver.refuse = () => false;
    const failed = await hub.http.get(`/api/webhooks/endpoints/${id}/deliveries?state=failed`).set(admin.auth).expect(200);
    expect(failed.body.items.map((d: { eventId: string }) => d.eventId)).toEqual([doomed.id]);
    expect(failed.body.items[0].lastAttempt).toMatchObject({ ok: false, statusCode: 500, responseBody: 'booking system error' });
    const replayed = await hub.http.post(`/api/webhooks/endpoints/${id}/replay`).set(admin.auth).send({ since: since.toISOString() }).expect(202);
    expect(replayed.body).toEqual({ replayed: 1 });
    await hub.infra.jobs.idle();
    expect(await deliveryOf(id, doomed.id)).toMatchObject({ state: 'delivered', attempts: 13 });

    // One delivery again, by hand: the same webhook-id, a new attempt in its log.
    const row = await deliveryOf(id, after.id);
    await hub.http.post(`/api/webhooks/endpoints/${id}/deliveries/${row.id}/replay`).set(admin.auth).expect(202);
    await hub.infra.jobs.idle();
    expect(receivedIds('/replay').filter((hit) => hit === after.id)).toHaveLength(2);
    const detail = await hub.http.get(`/api/webhooks/endpoints/${id}/deliveries/${row.id}`).set(admin.auth).expect(200);
    expect(detail.body).toMatchObject({ state: 'delivered', eventId: after.id });
    expect(detail.body.attemptLog.map((a: { ok: boolean }) => a.ok)).toEqual([true, true]);
  });

  // Last: it moves the clock a month on.
  it('prunes the delivery log after 30 days, keeping what is still pending', async () => {
    const id = await endpoint('/pruned');
    const done = event('conv-p');
    await publish(done);
    await hub.infra.jobs.idle();
    expect(await deliveryOf(id, done.id)).toMatchObject({ state: 'delivered' });
    const doneRow = await deliveryOf(id, done.id);
    receiver.down.add('/pruned');
    const waiting = event('conv-q');
    await publish(waiting);
    await hub.infra.jobs.idle();

    // The daily pruning (set at start for the next midnight, UTC) runs when the clock gets there, a month on.
    clock.advance(31 * 24 * HOUR);
    await hub.infra.jobs.idle();
    await eventually(() => hub.infra.db.webhookDelivery.findUnique({ where: { id: doneRow.id } }), (row) => row === null);
    expect(await hub.infra.db.webhookAttempt.count({ where: { deliveryId: doneRow.id } })).toBe(0);
    expect(await deliveryOf(id, waiting.id)).toMatchObject({ state: 'pending' });
    receiver.down.delete('/pruned');
  });

  it('keeps the endpoints to administrators, and another team’s to that team', async () => {
    const id = await endpoint('/private');
    const operator = await addMember(hub, team, { role: 'supervisor' });
    const forbidden = await hub.http.get('/api/webhooks/endpoints').set(operator.auth).expect(403);
    expect(forbidden.body.code).toBe('forbidden');
    await hub.http.post(`/api/webhooks/endpoints/${id}/ping`).set(operator.auth).expect(403);
    const other = await createTeam(hub, 'Other');
    await hub.http.get(`/api/webhooks/endpoints/${id}`).set(other.admin.auth).expect(404);
    await hub.http.post(`/api/webhooks/endpoints/${id}/ping`).set(other.admin.auth).expect(404);
    const list = await hub.http.get('/api/webhooks/endpoints').set(other.admin.auth).expect(200);
    expect(list.body.items).toEqual([]);
    // Another team's event never reaches this team's endpoint.
    expect(await publishLogged(hub, { ...event('conv-x'), teamId: other.teamId })).toBe(0);
    expect(await publishLogged(hub, { ...event('conv-x'), teamId: other.teamId }, { endpointId: id })).toBe(0);
  });
});
