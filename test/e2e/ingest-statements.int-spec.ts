import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import type { Socket } from 'socket.io-client';
import request from 'supertest';
import { signLineBody, startLineFake } from '../fakes/line-fake.js';
import type { LineFake } from '../fakes/line-fake.js';
import { postSignedTwilioForm } from '../fakes/twilio-fake.js';
import { eventually } from '../support/eventually.js';
import { connect, nextEvent, sleep } from '../support/sockets.js';
import { TestHub, TestMember, createTeam, startTestHub } from '../support/test-hub.js';

const PUBLIC_URL = 'https://hub.example.test';
const ACCOUNT_SID = 'AC' + 'c'.repeat(32);
const AUTH_TOKEN = 'twilio-auth-token-0123456789';

/**
 * The database work of one Twilio SMS webhook, counted on the wire's side of the driver: every statement the hub's
 * `pg` clients send (BEGIN and COMMIT included) from the request until the hub falls quiet again, follow-ups
 * (routing's offer) included. Unlike throughput, the count does not depend on how busy the machine is, so it is the
 * figure the hot path's budget is written in. The budgets fail a change that adds round trips to the hot path.
 */
class StatementCounter {
  statements = 0;
  transactions = 0;
  private readonly original = pg.Client.prototype.query;

  install(): void {
    const original = this.original;
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const counter = this;
    pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
      const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string } | undefined)?.text;
      counter.statements++;
      trace(String(text).replace(/\s+/g, ' ').slice(0, 200));
      if (text && /^\s*BEGIN\b/i.test(text)) counter.transactions++;
      return (original as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof pg.Client.prototype.query;
  }

  uninstall(): void {
    pg.Client.prototype.query = this.original;
  }

  /** What `work` and whatever it set going cost, once no statement has been sent for `quietMs`. */
  async measure(work: () => Promise<void>): Promise<{ request: Cost; total: Cost }> {
    // What came before (an earlier webhook's follow-ups) is not charged to this one.
    await this.quiet();
    trace('-- measured from here');
    const start = this.snapshot();
    await work();
    const request = this.since(start);
    trace('-- answered');
    await this.quiet();
    trace('-- quiet');
    return { request, total: this.since(start) };
  }

  private async quiet(quietMs = 400): Promise<void> {
    let last = this.statements;
    let quietSince = Date.now();
    while (Date.now() - quietSince < quietMs) {
      await sleep(50);
      if (this.statements !== last) {
        last = this.statements;
        quietSince = Date.now();
      }
    }
  }

  private snapshot(): Cost {
    return { statements: this.statements, transactions: this.transactions };
  }

  private since(start: Cost): Cost {
    return { statements: this.statements - start.statements, transactions: this.transactions - start.transactions };
  }
}

/** STATEMENTS_TRACE=1 prints each statement, to see where they come from. */
function trace(line: string): void {
  if (process.env.STATEMENTS_TRACE) process.stdout.write(`${line}\n`);
}

interface Cost {
  statements: number;
  transactions: number;
}

let sidCounter = 0;
const newSid = () => `SM${(Date.now().toString(16) + (sidCounter++).toString(16)).padStart(32, '0')}`;

/**
 * A hub with one channel (`channel` makes it for the team's administrator) and that administrator online with the
 * inbox open, as in the benchmark, so that a new conversation is offered; the counter runs from then on. `webhook`
 * posts what `post` sends and waits until the agent's socket shows the message.
 */
function countedHub(channel: (hub: TestHub, admin: TestMember) => Promise<string>) {
  const counted = { hub: undefined as unknown as TestHub, channelId: '', counter: new StatementCounter(), admin: undefined as unknown as TestMember };
  let agent: Socket;
  beforeAll(async () => {
    counted.hub = await startTestHub({ PUBLIC_URL });
    const { admin } = await createTeam(counted.hub);
    counted.admin = admin;
    counted.channelId = await channel(counted.hub, admin);
    await counted.hub.http.put('/api/members/me/status').set(admin.auth).send({ status: 'online' }).expect(200);
    agent = await connect(counted.hub.url, '/inbox', { token: admin.token });
    counted.counter.install();
  });
  afterAll(async () => {
    counted.counter.uninstall();
    agent?.close();
    await counted.hub?.stop();
  });
  const webhook = async (body: string, post: () => Promise<unknown>) => {
    const created = nextEvent<{ body: string }>(agent, 'message.created', (m) => m.body === body, 15_000);
    await post();
    await created;
  };
  return { counted, webhook };
}

describe('statements per Twilio SMS webhook', () => {
  const { counted, webhook: shown } = countedHub(async (hub, admin) => {
    const config = { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, apiBaseUrl: 'http://127.0.0.1:9', sendsPerSecond: 200, from: '+15005550006' };
    return (await hub.http.post('/api/channels').set(admin.auth).send({ type: 'sms', provider: 'twilio', name: 'SMS', config }).expect(201)).body.id;
  });
  const counter = counted.counter;

  function webhook(from: string, body: string): Promise<void> {
    const params = { MessageSid: newSid(), AccountSid: ACCOUNT_SID, From: from, To: '+15005550006', Body: body, NumMedia: '0' };
    return shown(body, () => postSignedTwilioForm(counted.hub.url, PUBLIC_URL, `/webhooks/twilio/${counted.channelId}`, AUTH_TOKEN, params).expect(200));
  }

  it('costs a new sender at most its budget, offer included', async () => {
    // The first webhook of a channel warms what is cached (the channel account, the team's keywords): not counted.
    await webhook('+819000000001', 'warm');

    const cost = await counter.measure(() => webhook('+819000000002', 'はじめまして'));

    process.stdout.write(`new sender: ${JSON.stringify(cost)}\n`);
    // 4, no transaction: the message with its new contact and conversation (one statement), the online members with
    // their loads, the conversation's claim with its offers (one statement), the follow-up marker's clearing; and a
    // fifth where an offered member has a push subscription (the offer rings on their phones too: the warm-up asked). The channel account and the team's
    // settings are not among them: cached until changed (`STATEMENTS_TRACE=1` lists them).
    expect(cost.total.statements).toBeLessThanOrEqual(5);
    expect(cost.total.transactions).toBe(0);
  });

  it('costs a known sender with an open conversation at most its budget', async () => {
    await webhook('+819000000003', '一通目');

    const cost = await counter.measure(() => webhook('+819000000003', '二通目'));

    process.stdout.write(`known sender: ${JSON.stringify(cost)}\n`);
    // One statement, no transaction around it: the conversation upserted and the message inserted beside the sender's lookup.
    expect(cost.total.statements).toBeLessThanOrEqual(1);
    expect(cost.total.transactions).toBe(0);
  });

  it('costs a known sender in a chat an agent holds one statement, the push to the agent’s devices included', async () => {
    await webhook('+819000000004', '一通目');
    const chat = await counted.hub.infra.db.conversation.findFirstOrThrow({ where: { contact: { identities: { some: { address: '+819000000004' } } } } });
    await counted.hub.http.post(`/api/conversations/${chat.id}/accept`).set(counted.admin.auth).expect(200);
    // The agent's second message warms whether they have push subscriptions (they have none): not counted.
    await webhook('+819000000004', '二通目');

    const cost = await counter.measure(() => webhook('+819000000004', '三通目'));

    process.stdout.write(`known sender, chat held: ${JSON.stringify(cost)}\n`);
    // The message's statement only: an agent without a push subscription costs none (known until they register one).
    expect(cost.total.statements).toBeLessThanOrEqual(1);
    expect(cost.total.transactions).toBe(0);
  });
});

describe('statements per LINE webhook', () => {
  const SECRET = 'line-channel-secret';
  let fake: LineFake;
  let events = 0;
  const { counted, webhook: shown } = countedHub(async (hub, admin) => {
    fake = await startLineFake({ channelAccessToken: 'line-access-token' });
    const config = { channelSecret: SECRET, channelAccessToken: 'line-access-token', apiBaseUrl: fake.url };
    return (await hub.http.post('/api/channels').set(admin.auth).send({ type: 'line', provider: 'line', name: 'LINE', config }).expect(201)).body.id;
  });
  const counter = counted.counter;

  afterAll(async () => {
    await fake?.close();
  });

  function webhook(userId: string, text: string): Promise<void> {
    const event = {
      type: 'message',
      mode: 'active',
      timestamp: Date.now(),
      webhookEventId: `01STATEMENTS${String(events++).padStart(14, '0')}`,
      deliveryContext: { isRedelivery: false },
      source: { type: 'user', userId },
      replyToken: `reply-token-${events}`,
      message: { id: String(900_000 + events), type: 'text', text, quoteToken: 'q' },
    };
    const body = JSON.stringify({ destination: 'U' + '0'.repeat(32), events: [event] });
    return shown(text, () =>
      request(counted.hub.url).post(`/webhooks/line/${counted.channelId}`).set('content-type', 'application/json').set('x-line-signature', signLineBody(SECRET, body)).send(body).expect(200),
    );
  }

  const userId = (n: number) => `U${String(n).padStart(32, '0')}`;

  it('costs a new LINE customer at most its budget, offer and naming from the profile included', async () => {
    fake.setProfile(userId(2), { displayName: '葛西 花子' });
    await webhook(userId(1), 'warm');

    const cost = await counter.measure(() => webhook(userId(2), 'はじめまして'));

    process.stdout.write(`new LINE customer: ${JSON.stringify(cost)}\n`);
    // 8, no transaction: the message with its new contact and conversation, the naming request's row (kept until the
    // name is in, so that a lost job is taken up again), the members and their loads, the claim with its offers, the
    // offered members' push subscriptions, then the name from LINE's profile, the row's deletion and the follow-up
    // marker's clearing.
    expect(cost.total.statements).toBeLessThanOrEqual(8);
    expect(cost.total.transactions).toBe(0);
    expect((await counted.hub.infra.db.contact.findFirstOrThrow({ where: { identities: { some: { address: userId(2) } } } })).name).toBe('葛西 花子');
  });

  it('costs an agent’s reply to LINE at most its budget, its delivery included', async () => {
    await webhook(userId(4), '予約できますか');
    const { hub, admin } = counted;
    const conversation = await hub.infra.db.conversation.findFirstOrThrow({ where: { contact: { identities: { some: { address: userId(4) } } } } });
    await hub.http.post(`/api/conversations/${conversation.id}/accept`).set(admin.auth).expect(200);
    await hub.http.post(`/api/conversations/${conversation.id}/messages`).set(admin.auth).send({ body: 'warm' }).expect(201);
    await eventually(async () => fake.pushesTo(userId(4)).length, (n) => n === 1);

    const cost = await counter.measure(async () => {
      await hub.http.post(`/api/conversations/${conversation.id}/messages`).set(admin.auth).send({ body: 'ご予約承りました' }).expect(201);
      await eventually(async () => fake.pushesTo(userId(4)).length, (n) => n === 2);
    });

    process.stdout.write(`agent's reply to LINE: ${JSON.stringify(cost)}\n`);
    // 16 (was 37), one transaction. The request: the member, the conversation with its channel and contact, the
    // consent ledger, then the transaction (the conversation's lock, the greeting guard's read, the message, its
    // delivery row, the conversation's update). The delivery: its row with the message, the conversation and the
    // author in one read, the attempt's claim, the consent ledger again (a STOP may have come meanwhile), and the
    // send's record in one statement. The first-reply touch for sales is stored once, not again for every reply.
    expect(cost.total.statements).toBeLessThanOrEqual(16);
    expect(cost.total.transactions).toBe(1);
  });

  it('costs a known LINE customer one statement', async () => {
    await webhook(userId(3), '一通目');

    const cost = await counter.measure(() => webhook(userId(3), '二通目'));

    process.stdout.write(`known LINE customer: ${JSON.stringify(cost)}\n`);
    expect(cost.total.statements).toBeLessThanOrEqual(1);
    expect(cost.total.transactions).toBe(0);
  });
});
