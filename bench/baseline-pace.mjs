// The machine's pace in one figure: the bare ingest baseline's own CPU time per message on PostgreSQL, measured as
// `bench:ingest` measures it (bench/ingest-baseline.mjs on a fresh database: a signed Twilio SMS webhook, its signature
// checked, one transaction, one socket.io emit). Its own CPU per message hardly moves with what else runs on the
// machine, unlike a throughput; it moves with the machine's speed and with nothing of the hub's.
//
// The soak sets its rate from it, so that a slower machine is offered a proportionally smaller load and a hub that got
// slower still fails (test/soak/run.sh). Prints one JSON line: {"cpuMsPerMessage": 0.31, "runs": [...]}.
//
//   node bench/baseline-pace.mjs                        5 runs of 3000 webhooks, 16 in flight; the lowest (what else
//                                                       runs on the machine only adds to a run's figure)
//   BENCH_DATABASE_URL=postgresql://...                 the server to make the database on (default postgres@127.0.0.1:5432)
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { CLOCK_TICKS_PER_SECOND, cpuTicks, post, startProcess, stopChildren, waitIdle, agent } from './processes.mjs';
import { webhook } from './ingest-webhooks.mjs';

const SERVER_URL = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
// The first thousand webhooks still compile code and fill the pools; the runs after them are what the machine costs.
const WARMUP = 1000;
const N = 3000;
const RUNS = 5;
const CONCURRENCY = 16;
// As bench:ingest: 500 senders, so a run both creates contacts and conversations and finds existing ones.
const SENDERS = 500;

/** `n` webhooks, `CONCURRENCY` in flight; the baseline's CPU per accepted message, read once it is idle again. */
async function run(baseline, label, n) {
  let accepted = 0;
  let failed = '';
  let next = 0;
  const ticks0 = cpuTicks(baseline.pid);
  const worker = async () => {
    while (next < n) {
      const { status, text } = await post(baseline.url, webhook('twilio', next++, { path: '/twilio', run: label, senders: SENDERS, whatsappBatch: 1 }));
      if (status >= 200 && status < 300) accepted++;
      else failed ||= `${status} ${text}`;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  if (failed) throw new Error(`the baseline refused a webhook: ${failed}`);
  await waitIdle([baseline.pid]);
  return ((cpuTicks(baseline.pid) - ticks0) * (1000 / CLOCK_TICKS_PER_SECOND)) / accepted;
}

async function main() {
  const admin = new pg.Client({ connectionString: SERVER_URL });
  await admin.connect();
  const name = `tsunagi_pace_${process.pid}_${randomBytes(3).toString('hex')}`;
  await admin.query(`CREATE DATABASE "${name}"`);
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  let baseline;
  try {
    baseline = await startProcess('baseline pg', 'bench/ingest-baseline.mjs', { BASELINE_DATABASE: url.toString(), BASELINE_SEARCH_INDEX: 'on' }, 'listening on');
    await run(baseline, `${process.pid}w`, WARMUP);
    const runs = [];
    for (let i = 0; i < RUNS; i++) runs.push(await run(baseline, `${process.pid}r${i}`, N));
    process.stdout.write(`${JSON.stringify({ cpuMsPerMessage: Math.round(Math.min(...runs) * 1000) / 1000, runs: runs.map((r) => Math.round(r * 1000) / 1000) })}\n`);
  } finally {
    await baseline?.stop();
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
    agent.destroy();
  }
}

process.on('exit', stopChildren);
// Exits at once: a target's start-up deadline (a 180 s timer) would otherwise hold the process open.
main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
