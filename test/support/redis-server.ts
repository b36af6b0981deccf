import { ChildProcess, spawn } from 'node:child_process';
import { freePort } from './hub-process.js';

/**
 * A Redis of the test's own, on a free loopback port, keeping nothing on disk: what production runs when Redis is a
 * cache, so a restart comes back empty. The shared Redis of the service suite is never restarted.
 */
export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** Ends it at once (SIGKILL: nothing is saved, clients see their connections drop) and waits for its exit. */
  kill(): Promise<void>;
  /** Starts it again on the same port, empty; resolves once it accepts connections. */
  start(): Promise<void>;
  /** kill() then start(): every queued and delayed job is gone. */
  restart(): Promise<void>;
  /** Ends it for good (idempotent). */
  stop(): Promise<void>;
  /** What it printed, for a failing test's message. */
  output(): string;
}

const READY = /Ready to accept connections/;

/** Starts `redis-server` (Debian's package) as a child process; `port` defaults to a free one. */
export async function startRedisServer(options: { port?: number; timeoutMs?: number } = {}): Promise<RedisServer> {
  const port = options.port ?? (await freePort());
  const timeoutMs = options.timeoutMs ?? 10_000;
  let child: ChildProcess | null = null;
  let out = '';

  const start = () =>
    new Promise<void>((resolve, reject) => {
      const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'];
      const started = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
      child = started;
      let seen = '';
      const timer = setTimeout(() => {
        started.kill('SIGKILL');
        reject(new Error(`redis-server on port ${port} did not start within ${timeoutMs} ms:\n${seen}`));
      }, timeoutMs);
      const onOutput = (chunk: Buffer) => {
        seen += chunk.toString();
        out += chunk.toString();
        if (!READY.test(seen)) return;
        clearTimeout(timer);
        started.stdout!.off('data', onOutput);
        resolve();
      };
      started.stdout!.on('data', onOutput);
      started.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
      started.once('exit', (code) => {
        clearTimeout(timer);
        if (!READY.test(seen)) reject(new Error(`redis-server on port ${port} exited with ${code}:\n${seen}`));
      });
    });

  const kill = async () => {
    const running = child;
    child = null;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill('SIGKILL');
    await exited;
  };

  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    kill,
    start,
    async restart() {
      await kill();
      await start();
    },
    stop: kill,
    output: () => out,
  };
}
