// The per-conversation CSV export of a large period: 100,000 conversations (two messages each) seeded into PostgreSQL,
// streamed over HTTP from a hub running in this process. The figure we track is the memory the export adds to the hub
// process (peak resident set while it streams, less the idle hub's before it), against a limit of 200 MB; the idle
// hub's own footprint is printed beside it. The baseline, measured in the same run, is the same export code reading
// the whole period as one page, which is what a non-streamed export would hold in memory.
//
//   npm run bench:export
//   BENCH_CONVERSATIONS=200000 npm run bench:export
//   BENCH_DATABASE_URL=postgresql://...     the server to use (default: postgres on 127.0.0.1:5432); a database
//                                           named tsunagi_bench_export is created afresh on it
process.env.LOG_LEVEL ??= 'silent';
process.env.NODE_ENV ??= 'test';

import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';

const CONVERSATIONS = Number(process.env.BENCH_CONVERSATIONS ?? 100_000);
const SERVER_URL = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const DATABASE = 'tsunagi_bench_export';
const LIMIT_MB = 200;
const SECRET_KEY = 'a'.repeat(64);
const MB = 1024 * 1024;

/** Samples this process's resident set every 10 ms while `work` runs; answers the peak above `base`. */
async function peakDuring(work) {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 10);
  try {
    const result = await work();
    peak = Math.max(peak, process.memoryUsage.rss());
    return { result, peak };
  } finally {
    clearInterval(timer);
  }
}

function settle() {
  globalThis.gc?.();
  globalThis.gc?.();
  return sleep(200);
}

async function freshDatabase() {
  const admin = new pg.Client({ connectionString: SERVER_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${DATABASE}`);
  await admin.end();
  const url = new URL(SERVER_URL);
  url.pathname = `/${DATABASE}`;
  return url.toString();
}

/** Two messages a conversation, a category on every tenth, ratings on some: rows shaped like a real month's. */
async function seed(databaseUrl, teamId, channelId, memberId) {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  await db.query(`INSERT INTO categories (id, team_id, name, level) VALUES ('bench-category', $1, '予約', 1)`, [teamId]);
  await db.query(
    `INSERT INTO contacts (id, team_id, name) SELECT 'bench-contact-' || i, $1, 'お客様 ' || i FROM generate_series(1, 1000) AS i`,
    [teamId],
  );
  await db.query(
    `INSERT INTO conversations (id, team_id, channel_id, contact_id, status, assignee_id, thread_key, created_at, last_message_at, resolved_at, outcome, handled, rating_score, category_id)
     SELECT 'bench-' || lpad(i::text, 7, '0'), $1, $2, 'bench-contact-' || (1 + i % 1000), 'resolved', $3, 'visitor:bench-' || i,
            timestamp '2026-11-01' + i * interval '20 seconds', timestamp '2026-11-01' + i * interval '20 seconds',
            timestamp '2026-11-01' + i * interval '20 seconds' + interval '10 minutes', 'booked', true,
            CASE WHEN i % 3 = 0 THEN 1 + i % 5 END, CASE WHEN i % 10 = 0 THEN 'bench-category' END
     FROM generate_series(1, $4::int) AS i`,
    [teamId, channelId, memberId, CONVERSATIONS],
  );
  await db.query(
    `INSERT INTO messages (id, team_id, conversation_id, channel_id, direction, kind, body, author_type, author_id, status, created_at)
     SELECT c.id || '-' || d.direction, $1, c.id, $2, d.direction::"MessageDirection", 'text',
            CASE d.direction WHEN 'in' THEN '予約の変更をお願いします' ELSE '承知しました' END,
            CASE d.direction WHEN 'in' THEN 'contact' ELSE 'member' END::"AuthorType",
            CASE d.direction WHEN 'out' THEN $3 END, CASE d.direction WHEN 'in' THEN 'received' ELSE 'sent' END::"MessageStatus",
            c.created_at + CASE d.direction WHEN 'in' THEN interval '0' ELSE interval '45 seconds' END
     FROM conversations c CROSS JOIN (VALUES ('in'), ('out')) AS d(direction) WHERE c.team_id = $1`,
    [teamId, channelId, memberId],
  );
  await db.query('ANALYZE');
  await db.end();
}

/** Streams the export over HTTP, counting rows and bytes without keeping them. */
function download(url, token) {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: { authorization: `Bearer ${token}` } }, (response) => {
        if (response.statusCode !== 200) reject(new Error(`export answered ${response.statusCode}`));
        let bytes = 0;
        let lines = 0;
        response.on('data', (chunk) => {
          bytes += chunk.length;
          for (let i = 0; i < chunk.length; i++) if (chunk[i] === 10) lines++;
        });
        response.on('end', () => resolve({ bytes, rows: lines - 1 }));
        response.on('error', reject);
      })
      .on('error', reject);
  });
}

async function main() {
  if (!globalThis.gc) console.warn('run with --expose-gc for a steady baseline (npm run bench:export does)');
  const databaseUrl = await freshDatabase();
  const { loadConfig } = await import('../dist/common/config/config.js');
  const { createHub } = await import('../dist/hub.js');
  const { TeamsService } = await import('../dist/teams/index.js');
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', DATABASE_URL: databaseUrl, HUB_DATA_DIR: `data/bench-${process.pid}`, HUB_SECRET_KEY: SECRET_KEY, NODE_ENV: 'test', LOG_LEVEL: 'silent', HUB_ALLOWED_API_ORIGINS: 'http://127.0.0.1:*' });
  const hub = await createHub(config, { bootstrap: false });
  try {
    const email = `bench-${randomBytes(4).toString('hex')}@example.com`;
    const { team } = await hub.app.get(TeamsService).createTeam({ name: 'Bench', admin: { email, password: 'correct horse battery', name: '管理 者' } });
    const login = await (await fetch(`${hub.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: 'correct horse battery' }) })).json();
    const auth = { authorization: `Bearer ${login.accessToken}`, 'content-type': 'application/json' };
    const channel = await (await fetch(`${hub.url}/api/channels`, { method: 'POST', headers: auth, body: JSON.stringify({ type: 'webchat', provider: 'webchat', name: 'Web', config: {} }) })).json();

    const seedStart = performance.now();
    await seed(databaseUrl, team.id, channel.id, login.member.id);
    console.log(`seeded ${CONVERSATIONS.toLocaleString('en')} conversations and ${(2 * CONVERSATIONS).toLocaleString('en')} messages in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`);

    const query = new URLSearchParams({ from: '2026-11-01T00:00:00Z', to: '2027-01-01T00:00:00Z' });
    await settle();
    const idle = process.memoryUsage.rss();
    const started = performance.now();
    const streamed = await peakDuring(() => download(`${hub.url}/api/exports/conversations.csv?${query}`, login.accessToken));
    const seconds = (performance.now() - started) / 1000;
    if (streamed.result.rows !== CONVERSATIONS) throw new Error(`the export has ${streamed.result.rows} rows, not ${CONVERSATIONS}`);

    // Baseline: the same rows read as one page, the way an export that is not streamed holds them.
    const { ConversationExportService } = await import('../dist/supervision/conversation-export.service.js');
    const exporter = hub.app.get(ConversationExportService);
    await settle();
    const idleBefore = process.memoryUsage.rss();
    const whole = await peakDuring(async () => {
      let rows = 0;
      for await (const page of exporter.conversations(team.id, { from: new Date('2026-11-01T00:00:00Z'), to: new Date('2027-01-01T00:00:00Z') }, CONVERSATIONS + 1)) rows += page.length;
      return rows;
    });

    const growthMb = (streamed.peak - idle) / MB;
    console.log('');
    console.log(`conversations.csv: ${streamed.result.rows.toLocaleString('en')} rows, ${(streamed.result.bytes / MB).toFixed(1)} MB in ${seconds.toFixed(1)} s (${Math.round(streamed.result.rows / seconds).toLocaleString('en')} rows/s)`);
    console.log(`memory the streamed export adds to the hub: ${growthMb.toFixed(0)} MB (limit ${LIMIT_MB} MB: ${growthMb < LIMIT_MB ? 'within' : 'OVER'}); peak ${(streamed.peak / MB).toFixed(0)} MB resident, idle hub ${(idle / MB).toFixed(0)} MB`);
    console.log(`baseline, the same ${whole.result.toLocaleString('en')} rows read as one page: peak ${(whole.peak / MB).toFixed(0)} MB resident (growth ${((whole.peak - idleBefore) / MB).toFixed(0)} MB)`);
    process.exitCode = growthMb < LIMIT_MB ? 0 : 1;
  } finally {
    await hub.close();
  }
}

await main();
