import { createServer, request } from 'node:http';
import type { Server } from 'node:http';
import { chmod, mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';

/**
 * How a backup reaches a hub that holds the embedded database: the database is one connection inside that process,
 * so only that process can copy it while it runs. It listens on a unix socket in the data directory, in a folder
 * only the directory's owner may enter (0700) and with the socket itself 0600: nothing on the network reaches it,
 * and no other user of the machine either. The one route writes the database's files as a tarball.
 */
export function backupSocketPath(dbDir: string): string {
  return join(resolve(dbDir), 'operator', 'backup.sock');
}

// A unix socket's path is at most 107 bytes on Linux (104 on macOS): longer ones are refused by the kernel.
const MAX_SOCKET_PATH = 100;

export interface BackupSocket {
  close(): Promise<void>;
}

/**
 * Serves `dump` on the backup socket of `dbDir`, one backup at a time. null when the path is too long for a socket;
 * a backup then needs the hub stopped.
 */
export async function serveBackups(dbDir: string, dump: () => Promise<Blob>): Promise<BackupSocket | null> {
  const path = backupSocketPath(dbDir);
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH) return null;
  const folder = join(resolve(dbDir), 'operator');
  await mkdir(folder, { recursive: true, mode: 0o700 });
  await chmod(folder, 0o700);
  // Left by a process that died: this one holds the directory's lock, so the socket is its own to replace.
  await rm(path, { force: true });
  let queue: Promise<unknown> = Promise.resolve();
  const server: Server = createServer((req, res) => {
    if (req.method !== 'POST' || req.url !== '/backup') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('POST /backup is the only route');
      return;
    }
    const done = queue.then(async () => {
      try {
        const data = Buffer.from(await (await dump()).arrayBuffer());
        res.writeHead(200, { 'content-type': 'application/x-tar', 'content-length': data.length }).end(data);
      } catch (error) {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(error instanceof Error ? error.message : String(error));
      }
    });
    queue = done;
  });
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolveListen());
  });
  await chmod(path, 0o600);
  return {
    async close() {
      await new Promise<void>((resolveClose) => server.close(() => resolveClose()));
      await rm(path, { force: true });
    },
  };
}

/** Asks the hub holding `dbDir` for a copy of its database's files (a tarball PGlite loads). */
export function requestBackup(dbDir: string, timeoutMs = 10 * 60_000): Promise<Buffer> {
  return new Promise((resolveRequest, reject) => {
    const req = request({ socketPath: backupSocketPath(dbDir), method: 'POST', path: '/backup', timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        if (res.statusCode === 200) resolveRequest(body);
        else reject(new Error(`the hub answered ${res.statusCode}: ${body.toString('utf8').slice(0, 500)}`));
      });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)));
    req.on('error', reject);
    req.end();
  });
}
