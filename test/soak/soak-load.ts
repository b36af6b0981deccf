import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { pace } from '../cluster/clients.js';
import { LineSender, LineWebhook, LoadVisitor } from '../cluster/load.js';
import { Audit, ScenarioContext, auditScenario, secondsSince } from '../cluster/scenario.js';
import { sleep } from '../support/sockets.js';

/** How the soak is driven; `npm run soak -- --minutes N --rate R` sets the first two, the environment the rest. */
export interface SoakSettings {
  minutes: number;
  /** Customer messages per second, web chat and LINE together. */
  rate: number;
  /** The part of them that comes from web chat visitors; the rest are LINE webhooks. */
  webShare: number;
  /** Chats going on at once: each customer sends this many messages, waits for the answers and is done. */
  chatsAtOnce: number;
  messagesPerChat: number;
  /** Chats handed from one agent to another per minute. */
  transfersPerMinute: number;
  /**
   * The load rises evenly from nothing to `rate` over these first seconds, as a day's traffic does, instead of 150 new
   * chats reaching processes that have just started (their code not yet compiled by V8) in the first three seconds.
   * Everything sent in them counts like the rest.
   */
  rampSeconds: number;
}

export function soakSettings(): SoakSettings {
  const number = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);
  return {
    minutes: number('SOAK_MINUTES', 2),
    rate: number('SOAK_RATE', 50),
    webShare: number('SOAK_WEB_SHARE', 0.4),
    chatsAtOnce: number('SOAK_CHATS', 150),
    messagesPerChat: number('SOAK_MESSAGES_PER_CHAT', 12),
    transfersPerMinute: number('SOAK_TRANSFERS_PER_MINUTE', 20),
    rampSeconds: number('SOAK_RAMP_SECONDS', 30),
  };
}

export interface SoakResult {
  audit: Audit;
  /** Failed requests and messages sent again, over all sent. */
  errorRate: number;
  /**
   * Per process: the lowest resident memory (MB) read in each minute (read every 5 s). A garbage-collected process
   * swings by a hundred MB and more between collections; what it keeps shows in the lows, so a leak raises them.
   */
  memory: Map<string, number[]>;
  minutes: MinuteFigures[];
}

interface MinuteFigures {
  minute: number;
  seconds: number;
  messagesPerSecond: number;
  repliesPerSecond: number;
  chatsEnded: number;
  transfers: number;
  webhookAckP99: number;
  widgetAckP99: number;
  agentSeesP99: number;
  customerGetsReplyP99: number;
  errors: string;
  /** Each process's resident memory at the minute's end, and the lowest read during it. */
  rssMb: Record<string, number>;
  lowestRssMb: Record<string, number>;
  /**
   * The share of one core each process used in the minute (children included): the hubs, nginx, Redis, every
   * PostgreSQL process of the machine, and this driver, which plays the customers, the agents and LINE.
   */
  cpuPercent: Record<string, number>;
  /** How late this driver's timers ran (p99 and max, ms): a busy driver answers LINE's API late too. */
  driverDelayP99: number;
  driverDelayMax: number;
}

/** A customer of the soak: a web chat visitor or a LINE user, sending `messagesPerChat` messages and then done. */
interface Customer {
  visitor: LoadVisitor | null;
  lineUser: string | null;
  index: number;
  bodies: string[];
  /** Replies the customer has seen (from the widget, or pushed by LINE). */
  answered: Set<string>;
  done: boolean;
}

/**
 * A steady mixed load on the cluster: customers on web chat and LINE at `rate` messages a second in all, agents who
 * accept the offers, answer each message, hand some chats to colleagues and end each chat once its customer is done
 * (which posts the reports). Prints each minute's throughput, p99 latencies, errors and every process's resident
 * memory; at the end, waits for the load to settle and audits it as the fault scenarios do.
 */
export async function runSoak(context: ScenarioContext, settings: SoakSettings): Promise<SoakResult> {
  const { setup, line, agents, topology } = context;
  const tag = `soak-${randomBytes(3).toString('hex')}`;
  const sender = new LineSender(setup, context.providerAddresses, 8);
  const visitors: LoadVisitor[] = [];
  const sentAt = new Map<string, number>();
  const errors: string[] = [];
  const window = { webhookAck: [] as number[], widgetAck: [] as number[], agentSees: [] as number[], customerGetsReply: [] as number[], messages: 0, replies: 0, chatsEnded: 0 };
  const replyDelivered = (customer: Customer, reply: string) => {
    const body = reply.slice(3);
    if (customer.answered.has(body)) return;
    customer.answered.add(body);
    window.replies++;
    const at = sentAt.get(body);
    if (at !== undefined) window.customerGetsReply.push(Date.now() - at);
  };
  // Each customer's chat, by its first message, as the agents were shown it: ending and handing over a chat then
  // reads its row by key, not the message table by body (a scan that grows with the run and was the soak's own
  // load on the database).
  const chatByFirstMessage = new Map<string, string>();
  for (const agent of agents) {
    agent.errors.length = 0;
    agent.onSeen = (body, conversationId) => {
      if (body.endsWith(':0') && body.startsWith(`${tag}:`)) chatByFirstMessage.set(body, conversationId);
    };
    agent.onShown = (body) => {
      const at = sentAt.get(body);
      if (at !== undefined) window.agentSees.push(Date.now() - at);
    };
  }

  let customerCount = 0;
  const customers: Customer[] = [];
  const byLineUser = new Map<string, Customer>();
  const newCustomer = (): Customer => {
    const index = customerCount++;
    const web = Math.random() < settings.webShare;
    const customer: Customer = { visitor: null, lineUser: null, index, bodies: [], answered: new Set(), done: false };
    if (web) {
      const visitor = new LoadVisitor(setup.url, setup.webchatId, context.visitorAddresses.take());
      visitor.onShown = (body) => {
        if (body.startsWith(`re ${tag}:`)) replyDelivered(customer, body);
      };
      visitors.push(visitor);
      customer.visitor = visitor;
    } else {
      customer.lineUser = `U${randomBytes(16).toString('hex')}`;
      line.setProfile(customer.lineUser, { displayName: `Soak ${index}` });
      byLineUser.set(customer.lineUser, customer);
    }
    customers.push(customer);
    return customer;
  };
  // A customer takes part once it can send: a visitor once the widget has its session.
  const ready = (customer: Customer) => !customer.visitor || customer.visitor.visitorId !== undefined;
  let active = Array.from({ length: settings.chatsAtOnce }, newCustomer);

  let webhookCounter = 0;
  const inFlight = new Set<Promise<void>>();
  const send = (customer: Customer) => {
    const body = `${tag}:${customer.visitor ? 'w' : 'l'}${customer.index}:${customer.bodies.length}`;
    customer.bodies.push(body);
    const started = Date.now();
    sentAt.set(body, started);
    const sending = customer.visitor
      ? customer.visitor.say(body).then(() => void window.widgetAck.push(Date.now() - started))
      : (async () => {
          const webhook: LineWebhook = {
            userId: customer.lineUser!,
            body,
            webhookEventId: `01${tag.replace(/[^A-Za-z0-9]/g, '').toUpperCase()}${String(webhookCounter++).padStart(12, '0')}`,
            messageId: `${Date.now()}${String(webhookCounter).padStart(6, '0')}`,
            attempts: 0,
            acceptedAt: null,
          };
          await sender.deliver(webhook);
          window.webhookAck.push(Date.now() - started);
        })();
    const tracked = sending.then(
      () => void window.messages++,
      (error: unknown) => void errors.push(String(error)),
    );
    inFlight.add(tracked);
    void tracked.finally(() => inFlight.delete(tracked));
  };

  // LINE's side: replies pushed to a customer's LINE user.
  let pushesRead = 0;
  const readPushes = () => {
    for (; pushesRead < line.pushes.length; pushesRead++) {
      const push = line.pushes[pushesRead];
      const customer = byLineUser.get(push.to);
      if (!customer) continue;
      for (const message of push.messages) if (message.text?.startsWith(`re ${tag}:`)) replyDelivered(customer, message.text);
    }
  };

  /** The chat a customer's first message went to (once an agent was shown it), and the agent holding it now. */
  const chatOf = async (customer: Customer) => {
    const id = chatByFirstMessage.get(customer.bodies[0]);
    if (!id) return null;
    const [row] = await topology.query<{ assignee: string | null }>('SELECT assignee_id AS assignee FROM conversations WHERE id = $1', [id]);
    return row ? { id, agent: agents.find((agent) => agent.memberId === row.assignee) } : null;
  };
  // A customer who sent everything and saw every answer is done: the agent ends the chat, a new customer comes.
  const endChats = async () => {
    const finished = active.filter((customer) => customer.bodies.length >= settings.messagesPerChat && customer.answered.size >= customer.bodies.length);
    for (const customer of finished) {
      customer.done = true;
      const chat = await chatOf(customer);
      if (chat?.agent) chat.agent.resolve(chat.id, Math.random() < 0.2 ? 'booked' : 'not_booked');
      customer.visitor?.close();
      window.chatsEnded++;
    }
    if (finished.length > 0) active = [...active.filter((customer) => !customer.done), ...finished.map(() => newCustomer())];
  };
  let transfers = 0;
  const transferOne = async () => {
    const candidates = active.filter((customer) => customer.bodies.length > 0 && customer.bodies.length < settings.messagesPerChat - 3);
    const customer = candidates[Math.floor(Math.random() * candidates.length)];
    if (!customer) return;
    const chat = await chatOf(customer);
    if (!chat?.agent) return;
    const others = agents.filter((agent) => agent !== chat.agent);
    chat.agent.transfer(chat.id, others[Math.floor(Math.random() * others.length)].memberId);
    transfers++;
  };

  const requestCounts = () => {
    const counts = [...agents.map((agent) => agent.requestCounts()), sender.requestCounts()];
    const http = counts.reduce((sum, count) => ({ requests: sum.requests + count.requests, failures: sum.failures + count.failures }), { requests: 0, failures: 0 });
    const resends = visitors.reduce((sum, visitor) => sum + visitor.resends, 0);
    const said = visitors.reduce((sum, visitor) => sum + visitor.sent.size, 0);
    return { requests: http.requests + said + resends, failures: http.failures + resends };
  };

  const memory = new Map<string, number[]>();
  const minutes: MinuteFigures[] = [];
  const started = Date.now();
  let sent = 0;
  let nextTransfer = started + 60_000 / Math.max(settings.transfersPerMinute, 1e-9);
  let nextEnding = started;
  let minuteStart = started;
  let transfersAtMinuteStart = 0;
  const end = started + settings.minutes * 60_000;
  let turn = 0;
  let lowest = new Map<string, number>();
  let nextReading = started;
  const readMemory = () => {
    for (const { name, pid } of topology.processes()) lowest.set(name, Math.min(lowest.get(name) ?? Infinity, residentMb(pid)));
  };
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const cpuNow = () => new Map([...topology.processes().map(({ name, pid }): [string, number] => [name, cpuSeconds(pid)]), ['postgres', postgresCpuSeconds()], ['driver', driverCpuSeconds()]]);
  let cpuAtMinuteStart = cpuNow();
  const closeMinute = () => {
    readMemory();
    const seconds = (Date.now() - minuteStart) / 1000;
    const cpu = cpuNow();
    // A PostgreSQL backend that ended in the minute takes its time with it: never below nothing.
    const cpuPercent = Object.fromEntries([...cpu].map(([name, used]) => [name, Math.max(0, Math.round((100 * (used - (cpuAtMinuteStart.get(name) ?? used))) / seconds))]));
    cpuAtMinuteStart = cpu;
    const driver = { p99: Math.round(delay.percentile(99) / 1e6), max: Math.round(delay.max / 1e6) };
    delay.reset();
    const figures = minuteFigures(minutes.length + 1, seconds, window, transfers - transfersAtMinuteStart, requestCounts(), topology.processes(), lowest, cpuPercent, driver);
    for (const [name, mb] of Object.entries(figures.lowestRssMb)) memory.set(name, [...(memory.get(name) ?? []), mb]);
    lowest = new Map();
    minutes.push(figures);
    printMinute(figures);
    Object.assign(window, { webhookAck: [], widgetAck: [], agentSees: [], customerGetsReply: [], messages: 0, replies: 0, chatsEnded: 0 });
    minuteStart = Date.now();
    transfersAtMinuteStart = transfers;
  };
  try {
    while (Date.now() < end) {
      // Open loop: the messages due by now are sent whatever the answers take, as customers do.
      const due = Math.floor(messagesDue((Date.now() - started) / 1000, settings.rate, settings.rampSeconds));
      while (sent < due) {
        const sending = active.filter((customer) => ready(customer) && customer.bodies.length < settings.messagesPerChat);
        if (sending.length === 0) break;
        send(sending[turn++ % sending.length]);
        sent++;
      }
      readPushes();
      if (Date.now() >= nextEnding) {
        await endChats();
        nextEnding = Date.now() + 1_000;
      }
      if (settings.transfersPerMinute > 0 && Date.now() >= nextTransfer) {
        await transferOne();
        nextTransfer += 60_000 / settings.transfersPerMinute;
      }
      if (Date.now() >= nextReading) {
        readMemory();
        nextReading += 5_000;
      }
      if (Date.now() - minuteStart >= 60_000) closeMinute();
      await pace(20);
    }
    // The last part of a minute, when the run is not whole minutes: its memory is the run's end.
    if (Date.now() - minuteStart >= 10_000) closeMinute();
    const loadSeconds = secondsSince(started);
    await Promise.all([...inFlight]);

    // The load is over: wait until everything sent is stored, seen, answered and delivered, then audit it all.
    const settleStart = Date.now();
    let audit = await auditScenario(tag, context, visitors, sender, errors);
    while (audit.pending.length > 0 && Date.now() - settleStart < 120_000) {
      await sleep(200);
      readPushes();
      audit = await auditScenario(tag, context, visitors, sender, errors);
    }
    await Promise.all(agents.map((agent) => agent.idle()));
    readPushes();
    audit = await auditScenario(tag, context, visitors, sender, errors);
    const counts = requestCounts();
    const errorRate = counts.requests === 0 ? 0 : counts.failures / counts.requests;
    Object.assign(audit.figures, {
      'load (s)': loadSeconds,
      'settled after the load (s)': secondsSince(settleStart),
      'messages offered': sent,
      'chats ended': customers.filter((customer) => customer.done).length,
      transfers,
      'replies withdrawn by the hub and sent again': agents.reduce((sum, agent) => sum + agent.withdrawn, 0),
      'requests and messages sent': counts.requests,
      'failed or sent again': counts.failures,
    });
    return { audit, errorRate, memory, minutes };
  } finally {
    delay.disable();
    for (const visitor of visitors) visitor.close();
    await sender.close();
    for (const agent of agents) {
      agent.onShown = null;
      agent.onSeen = null;
    }
  }
}

function minuteFigures(
  minute: number,
  seconds: number,
  window: { webhookAck: number[]; widgetAck: number[]; agentSees: number[]; customerGetsReply: number[]; messages: number; replies: number; chatsEnded: number },
  transfers: number,
  counts: { requests: number; failures: number },
  processes: { name: string; pid: number }[],
  lowest: Map<string, number>,
  cpuPercent: Record<string, number>,
  driverDelay: { p99: number; max: number },
): MinuteFigures {
  return {
    minute,
    seconds: Math.round(seconds),
    messagesPerSecond: round(window.messages / seconds),
    repliesPerSecond: round(window.replies / seconds),
    chatsEnded: window.chatsEnded,
    transfers,
    webhookAckP99: p99(window.webhookAck),
    widgetAckP99: p99(window.widgetAck),
    agentSeesP99: p99(window.agentSees),
    customerGetsReplyP99: p99(window.customerGetsReply),
    errors: `${counts.failures} of ${counts.requests}`,
    rssMb: Object.fromEntries(processes.map(({ name, pid }) => [name, round(residentMb(pid))])),
    lowestRssMb: Object.fromEntries([...lowest].map(([name, mb]) => [name, round(mb)])),
    cpuPercent,
    driverDelayP99: driverDelay.p99,
    driverDelayMax: driverDelay.max,
  };
}

function printMinute(figures: MinuteFigures): void {
  const rss = Object.entries(figures.rssMb)
    .map(([name, mb]) => `${name} ${mb} (lowest ${figures.lowestRssMb[name] ?? mb})`)
    .join(', ');
  process.stdout.write(
    `soak minute ${figures.minute} (${figures.seconds} s): in ${figures.messagesPerSecond} msg/s, replies delivered ${figures.repliesPerSecond}/s, chats ended ${figures.chatsEnded}, ` +
      `transfers ${figures.transfers}; p99 ms: webhook ack ${figures.webhookAckP99}, widget ack ${figures.widgetAckP99}, agent sees ${figures.agentSeesP99}, ` +
      `customer gets the reply ${figures.customerGetsReplyP99}; failed or sent again so far ${figures.errors}; RSS MB: ${rss}; ` +
      `CPU % of a core: ${Object.entries(figures.cpuPercent).map(([name, percent]) => `${name} ${percent}`).join(', ')}; ` +
      `driver's timers late p99 ${figures.driverDelayP99} ms, max ${figures.driverDelayMax} ms\n`,
  );
}

// Clock ticks per second of /proc's CPU times: 100 on Linux for every architecture Node runs on.
const TICKS_PER_SECOND = 100;

/** CPU seconds (user and system) a process has used so far, by /proc/PID/stat; 0 once it is gone. */
function ownCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The fields after the command's name, which may hold spaces and ends with the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** A process's children; none when the list cannot be read, and then only the process itself is counted. */
function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** CPU seconds of a process and its children (nginx's master and its worker). */
function cpuSeconds(pid: number): number {
  return ownCpuSeconds(pid) + childrenOf(pid).reduce((sum, child) => sum + ownCpuSeconds(child), 0);
}

/** CPU seconds of every PostgreSQL process now running: its backends come and go with the hubs' pools. */
function postgresCpuSeconds(): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'postgres') total += ownCpuSeconds(Number(entry));
    } catch {
      // Gone between the listing and the read.
    }
  }
  return total;
}

function driverCpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

/** Resident memory of a process and its children (nginx's master and its worker), in MB. */
function residentMb(pid: number): number {
  const own = (id: number) => {
    try {
      const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${id}/status`, 'utf8'));
      return match ? Number(match[1]) / 1024 : 0;
    } catch {
      return 0;
    }
  };
  return own(pid) + childrenOf(pid).reduce((sum, child) => sum + own(child), 0);
}

function p99(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)]);
}

const round = (value: number) => Math.round(value * 10) / 10;

/** How many messages are due `seconds` into the run: the rate rises evenly to `rate` over `ramp` seconds, then holds. */
export function messagesDue(seconds: number, rate: number, ramp: number): number {
  if (ramp <= 0) return seconds * rate;
  if (seconds <= ramp) return (rate * seconds * seconds) / (2 * ramp);
  return (rate * ramp) / 2 + rate * (seconds - ramp);
}
