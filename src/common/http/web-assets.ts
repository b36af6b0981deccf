import type { FastifyInstance, FastifyReply } from 'fastify';
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Db } from '../database/database.js';
import type { ErrorBody } from '../errors/error-response.js';
import { APP_CSP, DEMO_CSP } from './security-headers.js';

/** Where `npm run build` puts the inbox, the widget and the demo page (web/dist), from src/ or dist/ alike. */
export const WEB_DIST = fileURLToPath(new URL('../../../web/dist', import.meta.url));

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'application/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wav': 'audio/wav',
  // WebAssembly.instantiateStreaming compiles only what is served as application/wasm (the barcode reader).
  '.wasm': 'application/wasm',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
};

/** The inbox's service worker: at /app/sw.js, allowed the scope /app so that it covers the inbox's own address too. */
const SERVICE_WORKER = 'sw.js';
const SERVICE_WORKER_SCOPE = '/app';

const NOT_BUILT = { statusCode: 503, code: 'web_not_built', message: 'The web inbox and widget are not built: run `npm run build`.' } satisfies ErrorBody;

/**
 * The agents' inbox at /app (a single-page app: unknown paths under it answer its index; its manifest, icons and
 * service worker beside it), the widget script at
 * /widget.js, and a demo shop page with the widget at /demo (`?channel=<id>`, or the oldest active web chat).
 */
export async function serveWebAssets(fastify: FastifyInstance, db: Db): Promise<void> {
  const appRoot = resolve(WEB_DIST, 'app');
  const appIndex = async (reply: FastifyReply) => {
    if (!existsSync(join(appRoot, 'index.html'))) return reply.code(503).send(NOT_BUILT);
    return reply
      .header('cache-control', 'no-cache')
      .header('content-security-policy', APP_CSP)
      .header('x-frame-options', 'DENY')
      .type('text/html; charset=utf-8')
      .send(await readFile(join(appRoot, 'index.html')));
  };
  fastify.get('/app', (_request, reply) => appIndex(reply));
  // A built file (hashed, so cached for long), or else one of the app's own routes (/app/conversations/...): its page.
  fastify.get<{ Params: { '*': string } }>('/app/*', async (request, reply) => {
    const file = resolve(appRoot, request.params['*']);
    if (file.startsWith(appRoot + sep) && existsSync(file) && (await stat(file)).isFile()) {
      const type = CONTENT_TYPES[extname(file)] ?? 'application/octet-stream';
      const immutable = file.includes(`${sep}assets${sep}`);
      if (file === join(appRoot, SERVICE_WORKER)) reply.header('service-worker-allowed', SERVICE_WORKER_SCOPE);
      return reply.header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache').type(type).send(await readFile(file));
    }
    return appIndex(reply);
  });

  fastify.get('/widget.js', async (_request, reply) => {
    if (!existsSync(join(WEB_DIST, 'widget.js'))) return reply.code(503).send(NOT_BUILT);
    return reply
      .header('cache-control', 'public, max-age=300')
      .header('access-control-allow-origin', '*')
      .type('application/javascript; charset=utf-8')
      .send(await readFile(join(WEB_DIST, 'widget.js')));
  });

  fastify.get<{ Querystring: { channel?: string } }>('/demo', async (request, reply) => {
    if (!existsSync(join(WEB_DIST, 'demo', 'index.html'))) return reply.code(503).send(NOT_BUILT);
    const wanted = typeof request.query.channel === 'string' ? request.query.channel : undefined;
    const channel = await db.channel.findFirst({
      where: { type: 'webchat', active: true, ...(wanted ? { id: wanted } : {}) },
      orderBy: { createdAt: 'asc' },
      select: { id: true },
    });
    if (!channel) {
      return reply.code(404).send({ statusCode: 404, code: 'no_webchat_channel', message: 'No active web chat channel: an administrator adds one in the inbox (Channels), then reloads this page.' } satisfies ErrorBody);
    }
    const page = (await readFile(join(WEB_DIST, 'demo', 'index.html'), 'utf8')).replace('__CHANNEL_ID__', channel.id);
    return reply.header('cache-control', 'no-cache').header('content-security-policy', DEMO_CSP).type('text/html; charset=utf-8').send(page);
  });
}
