import { ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { HubProcess, freePort, startHubProcess } from '../support/hub-process.js';
import { eventually } from '../support/eventually.js';
import { TEST_ALLOWED_API_ORIGINS, TEST_PASSWORD_MEMORY_MIB, TEST_SECRET_KEY } from '../support/test-hub.js';

/**
 * Production's shape on loopback: PostgreSQL (the machine's, a database of this run's own), a Redis server of its
 * own (so that restarting it disturbs nobody else on the machine), three hub processes and nginx in front, sticky
 * by client address. Every part can be killed, restarted or cut off by a scenario.
 */
export interface Topology {
  /** The balancer: what every client talks to. */
  url: string;
  databaseUrl: string;
  admin: { email: string; password: string };
  hubs: (HubProcess | null)[];
  /** SIGKILL: no goodbye to anyone, requests cut mid-way. */
  killHub(index: number): Promise<void>;
  /** SIGTERM and wait for the exit: the hub's own orderly stop. */
  stopHub(index: number): Promise<number | null>;
  /** Starts hub `index` again on its port; resolves once it listens and has said so. */
  startHub(index: number): Promise<void>;
  /**
   * Stops this run's redis-server and starts it again on the same port, empty (it keeps nothing on disk): every
   * queued and delayed job is gone. The place for the Redis scenario.
   */
  restartRedis(): Promise<void>;
  /** Terminates every connection the hubs hold to the run's database; returns how many there were. */
  terminateDatabaseConnections(): Promise<number>;
  query<T extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<T[]>;
  /** The processes of the run that are up, by name (`hub-0`..., `nginx`, `redis`): for reading their memory. */
  processes(): { name: string; pid: number }[];
  close(): Promise<void>;
}

const HUB_COUNT = 3;
// Each hub's output, every life of it, kept for reading after a failed run.
const LOGS = join(process.cwd(), 'test-artifacts', 'cluster');
const NGINX = process.env.NGINX_BIN ?? '/usr/sbin/nginx';
const REDIS = process.env.REDIS_SERVER_BIN ?? 'redis-server';

export async function startTopology(): Promise<Topology> {
  const { DATABASE_URL } = process.env;
  if (!DATABASE_URL) throw new Error('The cluster suite needs DATABASE_URL: run it with `npm run test:cluster`.');
  const dir = mkdtempSync(join(tmpdir(), 'tsunagi-cluster-'));
  const children: ChildProcess[] = [];
  const admin = { email: 'admin@cluster.example', password: 'correct horse battery' };

  const database = new pg.Pool({ connectionString: DATABASE_URL, max: 2 });
  // A terminated hub connection must not take the harness's own pool down with it.
  database.on('error', () => {});
  const databaseName = new URL(DATABASE_URL).pathname.slice(1);

  const redisPort = await freePort();
  let redis = await startRedis(redisPort, dir);
  children.push(redis);

  const ports = await Promise.all(Array.from({ length: HUB_COUNT }, () => freePort()));
  const balancerPort = await freePort();
  const url = `http://127.0.0.1:${balancerPort}`;
  const hubEnv = (index: number): Record<string, string> => ({
    DATABASE_URL,
    REDIS_URL: `redis://127.0.0.1:${redisPort}`,
    HUB_REDIS_PREFIX: 'tsunagi-cluster',
    HOST: '127.0.0.1',
    PORT: String(ports[index]),
    PUBLIC_URL: url,
    // nginx on loopback is the one hop in front: X-Forwarded-For from it names the client.
    HUB_TRUST_PROXY: '127.0.0.1',
    HUB_SECRET_KEY: TEST_SECRET_KEY,
    HUB_ALLOWED_API_ORIGINS: TEST_ALLOWED_API_ORIGINS,
    HUB_PASSWORD_MEMORY_MIB: TEST_PASSWORD_MEMORY_MIB,
    HUB_ADMIN_EMAIL: admin.email,
    HUB_ADMIN_PASSWORD: admin.password,
    HUB_TEAM_NAME: 'Cluster',
  });
  const hubs: (HubProcess | null)[] = Array.from({ length: HUB_COUNT }, () => null);
  rmSync(LOGS, { recursive: true, force: true });
  mkdirSync(LOGS, { recursive: true });
  const startHub = async (index: number) => {
    // CLUSTER_HUB_NODE_ARGS, e.g. `--cpu-prof --cpu-prof-dir=DIR`, profiles every hub of a run.
    const hub = await startHubProcess(hubEnv(index), 90_000, process.env.CLUSTER_HUB_NODE_ARGS?.split(' ').filter(Boolean) ?? []);
    hubs[index] = hub;
    let written = 0;
    const keep = () => {
      const out = hub.output();
      appendFileSync(join(LOGS, `hub-${index}.log`), out.slice(written));
      written = out.length;
    };
    hub.child.once('exit', (code, signal) => {
      keep();
      appendFileSync(join(LOGS, `hub-${index}.log`), `--- exited: ${code ?? signal}\n`);
    });
  };

  const nginxConfig = join(dir, 'nginx.conf');
  writeFileSync(nginxConfig, nginxConf(dir, balancerPort, ports));
  let nginx: ChildProcess | null = null;

  const close = async () => {
    await Promise.all(hubs.map(async (hub) => hub && (await stopOrKill(hub.child))));
    if (nginx) await stopOrKill(nginx);
    await stopOrKill(redis);
    await database.end();
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    // The first migrates the empty database and makes the first team; the others find both done.
    await startHub(0);
    await Promise.all([startHub(1), startHub(2)]);
    nginx = spawn(NGINX, ['-p', dir, '-c', nginxConfig], { stdio: ['ignore', 'pipe', 'pipe'] });
    await eventually(
      () => fetch(`${url}/health`).then((response) => response.status, () => 0),
      (status) => status === 200,
      15_000,
    );
  } catch (error) {
    await close();
    throw error;
  }

  return {
    url,
    databaseUrl: DATABASE_URL,
    admin,
    hubs,
    killHub: async (index) => {
      const hub = hubs[index];
      if (!hub) return;
      hubs[index] = null;
      await stopOrKill(hub.child, 'SIGKILL');
    },
    stopHub: async (index) => {
      const hub = hubs[index];
      if (!hub) return null;
      hubs[index] = null;
      return hub.stop();
    },
    startHub,
    restartRedis: async () => {
      await stopOrKill(redis);
      redis = await startRedis(redisPort, dir);
    },
    terminateDatabaseConnections: async () => {
      const rows = await database.query<{ terminated: boolean }>(
        'SELECT pg_terminate_backend(pid) AS terminated FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
        [databaseName],
      );
      return rows.rows.filter((row) => row.terminated).length;
    },
    query: async <T extends pg.QueryResultRow>(text: string, values: unknown[] = []) => (await database.query<T>(text, values)).rows,
    processes: () => [
      ...hubs.flatMap((hub, index) => (hub?.child.pid ? [{ name: `hub-${index}`, pid: hub.child.pid }] : [])),
      ...(nginx?.pid ? [{ name: 'nginx', pid: nginx.pid }] : []),
      ...(redis.pid ? [{ name: 'redis', pid: redis.pid }] : []),
    ],
    close,
  };
}

async function startRedis(port: number, dir: string): Promise<ChildProcess> {
  const child = spawn(REDIS, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
  await eventually(
    () =>
      new Promise<boolean>((resolve) => {
        const probe = spawn('redis-cli', ['-p', String(port), 'ping'], { stdio: ['ignore', 'pipe', 'ignore'] });
        let out = '';
        probe.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
        probe.once('exit', () => resolve(out.trim() === 'PONG'));
      }),
    (up) => up,
    15_000,
  );
  return child;
}

async function stopOrKill(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 35_000);
  await exited;
  clearTimeout(timer);
}

/**
 * The balancer. `hash $remote_addr consistent` (not `ip_hash`, which hashes three octets of an IPv4 address and would
 * send every 127.0.0.x client to one hub). A request moves to another hub only when the chosen one could not be
 * reached or did not answer: nginx never replays a non-idempotent request (a POST) that already reached a hub, so a
 * webhook or a reply is never stored twice by the balancer; the provider's own retry, with its event id, is what
 * the hub deduplicates.
 */
function nginxConf(dir: string, port: number, hubPorts: number[]): string {
  return `daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/nginx-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  # A websocket upgrade passes Upgrade and Connection on; any other request keeps the upstream connection alive.
  map $http_upgrade $connection_upgrade { default upgrade; '' ''; }
  upstream hubs {
    hash $remote_addr consistent;
${hubPorts.map((hubPort) => `    server 127.0.0.1:${hubPort} max_fails=1 fail_timeout=5s;`).join('\n')}
    keepalive 32;
  }
  server {
    listen 127.0.0.1:${port};
    client_max_body_size 30m;
    location / {
      proxy_pass http://hubs;
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      # A hub that does not take the connection within 2 s is down: try the next one.
      proxy_connect_timeout 2s;
      proxy_send_timeout 30s;
      # Above socket.io's 25 s ping, so an idle websocket is not cut by the balancer.
      proxy_read_timeout 60s;
      # error and timeout cover reaching the hub; nginx itself refuses to pass a POST on once it was sent
      # (no non_idempotent here). A starting or stopping hub's 503 sends a GET elsewhere.
      proxy_next_upstream error timeout http_503;
      proxy_next_upstream_tries 3;
      proxy_next_upstream_timeout 10s;
    }
  }
}
`;
}
