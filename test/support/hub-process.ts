import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

export interface HubProcess {
  child: ChildProcess;
  url: string;
  login: { email: string; password: string | null };
  output(): string;
  stop(): Promise<number | null>;
}

/** The environment of a clean start: nothing of the test runner's own configuration leaks in. */
export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  // The provider fakes listen on 127.0.0.1: allowed the way an operator allows a private system.
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'warn', HUB_ALLOWED_API_ORIGINS: 'http://127.0.0.1:*' };
  return { ...env, ...extra };
}

/**
 * How long a start may take before the test gives up on it with the hub's output (its `start: step done` lines at
 * LOG_LEVEL info tell how far it got). A test that starts hubs gives itself longer than this per start, so that a
 * stalled start fails here, with that output, and not as a bare jest timeout.
 */
export const START_DEADLINE_MS = 60_000;

/**
 * Runs `node dist/main.js` (what `npm start` runs after building) and waits for its start-up lines. `nodeArgs` go
 * before the script (`--import` a module that watches the process).
 */
export function startHubProcess(env: Record<string, string>, timeoutMs = START_DEADLINE_MS, nodeArgs: string[] = []): Promise<HubProcess> {
  const child = spawn(process.execPath, [...nodeArgs, MAIN], { env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the hub did not start within ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    const check = () => {
      const url = /Inbox:\s+(http\S+?)\/app\b/.exec(out)?.[1];
      const login = /Log in:\s+(\S+@\S+)(?: \/ (\S+))?/.exec(out);
      if (!url || !login) return;
      clearTimeout(timer);
      child.stdout!.off('data', check);
      resolve({
        child,
        url,
        login: { email: login[1], password: login[2] ?? null },
        output: () => out,
        stop: async () => {
          child.kill('SIGTERM');
          return exited;
        },
      });
    };
    child.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(Object.assign(new Error(`the hub exited with ${code}:\n${out}`), { code, output: out }));
    });
  });
}

/** Runs the hub expecting it to refuse to start; resolves with its exit code and output. */
export function runHubExpectingFailure(env: Record<string, string>, timeoutMs = 60_000): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [MAIN], { env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

/** A port nobody listens on right now, for a hub whose address must be known before it prints it. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

export interface SpawnedHub {
  child: ChildProcess;
  url: string;
  output(): string;
  /** The exit code (null when a signal ended it). */
  exited: Promise<number | null>;
}

/** Runs `node dist/main.js` on a known port without waiting for anything: the test watches it start or stop. */
export async function spawnHub(env: Record<string, string>): Promise<SpawnedHub> {
  const port = await freePort();
  const child = spawn(process.execPath, [MAIN], { env: cleanEnv({ HOST: '127.0.0.1', ...env, PORT: String(port) }), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, url: `http://127.0.0.1:${port}`, output: () => out, exited };
}
