import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { signLineBody } from '../fakes/line-fake.js';
import type { LineFake } from '../fakes/line-fake.js';
import { Addresses, HttpClient, balancedSocket, pace } from './clients.js';

/** What a scenario's load is made of; the defaults fit CI on 2 cores, the environment makes it bigger. */
export interface LoadSize {
  visitors: number;
  agents: number;
  lineUsers: number;
  webhooks: number;
  messagesPerVisitor: number;
  /** How long the load lasts (the fault happens inside it). */
  durationMs: number;
}

export function loadSize(): LoadSize {
  const number = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);
  return {
    visitors: number('CLUSTER_VISITORS', 40),
    agents: number('CLUSTER_AGENTS', 6),
    lineUsers: number('CLUSTER_LINE_USERS', 20),
    webhooks: number('CLUSTER_WEBHOOKS', 200),
    messagesPerVisitor: number('CLUSTER_MESSAGES_PER_VISITOR', 3),
    durationMs: number('CLUSTER_LOAD_SECONDS', 24) * 1000,
  };
}

export interface Setup {
  url: string;
  admin: HttpClient;
  adminAuth: Record<string, string>;
  webchatId: string;
  lineId: string;
  lineSecret: string;
  /** The staff LINE groups the reports go to: takings and ordinary endings, and bookings. */
  reportGroups: { callCenter: string; bookings: string };
}

const LINE_SECRET = 'cluster-line-secret';
export const LINE_TOKEN = 'cluster-line-token';

/**
 * The team as the scenarios need it: agents who can hold every chat, offers that wait long enough, two channels, and
 * reports to two staff LINE groups (each accept and each ending posts one).
 */
export async function setUpTeam(url: string, admin: { email: string; password: string }, line: LineFake): Promise<Setup> {
  const client = new HttpClient(url, '127.0.0.1');
  const login = await client.send('POST', '/api/auth/login', { body: admin });
  if (login.status !== 200) throw new Error(`admin login: ${login.status} ${JSON.stringify(login.json)}`);
  const adminAuth = { authorization: `Bearer ${(login.json as { accessToken: string }).accessToken}` };
  const settings = { defaultCapacity: 100, offerTimeoutSeconds: 30, offerFanout: 3, ignoredOffersBeforeBreak: 100, slowReplySeconds: null, presenceGraceSeconds: 600 };
  await expectStatus(client.send('PATCH', '/api/teams/current', { headers: adminAuth, body: { settings } }), 200, 'team settings');
  // The administrator is not one of the load's agents: no chat is offered to them.
  await expectStatus(client.send('PUT', '/api/members/me/status', { headers: adminAuth, body: { status: 'offline' } }), 200, 'admin offline');
  const webchat = await expectStatus(client.send('POST', '/api/channels', { headers: adminAuth, body: { type: 'webchat', provider: 'webchat', name: 'Shop', config: {} } }), 201, 'webchat');
  const lineChannel = await expectStatus(
    client.send('POST', '/api/channels', {
      headers: adminAuth,
      body: { type: 'line', provider: 'line', name: 'LINE', config: { channelSecret: LINE_SECRET, channelAccessToken: LINE_TOKEN, apiBaseUrl: line.url } },
    }),
    201,
    'line channel',
  );
  const lineId = (lineChannel as { id: string }).id;
  const reportGroups = { callCenter: `C${'1'.repeat(32)}`, bookings: `C${'2'.repeat(32)}` };
  for (const [groupId, name] of [[reportGroups.callCenter, 'Call center'], [reportGroups.bookings, 'Bookings']]) {
    line.setGroup(groupId, name);
    // The bot joins the group: LINE tells the hub with a join event, and only then may reports go there.
    const join = { type: 'join', mode: 'active', timestamp: Date.now(), source: { type: 'group', groupId }, webhookEventId: `01JOIN${groupId.slice(1, 21)}`, deliveryContext: { isRedelivery: false }, replyToken: randomUUID().replaceAll('-', '') };
    const raw = JSON.stringify({ destination: 'U' + '0'.repeat(32), events: [join] });
    await expectStatus(client.send('POST', `/webhooks/line/${lineId}`, { body: raw, headers: { 'x-line-signature': signLineBody(LINE_SECRET, raw) } }), 200, 'join');
    for (let attempt = 0; ; attempt++) {
      const groups = (await client.send('GET', `/api/channels/${lineId}/groups`, { headers: adminAuth })).json as { items?: { groupId: string }[] };
      if (groups.items?.some((group) => group.groupId === groupId)) break;
      if (attempt === 100) throw new Error(`the hub never recorded the join of ${name}`);
      await pace(100);
    }
  }
  const targets = { callCenter: { channelId: lineId, groupId: reportGroups.callCenter }, bookings: { channelId: lineId, groupId: reportGroups.bookings } };
  await expectStatus(client.send('PUT', '/api/teams/current/report-targets', { headers: adminAuth, body: targets }), 200, 'report targets');
  return { url, admin: client, adminAuth, webchatId: (webchat as { id: string }).id, lineId, lineSecret: LINE_SECRET, reportGroups };
}

async function expectStatus(answer: Promise<{ status: number; json: unknown }>, status: number, what: string): Promise<unknown> {
  const { status: got, json } = await answer;
  if (got !== status) throw new Error(`${what}: ${got} ${JSON.stringify(json)}`);
  return json;
}

interface InboxMessageEvent {
  id: string;
  conversationId: string;
  direction: 'in' | 'out';
  body: string;
  author: { type: string };
  /** `failed` for a reply the hub withdrew or could not deliver: the customer never saw it. */
  status: string;
}

/**
 * An agent as the inbox behaves: rings on an offer and accepts it, shows the customer's messages of the chats it
 * holds (live, and by reloading a chat after an accept or a reconnection) and answers each once. A reply whose
 * answer was lost (the hub died after or before the commit) is looked up before it is typed again: the API has no
 * idempotency key, so a blind retry would be a second message.
 */
export class LoadAgent {
  readonly socket: Socket;
  /** Inbound message id -> how many times the agent saw it arrive (live or reloaded), deduplicated by id as the inbox does. */
  readonly shown = new Map<string, string>();
  readonly replied = new Set<string>();
  readonly mine = new Set<string>();
  transfers = 0;
  resolved = 0;
  /** Replies the hub withdrew (another agent's greeting a moment before) and the agent sent again. */
  withdrawn = 0;
  readonly errors: string[] = [];
  reconnects = 0;
  /** Told each time a customer's message is first shown live: the soak's webhook-to-agent latency. */
  onShown: ((body: string) => void) | null = null;
  /** Told of every customer's message this agent is shown, live or reloaded, with its chat: the soak finds chats by it. */
  onSeen: ((body: string, conversationId: string) => void) | null = null;
  /** Chats handed to a colleague and not answered here meanwhile, until when: the lists may still show them as ours. */
  private readonly givingAway = new Map<string, number>();
  private readonly queue = new Map<string, Promise<void>>();
  private readonly sweeper: NodeJS.Timeout;

  private constructor(
    readonly memberId: string,
    private readonly http: HttpClient,
    private readonly auth: Record<string, string>,
    url: string,
    token: string,
    sweepEveryMs: number,
  ) {
    this.socket = balancedSocket(url, '/inbox', http.localAddress, () => ({ token }));
    this.socket.on('offer', (offer: { conversationId: string }) => this.onConversation(offer.conversationId, true));
    this.socket.on('message.created', (message: InboxMessageEvent) => {
      if (this.mine.has(message.conversationId)) this.onInbound(message);
    });
    this.socket.io.on('reconnect', () => {
      this.reconnects++;
      for (const conversationId of this.mine) this.onConversation(conversationId, false);
    });
    this.sweeper = setInterval(() => void this.sweep(), sweepEveryMs);
  }

  /**
   * What an agent does with the inbox's lists: takes a chat from the waiting queue (its offers expired unanswered
   * while the agents' devices were away) and opens a chat that is theirs but that they did not accept on this screen
   * (the accept's answer was lost). Chats already open are not reloaded here: a live message that never came stays
   * missing, for the audit to find.
   */
  private async sweep(): Promise<void> {
    const waiting = await this.tryGet<{ items: { id: string; assigneeId: string | null }[] }>('/api/conversations?view=waiting&limit=200');
    for (const conversation of waiting?.items ?? []) if (!conversation.assigneeId && !this.queue.has(conversation.id)) this.onConversation(conversation.id, true);
    const mine = await this.tryGet<{ items: { id: string }[] }>('/api/conversations?view=mine&limit=200');
    for (const conversation of mine?.items ?? []) {
      if (this.mine.has(conversation.id) || (this.givingAway.get(conversation.id) ?? 0) > Date.now()) continue;
      this.mine.add(conversation.id);
      this.onConversation(conversation.id, false);
    }
  }

  /**
   * `sweepEveryMs`: how often the agent looks at the waiting and "mine" lists. Often under faults, where offers expire
   * while devices are away; seldom in a steady load, where each look is a cost the hubs would not see from people.
   */
  static async signUp(setup: Setup, inviteCode: string, index: number, localAddress: string, sweepEveryMs = 3_000): Promise<LoadAgent> {
    const http = new HttpClient(setup.url, localAddress);
    const email = `agent${index}-${randomUUID().slice(0, 8)}@cluster.example`;
    const password = 'correct horse battery';
    const member = (await expectStatus(http.send('POST', '/api/auth/signup', { body: { inviteCode, email, password, name: `Agent ${index}` } }), 201, 'signup')) as { id: string };
    const session = (await expectStatus(http.send('POST', '/api/auth/login', { body: { email, password } }), 200, 'login')) as { accessToken: string };
    const auth = { authorization: `Bearer ${session.accessToken}` };
    await expectStatus(http.send('PUT', '/api/members/me/status', { headers: auth, body: { status: 'online' } }), 200, 'online');
    return new LoadAgent(member.id, http, auth, setup.url, session.accessToken, sweepEveryMs);
  }

  /** One chain per conversation: its accept, reloads and replies in order, as one agent's screen would. */
  private serial(conversationId: string, work: () => Promise<void>): void {
    const previous = this.queue.get(conversationId) ?? Promise.resolve();
    const next = previous.then(work).catch((error: unknown) => {
      this.errors.push(`${conversationId}: ${error instanceof Error ? error.message : String(error)}`);
    });
    this.queue.set(conversationId, next);
  }

  private onConversation(conversationId: string, offered: boolean): void {
    this.serial(conversationId, async () => {
      if (offered && !this.mine.has(conversationId)) {
        if (!(await this.accept(conversationId))) return;
        this.mine.add(conversationId);
      }
      await this.reload(conversationId);
    });
  }

  private async accept(conversationId: string): Promise<boolean> {
    for (let attempt = 0; attempt < 20; attempt++) {
      try {
        const answer = await this.http.send('POST', `/api/conversations/${conversationId}/accept`, { headers: this.auth });
        if (answer.status === 200) return true;
        if (answer.status === 409) return false;
      } catch {
        // The answer was lost: whether the accept was stored is read back below.
      }
      const conversation = await this.tryGet<{ assigneeId: string | null }>(`/api/conversations/${conversationId}`);
      if (conversation?.assigneeId === this.memberId) return true;
      if (conversation?.assigneeId) return false;
      await pace(300);
    }
    throw new Error('accept never answered');
  }

  private async reload(conversationId: string): Promise<void> {
    const page = await this.getWithRetry<{ items: InboxMessageEvent[] }>(`/api/conversations/${conversationId}/messages?limit=200`);
    // What a colleague already answered before handing the chat over is not answered again.
    const answered = new Set(page.items.filter((message) => message.direction === 'out' && message.status !== 'failed').map((message) => message.body));
    for (const message of page.items) {
      if (message.direction === 'in' && answered.has(`re ${message.body}`)) {
        this.shown.set(message.id, message.body);
        this.replied.add(message.id);
      } else this.onInbound(message, false);
    }
  }

  private onInbound(message: InboxMessageEvent, live = true): void {
    if (message.direction !== 'in' || message.author.type !== 'contact') return;
    if (live && !this.shown.has(message.id)) this.onShown?.(message.body);
    this.onSeen?.(message.body, message.conversationId);
    this.shown.set(message.id, message.body);
    if (this.replied.has(message.id)) return;
    this.replied.add(message.id);
    const body = `re ${message.body}`;
    const reply = () => this.reply(message.conversationId, message.id, body);
    if (live) this.serial(message.conversationId, reply);
    else void reply().catch((error: unknown) => this.errors.push(String(error)));
  }

  /**
   * Hands a chat to a colleague, after the replies already on their way: from then on this agent answers nothing
   * in it; the colleague answers what is left once they accept. Should nobody accept, the chat comes back to the
   * "mine" list after the offer's time and is taken up again.
   */
  transfer(conversationId: string, memberId: string): void {
    this.serial(conversationId, async () => {
      if (!this.mine.has(conversationId)) return;
      this.mine.delete(conversationId);
      this.givingAway.set(conversationId, Date.now() + 45_000);
      for (let attempt = 0; attempt < 20; attempt++) {
        try {
          const answer = await this.http.send('POST', `/api/conversations/${conversationId}/transfer`, { headers: this.auth, body: { memberId } });
          if (answer.status === 202) {
            this.transfers++;
            return;
          }
          // Taken, resolved or the colleague away meanwhile: the chat comes back through the lists.
          if (answer.status < 500 && answer.status !== 429) return;
        } catch {
          // The answer was lost: a transfer stored meanwhile stays one, and a second one is refused.
        }
        await pace(500);
      }
      throw new Error('transfer never answered');
    });
  }

  /** Ends a chat as the agent does once the customer is done: a booking now and then, the call center told. */
  resolve(conversationId: string, outcome: 'booked' | 'not_booked'): void {
    this.serial(conversationId, async () => {
      for (let attempt = 0; attempt < 20; attempt++) {
        try {
          const answer = await this.http.send('POST', `/api/conversations/${conversationId}/resolve`, { headers: this.auth, body: { outcome } });
          // 409: already resolved, by this request whose answer was lost.
          if (answer.status === 200 || answer.status === 409) {
            this.mine.delete(conversationId);
            this.resolved++;
            return;
          }
          if (answer.status < 500 && answer.status !== 429) throw new Error(`resolve refused: ${answer.status} ${JSON.stringify(answer.json)}`);
        } catch (error) {
          if (error instanceof Error && error.message.startsWith('resolve refused')) throw error;
        }
        await pace(500);
      }
      throw new Error('resolve never answered');
    });
  }

  private async reply(conversationId: string, messageId: string, body: string): Promise<void> {
    if (!this.mine.has(conversationId)) {
      // Handed over after this message came: the colleague answers it (or this agent does, should it come back).
      this.replied.delete(messageId);
      return;
    }
    for (let attempt = 0; attempt < 40; attempt++) {
      try {
        const answer = await this.http.send('POST', `/api/conversations/${conversationId}/messages`, { headers: this.auth, body: { body } });
        if (answer.status === 201) {
          if ((answer.json as InboxMessageEvent).status !== 'failed') return;
          // Withdrawn before delivery: a colleague greeted this customer within the hub's guard second (the chat was
          // handed over faster than a person hands one over). The agent reads the notice and sends it again.
          this.withdrawn++;
          await pace(1_000);
          continue;
        }
        if (answer.status < 500 && answer.status !== 429) throw new Error(`reply refused: ${answer.status} ${JSON.stringify(answer.json)}`);
      } catch (error) {
        if (error instanceof Error && error.message.startsWith('reply refused')) throw error;
      }
      // Before typing it again, look whether the hub stored it.
      const page = await this.tryGet<{ items: InboxMessageEvent[] }>(`/api/conversations/${conversationId}/messages?limit=200`);
      if (page?.items.some((message) => message.body === body && message.status !== 'failed')) return;
      await pace(500);
    }
    throw new Error(`reply never stored: ${body}`);
  }

  private async tryGet<T>(path: string): Promise<T | null> {
    try {
      const answer = await this.http.send('GET', path, { headers: this.auth });
      return answer.status === 200 ? (answer.json as T) : null;
    } catch {
      return null;
    }
  }

  private async getWithRetry<T>(path: string): Promise<T> {
    for (let attempt = 0; attempt < 60; attempt++) {
      const value = await this.tryGet<T>(path);
      if (value) return value;
      await pace(500);
    }
    throw new Error(`GET ${path} never answered`);
  }

  /** Resolves when every chain of work the agent started has ended. */
  async idle(): Promise<void> {
    for (;;) {
      const pending = [...this.queue.values()];
      await Promise.all(pending);
      if (pending.length === this.queue.size) return;
    }
  }

  /** The agent's HTTP requests so far, and how many of them failed. */
  requestCounts(): { requests: number; failures: number } {
    return { requests: this.http.requests, failures: this.http.failures };
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    this.socket.close();
    await this.http.close();
  }
}

interface WidgetMessage {
  id: string;
  seq: string;
  direction: 'in' | 'out';
  body: string;
}

/**
 * A web chat visitor as the widget behaves: keeps its visitor id and the highest `seq` it holds and hands both to
 * each reconnection, sends each message with a client id and sends it again with the same id until the ack comes.
 */
export class LoadVisitor {
  readonly socket: Socket;
  visitorId: string | undefined;
  lastSeq: string | undefined;
  /** Message id -> body: what the widget shows, one line per id. */
  readonly shown = new Map<string, string>();
  /** Each of the visitor's own messages, by body, with the id its ack gave. */
  readonly sent = new Map<string, string | null>();
  resends = 0;
  /** Told of each message the widget shows for the first time (the agents' replies among them). */
  onShown: ((body: string) => void) | null = null;

  constructor(url: string, channelId: string, localAddress: string) {
    this.socket = balancedSocket(url, '/widget', localAddress, () => ({ channelId, ...(this.visitorId ? { visitorId: this.visitorId } : {}), ...(this.lastSeq ? { afterSeq: this.lastSeq } : {}) }));
    this.socket.on('session', (session: { visitorId: string; messages: WidgetMessage[] }) => {
      this.visitorId = session.visitorId;
      for (const message of session.messages) this.add(message);
    });
    this.socket.on('message', (message: WidgetMessage) => this.add(message));
  }

  private add(message: WidgetMessage): void {
    if (!this.shown.has(message.id)) this.onShown?.(message.body);
    this.shown.set(message.id, message.body);
    if (!this.lastSeq || BigInt(message.seq) > BigInt(this.lastSeq)) this.lastSeq = message.seq;
  }

  async say(body: string): Promise<void> {
    const clientId = randomUUID().replaceAll('-', '');
    this.sent.set(body, null);
    const deadline = Date.now() + 180_000;
    while (Date.now() < deadline) {
      try {
        const ack = (await this.socket.timeout(10_000).emitWithAck('message', { body, clientId })) as { ok: boolean; id?: string; code?: string; retryAfterSeconds?: number };
        if (ack.ok) {
          this.sent.set(body, ack.id ?? null);
          return;
        }
        // The widget shows these refusals and keeps the text for the visitor to send again: nothing of it was stored.
        if (ack.code !== 'rate_limited' && ack.code !== 'internal_error' && ack.code !== 'ingest_busy') throw new Error(`message refused: ${ack.code}`);
      } catch (error) {
        if (error instanceof Error && error.message.startsWith('message refused')) throw error;
      }
      this.resends++;
      await pace(500);
    }
    throw new Error(`no ack for ${body}`);
  }

  close(): void {
    this.socket.close();
  }
}

// How long the provider waits for the answer before it counts the delivery as failed and sends it again (Twilio
// documents 15 s; LINE gives no figure and redelivers the same way).
const WEBHOOK_TIMEOUT_MS = 15_000;

/** One LINE webhook as LINE sends it: a user's text, with the event id LINE keeps on its redeliveries. */
export interface LineWebhook {
  userId: string;
  body: string;
  webhookEventId: string;
  messageId: string;
  /** Attempts it took (LINE redelivers the same event); 0 until sent. */
  attempts: number;
  acceptedAt: number | null;
}

/**
 * LINE's side of the webhooks: signed posts through the balancer, each redelivered with the same
 * `webhookEventId` (and `deliveryContext.isRedelivery`) after a 5xx, a refused connection or no answer within the
 * timeout, with growing pauses, until a 2xx, as LINE's webhook redelivery does.
 */
export class LineSender {
  readonly webhooks: LineWebhook[] = [];
  /** Why deliveries were repeated: a status, or the network error. */
  readonly failures = new Map<string, number>();
  private readonly clients: HttpClient[];

  constructor(
    private readonly setup: Setup,
    addresses: Addresses,
    count: number,
  ) {
    // LINE posts from several addresses of its own.
    this.clients = Array.from({ length: count }, () => new HttpClient(setup.url, addresses.take()));
  }

  async deliver(webhook: LineWebhook, client = this.clients[this.webhooks.length % this.clients.length]): Promise<void> {
    this.webhooks.push(webhook);
    let pause = 500;
    const deadline = Date.now() + 300_000;
    while (Date.now() < deadline) {
      const event = {
        type: 'message',
        mode: 'active',
        timestamp: Date.now(),
        source: { type: 'user', userId: webhook.userId },
        webhookEventId: webhook.webhookEventId,
        deliveryContext: { isRedelivery: webhook.attempts > 0 },
        message: { id: webhook.messageId, type: 'text', text: webhook.body, quoteToken: `q${webhook.webhookEventId}` },
      };
      const raw = JSON.stringify({ destination: 'U' + '0'.repeat(32), events: [event] });
      webhook.attempts++;
      try {
        const answer = await client.send('POST', `/webhooks/line/${this.setup.lineId}`, {
          body: raw,
          headers: { 'x-line-signature': signLineBody(this.setup.lineSecret, raw) },
          timeoutMs: WEBHOOK_TIMEOUT_MS,
        });
        if (answer.status >= 200 && answer.status < 300) {
          webhook.acceptedAt = Date.now();
          return;
        }
        this.failed(String(answer.status));
        if (answer.status < 500 && answer.status !== 429) throw new Error(`webhook refused: ${answer.status} ${JSON.stringify(answer.json)}`);
      } catch (error) {
        if (error instanceof Error && error.message.startsWith('webhook refused')) throw error;
        this.failed(error instanceof Error ? error.message : String(error));
      }
      await pace(pause);
      pause = Math.min(pause * 2, 5_000);
    }
    throw new Error(`webhook ${webhook.webhookEventId} never accepted`);
  }

  /** LINE's requests so far, and how many of them failed. */
  requestCounts(): { requests: number; failures: number } {
    return this.clients.reduce((sum, client) => ({ requests: sum.requests + client.requests, failures: sum.failures + client.failures }), { requests: 0, failures: 0 });
  }

  private failed(reason: string): void {
    this.failures.set(reason, (this.failures.get(reason) ?? 0) + 1);
  }

  async close(): Promise<void> {
    await Promise.all(this.clients.map((client) => client.close()));
  }
}
