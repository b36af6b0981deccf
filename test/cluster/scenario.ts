import { randomBytes } from 'node:crypto';
import type { LineFake } from '../fakes/line-fake.js';
import { sleep } from '../support/sockets.js';
import { Addresses, pace } from './clients.js';
import { LineSender, LineWebhook, LoadAgent, LoadSize, LoadVisitor, Setup } from './load.js';
import type { Topology } from './topology.js';

export interface ScenarioContext {
  topology: Topology;
  setup: Setup;
  line: LineFake;
  agents: LoadAgent[];
  size: LoadSize;
  visitorAddresses: Addresses;
  providerAddresses: Addresses;
}

/** What a fault reports about itself: figures printed with the scenario's own. */
export type FaultFigures = Record<string, string | number>;

export interface ScenarioResult {
  name: string;
  /** What went wrong: lost or duplicated messages, deliveries left, timers that did not fire. Empty when all held. */
  problems: string[];
  figures: Record<string, string | number>;
}

/** Whether every client socket is connected again: the clients' side of recovering from a fault. */
export function allConnected(agents: LoadAgent[], visitors: LoadVisitor[]): boolean {
  return agents.every((agent) => agent.socket.connected) && visitors.every((visitor) => visitor.socket.connected);
}

/** Seconds, one decimal, since `start` (Date.now()). */
export const secondsSince = (start: number) => Math.round((Date.now() - start) / 100) / 10;

/**
 * Runs one scenario: a fresh set of visitors and LINE users send for `size.durationMs` while `fault` runs at a third of
 * it; then waits until the load has settled (every message stored, seen by its agent, answered, the answer
 * delivered) or `settleMs` passed, and audits the database, the clients and the provider fake for loss and
 * duplication.
 */
export async function runScenario(
  name: string,
  context: ScenarioContext,
  fault: (visitors: LoadVisitor[]) => Promise<FaultFigures>,
  settleMs = 60_000,
): Promise<ScenarioResult> {
  const { size, setup, line, agents } = context;
  const tag = `${name}-${randomBytes(3).toString('hex')}`;
  const started = Date.now();
  const visitors = Array.from({ length: size.visitors }, () => new LoadVisitor(setup.url, setup.webchatId, context.visitorAddresses.take()));
  const sender = new LineSender(setup, context.providerAddresses, 4);
  const users = Array.from({ length: size.lineUsers }, () => `U${randomBytes(16).toString('hex')}`);
  for (const [index, user] of users.entries()) line.setProfile(user, { displayName: `LINE ${index}` });
  const errors: string[] = [];
  for (const agent of agents) agent.errors.length = 0;
  try {
    await waitFor(() => visitors.every((visitor) => visitor.visitorId !== undefined), 30_000, 'visitors connected');

    const visitorLoad = visitors.map(async (visitor, v) => {
      const gap = size.durationMs / size.messagesPerVisitor;
      await pace(Math.random() * gap);
      for (let n = 0; n < size.messagesPerVisitor; n++) {
        await visitor.say(`${tag}:w${v}:${n}`);
        await pace(gap * (0.5 + Math.random() * 0.5));
      }
    });
    let eventCounter = 0;
    const webhookLoad = (async () => {
      const inFlight: Promise<void>[] = [];
      const gap = size.durationMs / size.webhooks;
      for (let n = 0; n < size.webhooks; n++) {
        const user = n % users.length;
        const webhook: LineWebhook = {
          userId: users[user],
          body: `${tag}:l${user}:${n}`,
          webhookEventId: `01${tag.replace(/[^A-Za-z0-9]/g, '').toUpperCase()}${String(eventCounter++).padStart(12, '0')}`,
          messageId: `${Date.now()}${String(n).padStart(5, '0')}`,
          attempts: 0,
          acceptedAt: null,
        };
        inFlight.push(sender.deliver(webhook).catch((error: unknown) => void errors.push(String(error))));
        await pace(gap);
      }
      await Promise.all(inFlight);
    })();
    const faultRun = (async () => {
      await pace(size.durationMs / 3);
      return fault(visitors);
    })();
    const [faultFigures] = await Promise.all([faultRun, Promise.all(visitorLoad.map((load) => load.catch((error: unknown) => void errors.push(String(error))))), webhookLoad]);
    const loadSeconds = secondsSince(started);

    const settleStart = Date.now();
    let audit = await auditScenario(tag, context, visitors, sender, errors);
    while (audit.pending.length > 0 && Date.now() - settleStart < settleMs) {
      await sleep(200);
      audit = await auditScenario(tag, context, visitors, sender, errors);
    }
    await Promise.all(agents.map((agent) => agent.idle()));
    audit = await auditScenario(tag, context, visitors, sender, errors);
    const figures = {
      ...audit.figures,
      ...faultFigures,
      'load (s)': loadSeconds,
      'settled after the load (s)': secondsSince(settleStart),
      'webhook redeliveries': sender.webhooks.reduce((sum, webhook) => sum + Math.max(0, webhook.attempts - 1), 0),
      'webhook failures seen by LINE': [...sender.failures].map(([reason, n]) => `${reason} x${n}`).join(', ') || 'none',
      'visitor resends': visitors.reduce((sum, visitor) => sum + visitor.resends, 0),
      'replies withdrawn by the hub and sent again': agents.reduce((sum, agent) => sum + agent.withdrawn, 0),
    };
    const result = { name, problems: [...audit.problems, ...audit.pending.map((line) => `not settled: ${line}`)], figures };
    printResult(result);
    return result;
  } finally {
    for (const visitor of visitors) visitor.close();
    await sender.close();
  }
}

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

export interface Audit {
  /** Not yet there: may still come while the load settles. */
  pending: string[];
  /** Wrong for good: a duplicate never goes away. */
  problems: string[];
  figures: Record<string, number>;
}

const MAX_LISTED = 5;

/** Counts and compares what was sent, what the database holds, what agents, visitors and LINE received. */
export async function auditScenario(tag: string, context: ScenarioContext, visitors: LoadVisitor[], sender: LineSender, errors: string[]): Promise<Audit> {
  const { topology, line, agents } = context;
  const pending: string[] = [];
  const problems: string[] = [...errors, ...agents.flatMap((agent) => agent.errors)];
  const list = (what: string, items: string[], into: string[]) => {
    if (items.length > 0) into.push(`${items.length} ${what}: ${items.slice(0, MAX_LISTED).join(', ')}${items.length > MAX_LISTED ? ', ...' : ''}`);
  };

  // What the clients know they sent and were told was stored.
  const expected = new Set<string>();
  for (const visitor of visitors) for (const [body, id] of visitor.sent) if (id) expected.add(body);
  for (const webhook of sender.webhooks) if (webhook.acceptedAt) expected.add(webhook.body);
  const unsent = [...visitors.flatMap((visitor) => [...visitor.sent].filter(([, id]) => !id).map(([body]) => body)), ...sender.webhooks.filter((webhook) => !webhook.acceptedAt).map((webhook) => webhook.body)];
  list('sent but never acknowledged', unsent, pending);

  // A reply the hub withdrew before delivery (status failed, no delivery row) never reached the customer: it is not
  // counted as stored. A reply whose delivery failed is caught below, by its delivery row.
  const rows = await topology.query<{ id: string; body: string; direction: 'in' | 'out'; assignee: string | null; conversation: string }>(
    `SELECT m.id, m.body, m.direction, c.assignee_id AS assignee, c.id AS conversation FROM messages m JOIN conversations c ON c.id = m.conversation_id
     WHERE m.body LIKE $1 OR (m.body LIKE $2 AND NOT (m.status = 'failed' AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.message_id = m.id)))`,
    [`${tag}:%`, `re ${tag}:%`],
  );
  const inbound = rows.filter((row) => row.direction === 'in');
  const replies = rows.filter((row) => row.direction === 'out');
  const count = (items: string[]) => items.reduce((map, item) => map.set(item, (map.get(item) ?? 0) + 1), new Map<string, number>());
  const inboundCounts = count(inbound.map((row) => row.body));
  const replyCounts = count(replies.map((row) => row.body));
  list('messages stored more than once', [...inboundCounts].filter(([, n]) => n > 1).map(([body, n]) => `${body} x${n}`), problems);
  list('replies stored more than once', [...replyCounts].filter(([, n]) => n > 1).map(([body, n]) => `${body} x${n}`), problems);
  list('acknowledged but not stored', [...expected].filter((body) => !inboundCounts.has(body)), pending);

  const agentOf = new Map(agents.map((agent) => [agent.memberId, agent]));
  const unrouted = inbound.filter((row) => !row.assignee || !agentOf.has(row.assignee)).map((row) => row.body);
  list('messages in chats no load agent holds', unrouted, pending);
  const unseen = inbound.filter((row) => row.assignee && agentOf.get(row.assignee) && !agentOf.get(row.assignee)!.shown.has(row.id)).map((row) => row.body);
  list('messages their agent never saw', unseen, pending);
  const unanswered = inbound.filter((row) => !replyCounts.has(`re ${row.body}`)).map((row) => row.body);
  list('messages without a reply stored', unanswered, pending);
  // The same text under two ids would be shown twice by an inbox that deduplicates by id.
  for (const agent of agents) {
    const shown = count([...agent.shown.values()].filter((body) => body.startsWith(`${tag}:`)));
    list(`messages agent ${agent.memberId} shows twice`, [...shown].filter(([, n]) => n > 1).map(([body]) => body), problems);
  }

  // Deliveries: web chat replies to the visitor's widget, LINE replies to LINE.
  const visitorOf = new Map<string, LoadVisitor>();
  for (const visitor of visitors) for (const body of visitor.sent.keys()) visitorOf.set(body, visitor);
  const pushed = count(line.pushes.flatMap((push) => push.messages.map((message) => message.text ?? '')).filter((text) => text.startsWith(`re ${tag}:`)));
  const undelivered: string[] = [];
  let deliveredWeb = 0;
  let deliveredLine = 0;
  for (const reply of replyCounts.keys()) {
    const visitor = visitorOf.get(reply.slice(3));
    if (visitor) {
      const times = [...visitor.shown.values()].filter((body) => body === reply).length;
      if (times === 0) undelivered.push(reply);
      if (times > 1) problems.push(`visitor shows ${reply} ${times} times`);
      if (times > 0) deliveredWeb++;
    } else {
      const times = pushed.get(reply) ?? 0;
      if (times === 0) undelivered.push(reply);
      if (times > 1) problems.push(`LINE received ${reply} ${times} times`);
      if (times > 0) deliveredLine++;
    }
  }
  if (undelivered.length > 0) {
    // What the hub knows of each: the message's status, its delivery row, and whether its chat was handed over.
    const known = await topology.query<{ body: string; status: string; delivery: string | null; attempts: number | null; error: string | null; transfers: number }>(
      `SELECT m.body, m.status, d.state AS delivery, d.attempts, d.last_error AS error,
              (SELECT count(*)::int FROM transfers t WHERE t.conversation_id = m.conversation_id) AS transfers
       FROM messages m LEFT JOIN deliveries d ON d.message_id = m.id WHERE m.body = ANY($1::text[])`,
      [undelivered.slice(0, MAX_LISTED)],
    );
    const detail = new Map(known.map((row) => [row.body, `${row.body} (message ${row.status}, delivery ${row.delivery ?? 'none'}${row.attempts ? ` after ${row.attempts}` : ''}${row.error ? `: ${row.error}` : ''}, transfers ${row.transfers})`]));
    list('replies not delivered', undelivered.map((body) => detail.get(body) ?? body), pending);
  }
  for (const visitor of visitors) {
    const own = count([...visitor.shown.values()].filter((body) => body.startsWith(`${tag}:`)));
    list('visitor messages shown twice in their widget', [...own].filter(([, n]) => n > 1).map(([body]) => body), problems);
  }

  const [deliveries] = await topology.query<{ pending: number; failed: number }>(
    `SELECT count(*) FILTER (WHERE d.state = 'pending')::int AS pending, count(*) FILTER (WHERE d.state = 'failed')::int AS failed
     FROM deliveries d JOIN messages m ON m.id = d.message_id WHERE m.body LIKE $1`,
    [`re ${tag}:%`],
  );
  if (deliveries.pending > 0) {
    const stuck = await topology.query<{ body: string; attempts: number; error: string | null }>(
      `SELECT m.body, d.attempts, d.last_error AS error FROM deliveries d JOIN messages m ON m.id = d.message_id WHERE m.body LIKE $1 AND d.state = 'pending'`,
      [`re ${tag}:%`],
    );
    list('deliveries pending', stuck.map((row) => `${row.body} (attempts ${row.attempts}${row.error ? `, ${row.error}` : ''})`), pending);
  }
  if (deliveries.failed > 0) problems.push(`${deliveries.failed} deliveries failed`);
  // An offer still pending well after it expired is a timer that never fired.
  const [offers] = await topology.query<{ total: number; overdue: number; accepted: number; conversations: number }>(
    `SELECT count(*)::int AS total, count(*) FILTER (WHERE o.status = 'pending' AND o.expires_at < now() - interval '15 seconds')::int AS overdue,
            count(*) FILTER (WHERE o.status = 'accepted' AND o.transfer_id IS NULL)::int AS accepted, count(DISTINCT o.conversation_id)::int AS conversations
     FROM offers o WHERE o.conversation_id = ANY($1::text[])`,
    [[...new Set(inbound.map((row) => row.conversation))]],
  );
  if (offers.overdue > 0) problems.push(`${offers.overdue} offers pending after their deadline (a timer that never fired)`);
  if (offers.accepted > offers.conversations) problems.push(`${offers.accepted} offers accepted for ${offers.conversations} chats`);

  // Report posts to the staff groups: every accept posts "taking" once, each post reaches LINE once (its row id is
  // the X-Line-Retry-Key, so LINE itself refuses a second post of one row).
  const chats = [...new Set(inbound.map((row) => row.conversation))];
  const reports = await topology.query<{ id: string; kind: string; status: string; conversation: string; member: string | null }>(
    `SELECT id, kind, status, conversation_id AS conversation, member_id AS member FROM reports WHERE conversation_id = ANY($1::text[])`,
    [chats],
  );
  list('report posts pending', reports.filter((report) => report.status === 'pending').map((report) => `${report.kind} ${report.id}`), pending);
  list('report posts failed', reports.filter((report) => report.status === 'failed').map((report) => `${report.kind} ${report.id}`), problems);
  list('report posts marked sent that LINE never took', reports.filter((report) => report.status === 'sent' && line.acceptedWith(report.id) === 0).map((report) => `${report.kind} ${report.id}`), problems);
  const takings = count(reports.filter((report) => report.kind === 'taking').map((report) => `${report.conversation}/${report.member}`));
  list('accepts reported more than once', [...takings].filter(([, n]) => n > 1).map(([key, n]) => `${key} x${n}`), problems);
  const acceptedOffers = await topology.query<{ conversation: string; member: string }>(
    `SELECT DISTINCT conversation_id AS conversation, member_id AS member FROM offers WHERE status = 'accepted' AND conversation_id = ANY($1::text[])`,
    [chats],
  );
  list('accepts without their report post', acceptedOffers.filter((offer) => !takings.has(`${offer.conversation}/${offer.member}`)).map((offer) => `${offer.conversation}/${offer.member}`), pending);

  return {
    pending,
    problems,
    figures: {
      'web chat messages': visitors.reduce((sum, visitor) => sum + visitor.sent.size, 0),
      webhooks: sender.webhooks.length,
      'messages stored': inbound.length,
      'replies stored': replies.length,
      'replies delivered to widgets': deliveredWeb,
      'replies delivered to LINE': deliveredLine,
      offers: offers.total,
      chats: offers.conversations,
      'report posts sent': reports.filter((report) => report.status === 'sent').length,
    },
  };
}

export function printResult(result: ScenarioResult): void {
  const lines = [`scenario ${result.name}: ${result.problems.length === 0 ? '0 lost, 0 duplicated' : `${result.problems.length} problems`}`];
  for (const [key, value] of Object.entries(result.figures)) lines.push(`  ${key}: ${value}`);
  for (const problem of result.problems) lines.push(`  PROBLEM ${problem}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}
