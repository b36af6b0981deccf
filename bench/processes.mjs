// The benchmarks' targets as processes of their own, and the load generator's HTTP client: shared by the ingest
// benchmark and the soak's pace (a bare baseline's CPU per message, the machine's speed in one figure).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const children = new Set();
// The load generator's own connections: enough sockets that the client never queues behind itself.
export const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

/** Kills every target still running (at the load generator's exit). */
export function stopChildren() {
  for (const child of children) child.kill('SIGKILL');
}

export async function freePort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts `node <script>` with only `env` (and PATH/HOME) and waits until it prints `readyLine` on stdout. */
export async function startProcess(name, script, env, readyLine) {
  const port = await freePort();
  // BENCH_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=profiles") is given to the hub and the baselines alike.
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, script], { cwd: ROOT, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (chunk) => (stderr = (stderr + chunk).slice(-4000)));
  const ready = new Promise((resolve) => {
    // The hub's log lines (errors only, by default) come here: the last of them explain a failed webhook.
    child.stdout.on('data', (chunk) => {
      stdout = (stdout + chunk).slice(-4000);
      if (stdout.includes(readyLine)) resolve(null);
    });
  });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  exited.then(() => children.delete(child));
  const early = await Promise.race([ready, exited, sleep(180_000).then(() => ({ code: 'no start within 180 s' }))]);
  if (early) throw new Error(`${name} did not start (${early.code ?? early.signal}): ${stderr.trim() || stdout.trim()}`);
  const url = `http://127.0.0.1:${port}`;
  return {
    name,
    url,
    pid: child.pid,
    /** The last line the process wrote (the hub's last log line), for a run with errors. */
    lastLine: () => (stdout.trim() || stderr.trim()).split('\n').pop(),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      if (!(await Promise.race([exited, sleep(20_000).then(() => null)]))) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Linux's USER_HZ, the unit of /proc/<pid>/stat's CPU times: 100 on every architecture Node runs on. */
export const CLOCK_TICKS_PER_SECOND = 100;

/** CPU time the process has used, in clock ticks (Linux), NaN elsewhere. */
export function cpuTicks(pid) {
  try {
    // Fields after the command (which may hold spaces, so read from the closing parenthesis): utime is the 12th, stime the 13th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return NaN;
  }
}

/**
 * Waits (up to `seconds`) until none of the processes used more than 5% of a core over half a second:
 * the follow-up work of the last run (offers, away replies, naming jobs) is not charged to the next run, whichever
 * target it measures.
 */
export async function waitIdle(pids, seconds = 10) {
  const deadline = performance.now() + seconds * 1000;
  for (;;) {
    const before = pids.map(cpuTicks);
    await sleep(500);
    const busy = pids.map(cpuTicks).some((ticks, i) => !(ticks - before[i] <= 2.5));
    if (!busy || performance.now() > deadline) return;
  }
}

export function post(baseUrl, call) {
  return new Promise((resolve) => {
    const request = http.request(`${baseUrl}${call.path}`, { method: 'POST', agent, headers: { ...call.headers, 'content-length': Buffer.byteLength(call.body) } }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => (text = (text + chunk).slice(0, 300)));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
    });
    request.on('error', (error) => resolve({ status: 0, text: error.message }));
    request.end(call.body);
  });
}
