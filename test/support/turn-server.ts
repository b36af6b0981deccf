import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Debian's coturn (`apt-get install coturn`). */
const TURNSERVER = process.env.TURNSERVER_PATH ?? '/usr/bin/turnserver';

export interface TurnServer {
  /** `turn:127.0.0.1:<port>?transport=udp`, as HUB_ICE_SERVERS takes it. */
  url: string;
  secret: string;
  /** Kills the relay outright (SIGKILL): every allocation and relayed packet is gone, as when its host drops. */
  kill(): Promise<void>;
  /** Starts it again on the same port, with the same secret; resolves once it answers. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A coturn of the test's own on loopback: the TURN REST API (`use-auth-secret`) with a fresh secret, relaying
 * between loopback addresses (which coturn refuses unless told), no TLS, no admin CLI, nothing read from
 * /etc/turnserver.conf, its log kept for a failing test to show.
 */
export async function startTurnServer(): Promise<TurnServer> {
  const dir = await mkdtemp(join(tmpdir(), 'tsunagi-turn-'));
  const port = await freeUdpPort();
  // A small relay range of its own, away from the ephemeral ports other tests bind.
  const minPort = 40_000 + (port % 500) * 40;
  const secret = randomBytes(18).toString('base64url');
  let child: ChildProcess | null = null;
  const log: string[] = [];
  const args = [
    '-c', '/dev/null', '--listening-ip', '127.0.0.1', '--relay-ip', '127.0.0.1', '--listening-port', String(port),
    '--min-port', String(minPort), '--max-port', String(minPort + 39), '--use-auth-secret', '--static-auth-secret', secret,
    '--realm', 'tsunagi.test', '--no-tls', '--no-dtls', '--no-cli', '--allow-loopback-peers', '--fingerprint',
    '--log-file', 'stdout', '--userdb', join(dir, 'turndb'), '--pidfile', join(dir, 'turnserver.pid'),
  ];
  const start = async () => {
    const started = spawn(TURNSERVER, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = started;
    started.stdout!.on('data', (chunk: Buffer) => log.push(chunk.toString()));
    started.stderr!.on('data', (chunk: Buffer) => log.push(chunk.toString()));
    const deadline = Date.now() + 10_000;
    while (!(await answersStun(port))) {
      if (started.exitCode !== null || Date.now() > deadline) throw new Error(`turnserver did not start:\n${log.join('').slice(-2000)}`);
    }
  };
  const kill = async () => {
    const running = child;
    child = null;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
  };
  await start();
  return {
    url: `turn:127.0.0.1:${port}?transport=udp`,
    secret,
    kill,
    start,
    async stop() {
      await kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A STUN Binding request (RFC 5389): the relay is up when it answers with a Binding success. */
function answersStun(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    const request = Buffer.alloc(20);
    request.writeUInt16BE(0x0001, 0);
    request.writeUInt32BE(0x2112a442, 4);
    randomBytes(12).copy(request, 8);
    const done = (answered: boolean) => {
      clearTimeout(timer);
      socket.close();
      resolve(answered);
    };
    const timer = setTimeout(() => done(false), 250);
    socket.on('message', (message) => done(message.readUInt16BE(0) === 0x0101));
    socket.on('error', () => done(false));
    socket.send(request, port, '127.0.0.1');
  });
}

function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.on('error', reject);
    socket.bind(0, '127.0.0.1', () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}
