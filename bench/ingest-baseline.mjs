// The ingest benchmark's baseline: what the hub's durable work costs with nothing in between. A bare node:http
// server checks the provider's signature, then in one transaction upserts the contact and the open conversation and
// inserts each message (deduplicated on the provider's event id), commits, emits one socket.io event per new message
// and answers. It runs as its own process, like the hub, so neither shares the load generator's event loop.
//
//   BASELINE_DATABASE=postgresql://...   PostgreSQL through `pg`, a pool of 10 (the hub's default pool size)
//   BASELINE_DATABASE=pglite:<dir>       PGlite in this process, persisted in <dir>, opened as the hub opens it
//                                        (no options, no extensions); PGlite is one connection, so transactions queue
//   BASELINE_DATABASE=pglite-socket:<dir>  the same PGlite served on a loopback port with pglite-socket (one connection)
//                                        and reached through a `pg` pool of one, as the hub reaches it
//   BASELINE_DATABASE=pglite-worker:<dir>  PGlite and its socket in a worker thread, started by the hub's own compiled
//                                        code (`npm run build` first), reached through a `pg` pool of one
//   BASELINE_SEARCH_INDEX=off            leave out the message search's index (a bare insert; default on)
//   PORT=<port>                          where to listen (127.0.0.1)
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import busboy from 'busboy';
import http from 'node:http';
import pg from 'pg';
import { Server } from 'socket.io';
import { INBOUND_TOKEN, PUBLIC_URL, lineSignature, sameSignature, twilioSignature, whatsappSignature } from './ingest-webhooks.mjs';

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS bench_contacts (id bigserial PRIMARY KEY, channel text NOT NULL, address text NOT NULL, name text, last_seen_at timestamptz NOT NULL DEFAULT now(), UNIQUE (channel, address))`,
  `CREATE TABLE IF NOT EXISTS bench_conversations (id bigserial PRIMARY KEY, channel text NOT NULL, contact_id bigint NOT NULL REFERENCES bench_contacts, last_message_at timestamptz NOT NULL DEFAULT now(), UNIQUE (channel, contact_id))`,
  `CREATE TABLE IF NOT EXISTS bench_messages (id bigserial PRIMARY KEY, channel text NOT NULL, event_key text NOT NULL, conversation_id bigint NOT NULL REFERENCES bench_conversations, body text NOT NULL, created_at timestamptz NOT NULL DEFAULT now(), UNIQUE (channel, event_key))`,
  // The conversation's messages in order: the index the hub's message list needs too, kept up by every insert.
  `CREATE INDEX IF NOT EXISTS bench_messages_conversation ON bench_messages (conversation_id, created_at)`,
  // A message stored is a message found by the search: the index the hub's message search needs (its pairs of
  // adjacent characters in a GIN index, the function as the hub's migrations define it), kept up by every insert.
  // Unlike the hub's other indexes it costs as much as the rest of an insert (about 1 ms of PGlite's time each), so
  // a baseline without it would not be doing the hub's durable work.
  ...(process.env.BASELINE_SEARCH_INDEX === 'off'
    ? []
    : [
        `CREATE OR REPLACE FUNCTION bench_search_bigrams(t text) RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
          SELECT array_to_tsvector(coalesce(array_agg(p.a || p.b), '{}'::text[]))
          FROM (SELECT string_to_array(lower(left(t, 100000)), NULL) AS c) AS s,
               unnest(s.c[1:cardinality(s.c) - 1], s.c[2:cardinality(s.c)]) AS p(a, b)
        $$`,
        `CREATE INDEX IF NOT EXISTS bench_messages_search ON bench_messages USING gin (bench_search_bigrams(body))`,
      ]),
];
const UPSERT_CONTACT = `INSERT INTO bench_contacts (channel, address, name) VALUES ($1, $2, $3) ON CONFLICT (channel, address) DO UPDATE SET last_seen_at = now() RETURNING id`;
const UPSERT_CONVERSATION = `INSERT INTO bench_conversations (channel, contact_id) VALUES ($1, $2) ON CONFLICT (channel, contact_id) DO UPDATE SET last_message_at = now() RETURNING id`;
const INSERT_MESSAGE = `INSERT INTO bench_messages (channel, event_key, conversation_id, body) VALUES ($1, $2, $3, $4) ON CONFLICT (channel, event_key) DO NOTHING RETURNING id, created_at`;

/** `run(work)`: work(query) inside one transaction, on a pooled `pg` connection or on PGlite. */
async function openDatabase(target) {
  if (target.startsWith('pglite-socket:')) {
    const db = new PGlite(target.slice('pglite-socket:'.length));
    await db.waitReady;
    const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 1 });
    await server.start();
    const sql = await openPool(`postgresql://postgres@${server.getServerConn()}/postgres?sslmode=disable`, 1);
    return { run: sql.run, close: () => sql.close().then(() => server.stop()).then(() => db.close()) };
  }
  if (target.startsWith('pglite-worker:')) {
    const { startEmbeddedPostgres } = await import('../dist/common/database/embedded-postgres.js');
    const embedded = await startEmbeddedPostgres(target.slice('pglite-worker:'.length));
    const sql = await openPool(embedded.connectionString, 1);
    return { run: sql.run, close: () => sql.close().then(() => embedded.stop()) };
  }
  if (target.startsWith('pglite:')) {
    const db = new PGlite(target.slice('pglite:'.length));
    await db.waitReady;
    for (const statement of SCHEMA) await db.exec(statement);
    return {
      run: (work) => db.transaction((tx) => work((text, values) => tx.query(text, values))),
      close: () => db.close(),
    };
  }
  return openPool(target, 10);
}

async function openPool(connectionString, max) {
  const pool = new pg.Pool({ connectionString, max, idleTimeoutMillis: 0 });
  for (const statement of SCHEMA) await pool.query(statement);
  return {
    async run(work) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await work((text, values) => client.query(text, values));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

/** Inbound Parse's multipart fields, read with busboy and nothing else. */
function readMultipart(raw, contentType) {
  return new Promise((resolve, reject) => {
    const fields = {};
    const parser = busboy({ headers: { 'content-type': contentType }, limits: { fieldSize: 30 * 1024 * 1024 } });
    parser.on('field', (name, value) => (fields[name] = value));
    parser.on('error', reject);
    parser.on('close', () => resolve(fields));
    parser.end(raw);
  });
}

/**
 * The verified webhook as `{ channel, address, name, messages: [[eventKey, body]] }`, or a status to refuse it with.
 * Signatures are checked over the raw body before it is parsed, as the hub does.
 */
async function readWebhook(request, raw) {
  const url = new URL(request.url, 'http://baseline');
  switch (url.pathname) {
    case '/twilio': {
      const params = Object.fromEntries(new URLSearchParams(raw.toString()));
      if (!sameSignature(request.headers['x-twilio-signature'], twilioSignature(PUBLIC_URL + '/twilio', params))) return 403;
      return { channel: 'twilio', address: params.From, name: null, messages: [[params.MessageSid, params.Body]] };
    }
    case '/line': {
      if (!sameSignature(request.headers['x-line-signature'], lineSignature(raw))) return 401;
      const event = JSON.parse(raw.toString()).events[0];
      return { channel: 'line', address: event.source.userId, name: null, messages: [[event.webhookEventId, event.message.text]] };
    }
    case '/whatsapp': {
      if (!sameSignature(request.headers['x-hub-signature-256'], whatsappSignature(raw))) return 401;
      const value = JSON.parse(raw.toString()).entry[0].changes[0].value;
      return { channel: 'whatsapp', address: value.contacts[0].wa_id, name: value.contacts[0].profile.name, messages: value.messages.map((m) => [m.id, m.text.body]) };
    }
    case '/sendgrid': {
      if (url.searchParams.get('token') !== INBOUND_TOKEN) return 401;
      const fields = await readMultipart(raw, request.headers['content-type']);
      return { channel: 'sendgrid', address: fields.from, name: null, messages: [[/Message-ID: <([^>]+)>/.exec(fields.headers)[1], fields.text.trim()]] };
    }
    default:
      return 404;
  }
}

async function main() {
  const db = await openDatabase(process.env.BASELINE_DATABASE);
  let ioServer;
  const server = http.createServer((request, response) => {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', async () => {
      try {
        const hook = await readWebhook(request, Buffer.concat(chunks));
        if (typeof hook === 'number') return response.writeHead(hook).end();
        const created = await db.run(async (query) => {
          const contactId = (await query(UPSERT_CONTACT, [hook.channel, hook.address, hook.name])).rows[0].id;
          const conversationId = (await query(UPSERT_CONVERSATION, [hook.channel, contactId])).rows[0].id;
          const rows = [];
          for (const [eventKey, body] of hook.messages) {
            const row = (await query(INSERT_MESSAGE, [hook.channel, eventKey, conversationId, body])).rows[0];
            if (row) rows.push({ id: String(row.id), conversationId: String(conversationId), direction: 'in', body, createdAt: row.created_at });
          }
          return rows;
        });
        // After the commit, as the hub emits: the agent never sees a message that could still roll back.
        for (const message of created) ioServer.emit('message.created', message);
        const twiml = hook.channel === 'twilio';
        response.writeHead(200, { 'content-type': twiml ? 'text/xml' : 'application/json' }).end(twiml ? '<Response/>' : '{}');
      } catch (error) {
        process.stderr.write(`baseline: ${error.stack}\n`);
        response.writeHead(500).end();
      }
    });
  });
  ioServer = new Server(server);
  await new Promise((resolve) => server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', resolve));
  process.stdout.write(`listening on ${server.address().port}\n`);
  const stop = () => {
    // socket.io closes the HTTP server with its own.
    ioServer.close(() => db.close().then(() => process.exit(0)));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error) => {
  process.stderr.write(`baseline could not start: ${error.stack}\n`);
  process.exit(1);
});
