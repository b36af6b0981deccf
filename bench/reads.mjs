// Reads at scale: one team with 100,000 conversations and 1,000,000 messages of Japanese chat (bench/seed-reads.mjs)
// on PostgreSQL, read through the HTTP API of a hub process started on that database, by its signed-in
// administrator. Each query is asked many times with varied parameters (filters, later pages, other conversations),
// one request at a time, and its p50 and p95 are printed beside the aim: the conversation list (each view and filter)
// 50 ms, a conversation's messages 30 ms, the search for a two-character word (first page with the exact hit count)
// 300 ms, a page of the conversation history (newest first, with each chat's figures) 100 ms. The figures are measured, never asserted: two shared cores are noisy.
//
//   npm run bench:reads                   seeds a fresh database (tsunagi_bench_reads), then measures
//   BENCH_REUSE=1 npm run bench:reads     measures on the database seeded by an earlier run (seeds it if it is not)
//   BENCH_SAMPLES=200                     requests per query (default 100)
//   BENCH_EXPLAIN=1                       also prints EXPLAIN (ANALYZE, BUFFERS) of each statement the hub ran for
//                                         each query, as captured on the wire between the hub and PostgreSQL
//   BENCH_DATABASE_URL=postgresql://...   the server to use (default: postgres on 127.0.0.1:5432)
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { CONVERSATIONS, MESSAGES, SEARCH_WORD, seedReads } from './seed-reads.mjs';

const SERVER_URL = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const DATABASE = 'tsunagi_bench_reads';
const REUSE = process.env.BENCH_REUSE === '1';
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 100);
const EXPLAIN = process.env.BENCH_EXPLAIN === '1';
const WARMUP = 5;
const ADMIN = { email: 'admin@bench-reads.example.jp', password: 'correct horse battery' };
const SECRET_KEY = 'b'.repeat(64);
const AIM = { list: 50, messages: 30, search: 300, history: 100 };

function databaseUrl(name) {
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Answers whether the database is already seeded (only asked with BENCH_REUSE); otherwise makes it afresh. */
async function prepareDatabase() {
  const admin = new pg.Client({ connectionString: SERVER_URL });
  await admin.connect();
  try {
    const exists = (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE])).rowCount > 0;
    if (REUSE && exists) {
      const db = new pg.Client({ connectionString: databaseUrl(DATABASE) });
      await db.connect();
      try {
        const { rows } = await db.query(`SELECT (SELECT count(*) FROM messages)::int AS messages FROM pg_tables WHERE tablename = 'messages' LIMIT 1`);
        if ((rows[0]?.messages ?? 0) >= MESSAGES) return true;
      } finally {
        await db.end();
      }
    }
    await admin.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${DATABASE}`);
    return false;
  } finally {
    await admin.end();
  }
}

function freePort() {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * A TCP relay between the hub and PostgreSQL that reads the extended-query messages the hub sends (Parse, Bind):
 * which statements a request ran and with which parameters, to EXPLAIN them as they were run.
 */
async function statementTap(target) {
  const captured = [];
  let capturing = false;
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    const statements = new Map();
    let buffer = Buffer.alloc(0);
    let started = false;
    client.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        if (!started) {
          if (buffer.length < 4 || buffer.length < buffer.readInt32BE(0)) return;
          buffer = buffer.subarray(buffer.readInt32BE(0));
          started = true;
          continue;
        }
        if (buffer.length < 5 || buffer.length < 1 + buffer.readInt32BE(1)) return;
        const type = String.fromCharCode(buffer[0]);
        const body = buffer.subarray(5, 1 + buffer.readInt32BE(1));
        buffer = buffer.subarray(1 + buffer.readInt32BE(1));
        if (type === 'P') {
          const [name, rest] = cstring(body, 0);
          statements.set(name, cstring(body, rest)[0]);
        } else if (type === 'B' && capturing) {
          let [, at] = cstring(body, 0);
          let name;
          [name, at] = cstring(body, at);
          const formats = body.readInt16BE(at);
          at += 2 + 2 * formats;
          const count = body.readInt16BE(at);
          at += 2;
          const params = [];
          for (let i = 0; i < count; i++) {
            const length = body.readInt32BE(at);
            at += 4;
            params.push(length < 0 ? null : body.subarray(at, at + length).toString('utf8'));
            if (length > 0) at += length;
          }
          captured.push({ sql: statements.get(name), params });
        }
      }
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: (() => {
      const url = new URL(target.href);
      url.hostname = '127.0.0.1';
      url.port = String(server.address().port);
      return url.toString();
    })(),
    async capture(work) {
      captured.length = 0;
      capturing = true;
      try {
        await work();
      } finally {
        capturing = false;
      }
      return captured.splice(0);
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

function cstring(buffer, from) {
  const end = buffer.indexOf(0, from);
  return [buffer.subarray(from, end).toString('utf8'), end + 1];
}

/** The hub as its own process (`dist/main.js`) on the database, signed up on first start with ADMIN. */
async function startHub(url) {
  const port = await freePort();
  const child = spawn(process.execPath, ['dist/main.js'], {
    env: {
      ...process.env,
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: url,
      HUB_SECRET_KEY: SECRET_KEY,
      HUB_DATA_DIR: `data/bench-reads-${process.pid}`,
      HUB_ADMIN_EMAIL: ADMIN.email,
      HUB_ADMIN_PASSWORD: ADMIN.password,
      HUB_TEAM_NAME: 'Bench reads',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`the hub exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${base}/health`)).ok) return { base, stop: () => stop(child) };
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  child.kill('SIGTERM');
  throw new Error('the hub did not start within two minutes');
}

function stop(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', resolve);
    child.kill('SIGTERM');
  });
}

async function signIn(base) {
  const response = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) });
  if (!response.ok) throw new Error(`sign-in answered ${response.status}`);
  const login = await response.json();
  return { authorization: `Bearer ${login.accessToken}`, 'content-type': 'application/json' };
}

/** One channel of each type, made through the API as an administrator would. */
async function createChannels(base, auth) {
  const bodies = [
    { type: 'webchat', provider: 'webchat', name: 'Web', config: {} },
    { type: 'sms', provider: 'twilio', name: 'SMS', config: { accountSid: 'AC' + 'c'.repeat(32), authToken: 'bench-twilio-auth-token', from: '+15005550006' } },
    { type: 'line', provider: 'line', name: 'LINE', config: { channelSecret: 'bench-line-secret', channelAccessToken: 'bench' } },
    { type: 'whatsapp', provider: 'whatsapp-cloud', name: 'WhatsApp', config: { accessToken: 'bench', appSecret: 'bench-app-secret', verifyToken: 'bench-verify', phoneNumberId: '106540352242922' } },
    { type: 'email', provider: 'sendgrid', name: 'Mail', config: { apiKey: 'SG.bench-api-key-0123456789', fromEmail: 'support@shop.example.jp', inboundToken: 'bench-sendgrid-inbound-token' } },
  ];
  for (const body of bodies) {
    const response = await fetch(`${base}/api/channels`, { method: 'POST', headers: auth, body: JSON.stringify(body) });
    if (!response.ok) throw new Error(`creating the ${body.type} channel answered ${response.status}: ${await response.text()}`);
  }
}

async function get(base, auth, path) {
  const started = performance.now();
  const response = await fetch(`${base}${path}`, { headers: auth });
  const body = await response.json();
  const ms = performance.now() - started;
  if (!response.ok) throw new Error(`${path} answered ${response.status}: ${JSON.stringify(body)}`);
  return { ms, body };
}

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Walks a paged query a few pages deep: the paths of its first and later pages, to vary the samples over. */
async function pagesOf(base, auth, path, depth, cursorName = 'cursor') {
  const paths = [path];
  let cursor = (await get(base, auth, path)).body.nextCursor;
  while (cursor && paths.length < depth) {
    const next = `${path}${path.includes('?') ? '&' : '?'}${cursorName}=${encodeURIComponent(cursor)}`;
    paths.push(next);
    cursor = (await get(base, auth, next)).body.nextCursor;
  }
  return paths;
}

async function main() {
  const seeded = await prepareDatabase();
  const url = databaseUrl(DATABASE);
  const tap = EXPLAIN ? await statementTap(new URL(url)) : null;
  console.log(`reads: ${CONVERSATIONS.toLocaleString('en')} conversations, ${MESSAGES.toLocaleString('en')} messages in one team on PostgreSQL; ${SAMPLES} requests per query, one at a time\n`);
  const hub = await startHub(tap ? tap.url : url);
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    // The hub listens before it has made its first team: sign in once the administrator exists (a failed try would
    // count against the account's sign-in throttle).
    for (let i = 0; i < 300 && (await db.query('SELECT 1 FROM members WHERE email = $1', [ADMIN.email])).rowCount === 0; i++) await sleep(100);
    const auth = await signIn(hub.base);
    const team = (await db.query(`SELECT t.id, m.id AS admin FROM teams t JOIN members m ON m.team_id = t.id AND m.email = $1`, [ADMIN.email])).rows[0];
    if (!seeded) {
      await createChannels(hub.base, auth);
      console.log('seeding (bench/seed-reads.mjs):');
      await seedReads(db, team.id, console.log);
      console.log('');
    } else console.log('(reusing the seeded database)\n');

    const channelTypes = ['webchat', 'sms', 'line', 'whatsapp', 'email'];
    const agents = (await db.query(`SELECT id FROM members WHERE team_id = $1 AND id <> $2 ORDER BY id`, [team.id, team.admin])).rows.map((row) => row.id);
    const longChats = (await db.query(`SELECT conversation_id AS id FROM messages WHERE team_id = $1 GROUP BY 1 HAVING count(*) > 100 ORDER BY 1 LIMIT 40`, [team.id])).rows.map((row) => row.id);
    const categories = (await db.query(`SELECT id FROM categories WHERE team_id = $1 ORDER BY id`, [team.id])).rows.map((row) => row.id);
    const chats = (await db.query(`SELECT id FROM conversations WHERE team_id = $1 ORDER BY md5(id) LIMIT 60`, [team.id])).rows.map((row) => row.id);
    const expected = (
      await db.query(
        `SELECT count(*)::int AS hits FROM messages WHERE team_id = $1 AND kind IN ('text', 'media', 'note') AND NOT blocked AND unsent_at IS NULL AND strpos(lower(body), $2) > 0`,
        [team.id, SEARCH_WORD],
      )
    ).rows[0].hits;
    const total = (await db.query(`SELECT count(*)::int AS n FROM messages WHERE team_id = $1`, [team.id])).rows[0].n;
    console.log(`"${SEARCH_WORD}" is in ${expected.toLocaleString('en')} of ${total.toLocaleString('en')} messages (${((100 * expected) / total).toFixed(1)}%)\n`);

    const word = encodeURIComponent(SEARCH_WORD);
    const at = (days) => new Date(Date.now() - days * 86_400_000).toISOString();
    // Each query: the paths its samples go through in turn.
    const queries = [
      { group: 'list', name: 'list all (pages 1-10)', paths: await pagesOf(hub.base, auth, '/api/conversations', 10) },
      { group: 'list', name: 'list mine', paths: await pagesOf(hub.base, auth, '/api/conversations?view=mine', 3) },
      { group: 'list', name: 'list waiting', paths: await pagesOf(hub.base, auth, '/api/conversations?view=waiting', 3) },
      { group: 'list', name: 'list status=open', paths: await pagesOf(hub.base, auth, '/api/conversations?status=open', 3) },
      { group: 'list', name: 'list status=resolved', paths: await pagesOf(hub.base, auth, '/api/conversations?status=resolved', 5) },
      { group: 'list', name: 'list unreplied', paths: await pagesOf(hub.base, auth, '/api/conversations?unreplied=true', 3) },
      { group: 'list', name: 'list favorites', paths: await pagesOf(hub.base, auth, '/api/conversations?favorite=true', 3) },
      { group: 'list', name: 'list by channel type', paths: channelTypes.map((type) => `/api/conversations?channelType=${type}`) },
      { group: 'list', name: 'list resolved + channel', paths: channelTypes.map((type) => `/api/conversations?status=resolved&channelType=${type}`) },
      { group: 'list', name: 'list waiting + channel', paths: channelTypes.map((type) => `/api/conversations?view=waiting&channelType=${type}`) },
      {
        group: 'messages',
        name: 'messages, first page',
        paths: chats.map((id) => `/api/conversations/${id}/messages`),
      },
      {
        group: 'messages',
        name: 'messages, later pages',
        paths: (await Promise.all(longChats.slice(0, 10).map((id) => pagesOf(hub.base, auth, `/api/conversations/${id}/messages`, 3)))).flatMap((paths) => paths.slice(1)),
      },
      { group: 'search', name: `search ${SEARCH_WORD}, first page`, paths: [`/api/messages/search?q=${word}`] },
      { group: 'search', name: `search ${SEARCH_WORD}, later pages`, paths: (await pagesOf(hub.base, auth, `/api/messages/search?q=${word}`, 11)).slice(1) },
      { group: 'search', name: `search ${SEARCH_WORD} + channel`, paths: channelTypes.map((type) => `/api/messages/search?q=${word}&channelType=${type}`) },
      { group: 'search', name: `search ${SEARCH_WORD} + member`, paths: agents.slice(0, 10).map((id) => `/api/messages/search?q=${word}&memberId=${id}`) },
      { group: 'search', name: `search ${SEARCH_WORD} + period`, paths: [7, 30, 90].map((days) => `/api/messages/search?q=${word}&from=${at(days)}&to=${at(0)}`) },
      { group: 'search', name: `search ${SEARCH_WORD} + category`, paths: categories.map((id) => `/api/messages/search?q=${word}&categoryId=${id}`) },
      { group: 'history', name: 'history (pages 1-5)', paths: await pagesOf(hub.base, auth, '/api/conversation-history', 5) },
      { group: 'history', name: 'history + period', paths: [7, 30, 90].map((days) => `/api/conversation-history?from=${at(days)}&to=${at(0)}`) },
      { group: 'history', name: 'history + member', paths: agents.slice(0, 10).map((id) => `/api/conversation-history?memberId=${id}`) },
      { group: 'history', name: 'history + category', paths: categories.map((id) => `/api/conversation-history?categoryId=${id}`) },
      { group: 'history', name: 'history unhandled', paths: ['/api/conversation-history?handled=false'] },
      { group: 'history', name: 'history rating', paths: [1, 2, 3, 4, 5].map((score) => `/api/conversation-history?rating=${score}`) },
    ];

    const first = await get(hub.base, auth, `/api/messages/search?q=${word}`);
    if (first.body.total !== expected) throw new Error(`the search counts ${first.body.total} hits; the messages hold ${expected}`);
    if (first.body.items.some((hit) => !hit.body.toLowerCase().includes(SEARCH_WORD))) throw new Error('the search answered a message without the word');

    // A row as soon as its query is measured: the search rows take minutes on a loaded machine.
    console.log(`${'query'.padEnd(28)} ${'variants'.padStart(8)}  ${'p50 ms'.padStart(7)}  ${'p95 ms'.padStart(7)}  aim p95`);
    for (const query of queries) {
      for (let i = 0; i < WARMUP; i++) await get(hub.base, auth, query.paths[i % query.paths.length]);
      const ms = [];
      for (let i = 0; i < SAMPLES; i++) ms.push((await get(hub.base, auth, query.paths[i % query.paths.length])).ms);
      const [p50, p95, aim] = [percentile(ms, 50), percentile(ms, 95), AIM[query.group]];
      console.log(`${query.name.padEnd(28)} ${String(query.paths.length).padStart(8)}  ${p50.toFixed(1).padStart(7)}  ${p95.toFixed(1).padStart(7)}  <= ${aim} ms${p95 <= aim ? '' : '  OVER'}`);
    }
    console.log(`\nsearch total for "${SEARCH_WORD}": ${first.body.total.toLocaleString('en')} (exact: counted the same way in SQL)`);

    if (tap) {
      console.log('\nquery plans (EXPLAIN ANALYZE of what the hub ran for the first variant of each query):');
      for (const query of queries) {
        const statements = await tap.capture(() => get(hub.base, auth, query.paths[0]));
        console.log(`\n=== ${query.name}: ${query.paths[0]}`);
        for (const statement of statements.filter((s) => s.sql && /^\s*select/i.test(s.sql) && /conversations|messages/.test(s.sql))) {
          const plan = await db.query(`EXPLAIN (ANALYZE, BUFFERS) ${statement.sql}`, statement.params);
          console.log(`--- ${statement.sql.replace(/\s+/g, ' ').slice(0, 300)}`);
          console.log(`    params: ${JSON.stringify(statement.params)}`);
          for (const row of plan.rows) console.log(`    ${row['QUERY PLAN']}`);
        }
      }
    }
  } finally {
    await db.end();
    await hub.stop();
    await tap?.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
