// Inbound webhook ingestion: signed Twilio, LINE and WhatsApp Cloud webhooks at a fixed arrival rate against the hub (embedded
// database, and PostgreSQL when one is reachable), next to a baseline measured in the same run: a bare node:http
// server that checks the same signatures, inserts the same row with `pg` in one transaction and emits to a
// socket.io client. The figure we track is the hub's throughput as a share of the baseline's.
// A second scenario does the same with SendGrid Inbound Parse mail (multipart, token in the URL); its baseline
// reads the multipart body with busboy before the same insert.
//
//   npm run bench:ingest                     400 webhooks/s for 8 s per target; mail 200/s for 4 s
//   BENCH_RATE=400 BENCH_SECONDS=20 npm run bench:ingest
//   BENCH_DATABASE_URL=postgresql://...      the server to use (default: postgres on 127.0.0.1:5432)
process.env.LOG_LEVEL ??= 'silent';
process.env.NODE_ENV ??= 'test';

import busboy from 'busboy';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { Server } from 'socket.io';
import { io } from 'socket.io-client';

// 400/s: more than the hub takes on two cores, well within what the baseline takes, so the ratio shows.
const RATE = Number(process.env.BENCH_RATE ?? 400);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
// Latency is read at a rate every target sustains: at saturation it only measures the queue.
const LATENCY_RATE = Number(process.env.BENCH_LATENCY_RATE ?? 50);
const LATENCY_SECONDS = Number(process.env.BENCH_LATENCY_SECONDS ?? 5);
// Mail is heavier per request (multipart, MIME headers, HTML sanitizing) and rarer than chat: half the rate, half the time.
const MAIL_RATE = Number(process.env.BENCH_MAIL_RATE ?? 200);
const MAIL_SECONDS = Number(process.env.BENCH_MAIL_SECONDS ?? 4);
const SERVER_URL = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const PUBLIC_URL = 'https://hub.bench.test';
const ACCOUNT_SID = 'AC' + 'b'.repeat(32);
const AUTH_TOKEN = 'bench-twilio-auth-token';
const LINE_SECRET = 'bench-line-channel-secret';
const INBOUND_TOKEN = 'bench-sendgrid-inbound-token';
const WHATSAPP_SECRET = 'bench-whatsapp-app-secret';
const WHATSAPP_NUMBER_ID = '106540352242922';
// Meta batches: one webhook may carry several messages (and statuses); each is stored.
const WHATSAPP_BATCH = 3;
const SECRET_KEY = 'a'.repeat(64);

// ---- the load: one open-loop generator for every target ----

function twilioSignature(url, params) {
  const data = Object.keys(params)
    .sort()
    .reduce((text, key) => text + key + params[key], url);
  return createHmac('sha1', AUTH_TOKEN).update(data).digest('base64');
}

/** A WhatsApp Cloud webhook carrying a batch of messages from one customer, signed like Meta's (X-Hub-Signature-256). */
function whatsappWebhook(i, tag, path) {
  const from = `8190${String(10000000 + (i % 50))}`;
  const messages = Array.from({ length: WHATSAPP_BATCH }, (_, k) => ({
    from,
    id: `wamid.bench-${i}-${k}-${randomBytes(6).toString('hex')}`,
    timestamp: String(Math.floor(Date.now() / 1000)),
    type: 'text',
    text: { body: k === 0 ? tag : `${tag}/${k}` },
  }));
  const body = JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [{ id: '419561257915477', changes: [{ value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '15550783881', phone_number_id: WHATSAPP_NUMBER_ID }, contacts: [{ profile: { name: 'Bench' }, wa_id: from }], messages }, field: 'messages' }] }],
  });
  return { tag, path, body, headers: { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${createHmac('sha256', WHATSAPP_SECRET).update(body).digest('hex')}` } };
}

/** The i-th mail as SendGrid's Inbound Parse posts it (default mode): multipart fields, the token in the URL. */
function mailWebhook(i, paths) {
  const tag = `bench-${i}-${randomBytes(4).toString('hex')}`;
  const from = `customer${i % 50}@example.jp`;
  const fields = {
    headers: `Message-ID: <${tag}@example.jp>\r\nFrom: ${from}\r\nTo: support@shop.example.jp\r\nSubject: order ${i}`,
    from,
    to: 'support@shop.example.jp',
    subject: `order ${i}`,
    text: `${tag}\r\n`,
    html: `<p>${tag}</p>`,
    envelope: JSON.stringify({ to: ['support@shop.example.jp'], from }),
    charsets: '{"to":"UTF-8","subject":"UTF-8","from":"UTF-8","text":"UTF-8","html":"UTF-8"}',
    SPF: 'pass',
  };
  const body = Object.entries(fields).map(([name, value]) => `--xYzZY\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`).join('') + '--xYzZY--\r\n';
  return { tag, path: `${paths.sendgrid}?token=${INBOUND_TOKEN}`, body, headers: { 'content-type': 'multipart/form-data; boundary=xYzZY' } };
}

/** The i-th webhook, in turn: Twilio SMS (form, signed over URL + fields), LINE (JSON, signed body), a WhatsApp Cloud batch. */
function webhook(i, paths) {
  if (paths.mail) return mailWebhook(i, paths);
  const tag = `bench-${i}-${randomBytes(4).toString('hex')}`;
  if (i % 3 === 2) return whatsappWebhook(i, tag, paths.whatsapp);
  if (i % 3 === 0) {
    const params = { MessageSid: `SM${randomBytes(16).toString('hex')}`, AccountSid: ACCOUNT_SID, From: `+8190${String(1000000 + (i % 50)).padStart(8, '0')}`, To: '+15005550006', Body: tag, NumMedia: '0' };
    const body = new URLSearchParams(params).toString();
    return { tag, path: paths.twilio, body, headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSignature(PUBLIC_URL + paths.twilio, params) } };
  }
  const body = JSON.stringify({
    destination: 'U' + '0'.repeat(32),
    events: [
      {
        type: 'message',
        mode: 'active',
        timestamp: Date.now(),
        webhookEventId: `01${randomBytes(12).toString('hex').toUpperCase()}`,
        deliveryContext: { isRedelivery: false },
        source: { type: 'user', userId: `U${String(i % 50).padStart(32, '0')}` },
        replyToken: randomBytes(16).toString('hex'),
        message: { id: String(10_000_000 + i), type: 'text', text: tag, quoteToken: 'q' },
      },
    ],
  });
  return { tag, path: paths.line, body, headers: { 'content-type': 'application/json', 'x-line-signature': createHmac('sha256', LINE_SECRET).update(body).digest('base64') } };
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

function post(baseUrl, call) {
  return new Promise((resolve) => {
    const request = http.request(`${baseUrl}${call.path}`, { method: 'POST', agent, headers: { ...call.headers, 'content-length': Buffer.byteLength(call.body) } }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    request.on('error', () => resolve(0));
    request.end(call.body);
  });
}

function percentile(values, p) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Sends RATE webhooks a second for SECONDS, on schedule whatever the answers; waits for the socket events. */
async function drive(name, baseUrl, paths, socket, rate = RATE, seconds = SECONDS) {
  const total = Math.round(rate * seconds);
  const sentAt = new Map();
  const socketMs = [];
  socket.on('message.created', (message) => {
    const started = sentAt.get(message.body);
    if (started !== undefined) {
      socketMs.push(performance.now() - started);
      sentAt.delete(message.body);
    }
  });
  const ackMs = [];
  let accepted = 0;
  let errors = 0;
  const pending = [];
  const t0 = performance.now();
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    const call = webhook(i, paths);
    const started = performance.now();
    sentAt.set(call.tag, started);
    pending.push(
      post(baseUrl, call).then((status) => {
        if (status >= 200 && status < 300) {
          accepted++;
          ackMs.push(performance.now() - started);
        } else errors++;
      }),
    );
  }
  await Promise.all(pending);
  const elapsed = (performance.now() - t0) / 1000;
  for (let i = 0; i < 100 && socketMs.length < accepted; i++) await sleep(50);
  socket.off('message.created');
  return { name, rate, accepted: accepted / elapsed, ackP50: percentile(ackMs, 50), ackP99: percentile(ackMs, 99), socketP50: percentile(socketMs, 50), socketP99: percentile(socketMs, 99), errors, missing: accepted - socketMs.length };
}

// ---- the hub ----

async function benchHub(name, env) {
  const { loadConfig } = await import('../dist/common/config/config.js');
  const { createHub } = await import('../dist/hub.js');
  const { TeamsService } = await import('../dist/teams/index.js');
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', HUB_DATA_DIR: `data/bench-${process.pid}`, PUBLIC_URL, HUB_SECRET_KEY: SECRET_KEY, NODE_ENV: 'test', LOG_LEVEL: 'silent', HUB_ALLOWED_API_ORIGINS: 'http://127.0.0.1:*', ...env });
  const hub = await createHub(config, { memoryDatabase: true, bootstrap: false });
  try {
    const email = `bench-${randomBytes(4).toString('hex')}@example.com`;
    await hub.app.get(TeamsService).createTeam({ name: 'Bench', admin: { email, password: 'correct horse battery', name: 'Bench' } });
    const login = await (await fetch(`${hub.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: 'correct horse battery' }) })).json();
    const auth = { authorization: `Bearer ${login.accessToken}`, 'content-type': 'application/json' };
    const channel = async (body) => (await (await fetch(`${hub.url}/api/channels`, { method: 'POST', headers: auth, body: JSON.stringify(body) })).json()).id;
    const twilio = await channel({ type: 'sms', provider: 'twilio', name: 'SMS', config: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, from: '+15005550006' } });
    const line = await channel({ type: 'line', provider: 'line', name: 'LINE', config: { channelSecret: LINE_SECRET, channelAccessToken: 'bench' } });
    const sendgrid = await channel({ type: 'email', provider: 'sendgrid', name: 'Mail', config: { apiKey: 'SG.bench-api-key-0123456789', fromEmail: 'support@shop.example.jp', inboundToken: INBOUND_TOKEN } });
    const whatsapp = await channel({
      type: 'whatsapp',
      provider: 'whatsapp-cloud',
      name: 'WhatsApp',
      config: { accessToken: 'bench', appSecret: WHATSAPP_SECRET, verifyToken: 'bench-verify-token', phoneNumberId: WHATSAPP_NUMBER_ID },
    });
    const socket = io(`${hub.url}/inbox`, { auth: { token: login.accessToken }, transports: ['websocket'] });
    await new Promise((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    const paths = { twilio: `/webhooks/twilio/${twilio}`, line: `/webhooks/line/${line}`, whatsapp: `/webhooks/whatsapp/${whatsapp}` };
    const latency = await drive(name, hub.url, paths, socket, LATENCY_RATE, LATENCY_SECONDS);
    await sleep(1000);
    const throughput = await drive(name, hub.url, paths, socket);
    await sleep(1000);
    const mail = { sendgrid: `/webhooks/sendgrid/${sendgrid}/inbound`, mail: true };
    const mailLatency = await drive(`${name} mail`, hub.url, mail, socket, LATENCY_RATE, LATENCY_SECONDS);
    await sleep(1000);
    const mailThroughput = await drive(`${name} mail`, hub.url, mail, socket, MAIL_RATE, MAIL_SECONDS);
    socket.close();
    return [latency, throughput, mailLatency, mailThroughput];
  } finally {
    await hub.close();
  }
}

// ---- the baseline: what the same work costs with nothing in between ----

async function benchBaseline(name, connectionString) {
  const pool = new pg.Pool({ connectionString, max: 10 });
  await pool.query(`CREATE TABLE IF NOT EXISTS bench_messages (id bigserial PRIMARY KEY, channel_id text NOT NULL, event_key text NOT NULL, body text NOT NULL, created_at timestamptz NOT NULL DEFAULT now(), UNIQUE (channel_id, event_key))`);
  const server = http.createServer((request, response) => {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', async () => {
      const raw = Buffer.concat(chunks);
      // Each webhook becomes rows: one for Twilio and LINE, every message of a WhatsApp batch.
      let channel;
      let rows;
      if (request.url.startsWith('/sendgrid')) {
        if (new URL(request.url, 'http://baseline').searchParams.get('token') !== INBOUND_TOKEN) return response.writeHead(401).end();
        const fields = await readMultipart(raw, request.headers['content-type']);
        [channel, rows] = ['sendgrid', [[/Message-ID: <([^>]+)>/.exec(fields.headers)[1], fields.text.trim()]]];
      } else if (request.url === '/twilio') {
        const params = Object.fromEntries(new URLSearchParams(raw.toString()));
        if (request.headers['x-twilio-signature'] !== twilioSignature(PUBLIC_URL + '/twilio', params)) return response.writeHead(403).end();
        [channel, rows] = ['twilio', [[params.MessageSid, params.Body]]];
      } else if (request.url === '/whatsapp') {
        const expected = Buffer.from(`sha256=${createHmac('sha256', WHATSAPP_SECRET).update(raw).digest('hex')}`);
        const given = Buffer.from(String(request.headers['x-hub-signature-256'] ?? ''));
        if (given.length !== expected.length || !timingSafeEqual(given, expected)) return response.writeHead(401).end();
        const messages = JSON.parse(raw.toString()).entry.flatMap((e) => e.changes.flatMap((c) => c.value.messages ?? []));
        [channel, rows] = ['whatsapp', messages.map((m) => [m.id, m.text.body])];
      } else {
        if (request.headers['x-line-signature'] !== createHmac('sha256', LINE_SECRET).update(raw).digest('base64')) return response.writeHead(401).end();
        const event = JSON.parse(raw.toString()).events[0];
        [channel, rows] = ['line', [[event.webhookEventId, event.message.text]]];
      }
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const inserted = [];
        for (const [key, body] of rows) {
          const result = await client.query('INSERT INTO bench_messages (channel_id, event_key, body) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING id', [channel, key, body]);
          if (result.rowCount) inserted.push(body);
        }
        await client.query('COMMIT');
        for (const body of inserted) ioServer.emit('message.created', { body });
      } finally {
        client.release();
      }
      response.writeHead(200, { 'content-type': channel === 'twilio' ? 'text/xml' : 'application/json' }).end(channel === 'twilio' ? '<Response/>' : '{}');
    });
  });
  const ioServer = new Server(server);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  const socket = io(url, { transports: ['websocket'] });
  await new Promise((resolve) => socket.once('connect', resolve));
  try {
    const paths = { twilio: '/twilio', line: '/line', whatsapp: '/whatsapp' };
    const mail = { sendgrid: '/sendgrid', mail: true };
    return [
      await drive(name, url, paths, socket, LATENCY_RATE, LATENCY_SECONDS),
      await drive(name, url, paths, socket),
      await drive(`${name} mail`, url, mail, socket, LATENCY_RATE, LATENCY_SECONDS),
      await drive(`${name} mail`, url, mail, socket, MAIL_RATE, MAIL_SECONDS),
    ];
  } finally {
    socket.close();
    ioServer.close();
    await new Promise((resolve) => server.close(resolve));
    await pool.query('DROP TABLE bench_messages');
    await pool.end();
  }
}

/** A multipart body's fields, as the baseline reads Inbound Parse: busboy, nothing else. */
function readMultipart(raw, contentType) {
  return new Promise((resolve, reject) => {
    const fields = {};
    const parser = busboy({ headers: { 'content-type': contentType }, limits: { fieldSize: 30 * 1024 * 1024 } });
    parser.on('field', (name, value) => (fields[name] = value));
    parser.on('error', reject);
    parser.on('close', () => resolve(fields));
    parser.end(raw);
  });
}

// ---- PostgreSQL, when there is one ----

async function freshDatabase() {
  const admin = new pg.Client({ connectionString: SERVER_URL });
  try {
    await admin.connect();
  } catch (error) {
    return { url: null, reason: error.message, drop: async () => {} };
  }
  const name = `tsunagi_bench_${process.pid}_${randomBytes(3).toString('hex')}`;
  await admin.query(`CREATE DATABASE "${name}"`);
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.end();
    },
  };
}

const format = (n, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '-');

async function main() {
  console.log(`ingest: signed webhooks (a third each Twilio, LINE, and WhatsApp Cloud batches of ${WHATSAPP_BATCH} messages), open loop: latency at ${LATENCY_RATE}/s for ${LATENCY_SECONDS} s, throughput at ${RATE}/s for ${SECONDS} s`);
  console.log(`       SendGrid Inbound Parse mail ("mail" rows): latency at ${LATENCY_RATE}/s for ${LATENCY_SECONDS} s, throughput at ${MAIL_RATE}/s for ${MAIL_SECONDS} s\n`);
  const results = [];
  const hubDb = await freshDatabase();
  const baselineDb = await freshDatabase();
  try {
    results.push(...(await benchHub('hub embedded', {})));
    if (hubDb.url) results.push(...(await benchHub('hub postgres', { DATABASE_URL: hubDb.url })));
    else console.log(`(no PostgreSQL at ${SERVER_URL}: ${hubDb.reason}; the hub runs on the embedded database only)`);
    if (baselineDb.url) results.push(...(await benchBaseline('baseline pg', baselineDb.url)));
    else console.log('(no PostgreSQL: no baseline; it needs a server to insert into)');
  } finally {
    await hubDb.drop();
    await baselineDb.drop();
    agent.destroy();
  }
  console.log('target               offered/s  accepted/s  ack p50 ms  ack p99 ms  socket p50 ms  socket p99 ms  errors  no event');
  for (const r of results) {
    console.log(
      `${r.name.padEnd(20)} ${String(r.rate).padStart(9)}  ${format(r.accepted).padStart(10)}  ${format(r.ackP50).padStart(10)}  ${format(r.ackP99).padStart(10)}  ${format(r.socketP50).padStart(13)}  ${format(r.socketP99).padStart(13)}  ${String(r.errors).padStart(6)}  ${String(r.missing).padStart(8)}`,
    );
  }
  for (const [scenario, rate, suffix] of [['chat', RATE, ''], ['mail', MAIL_RATE, ' mail']]) {
    const saturated = results.filter((r) => r.rate === rate && (suffix ? r.name.endsWith(suffix) : !r.name.endsWith(' mail')));
    const baseline = saturated.find((r) => r.name === `baseline pg${suffix}`);
    for (const hub of saturated.filter((r) => r.name.startsWith('hub'))) {
      if (baseline) console.log(`ratio ${hub.name}/baseline throughput: ${format(hub.accepted / baseline.accepted, 2)}  (aim: >= 0.6)`);
    }
    if (baseline && baseline.accepted >= rate * 0.98) {
      console.log(`(${scenario}: the baseline took all ${rate}/s offered: its ceiling is higher, so a ratio here is an upper bound)`);
    }
  }
  process.exit(0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
