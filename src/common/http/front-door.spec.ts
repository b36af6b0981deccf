import { afterEach, describe, expect, it } from '@jest/globals';
import { request as httpRequest } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HubReadiness, READINESS_STEPS } from '../start/readiness.js';
import { FrontDoor, RETRY_AFTER_SECONDS } from './front-door.js';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function send(port: number, method: string, path: string, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe(FrontDoor.name, () => {
  let door: FrontDoor | null = null;

  afterEach(async () => {
    door?.server.closeAllConnections();
    await new Promise((resolve) => door?.server.close(resolve) ?? resolve(undefined));
    door = null;
  });

  /** A door on a free port, with an application that answers 200 `app` (or waits for `hold` first). */
  async function openDoor(readiness = new HubReadiness(), hold?: Promise<void>) {
    door = new FrontDoor(readiness);
    const handled: string[] = [];
    door.serverFactory((req: IncomingMessage, res: ServerResponse) => {
      handled.push(req.url ?? '');
      void (hold ?? Promise.resolve()).then(() => res.end('app'));
    });
    await door.listen(0, '127.0.0.1');
    const { port } = door.server.address() as { port: number };
    return { door, port, handled, readiness };
  }

  // Guards the newcomer's 401: before the hub was ready, a login reached an application without its first team.
  it('answers liveness and readiness itself while starting and refuses everything else with 503 and Retry-After', async () => {
    const { port, handled } = await openDoor();
    expect(await send(port, 'GET', '/health/live')).toMatchObject({ status: 200, body: '{"status":"live"}' });
    const ready = await send(port, 'GET', '/health/ready');
    expect(ready.status).toBe(503);
    expect(JSON.parse(ready.body)).toMatchObject({ status: 'not_ready', notReady: [...READINESS_STEPS] });
    expect((await send(port, 'GET', '/health')).status).toBe(503);
    const login = await send(port, 'POST', '/api/auth/login', '{"email":"a@example.com","password":"correct horse"}');
    expect(login).toMatchObject({ status: 503, headers: { 'retry-after': String(RETRY_AFTER_SECONDS) } });
    expect(JSON.parse(login.body)).toMatchObject({ statusCode: 503, code: 'not_ready' });
    expect(handled).toEqual([]);
  });

  it('hands the health routes to the application once attached, and the rest only once open', async () => {
    const { door, port, handled } = await openDoor();
    door.attachApplication();
    expect((await send(port, 'GET', '/health/ready')).body).toBe('app');
    expect((await send(port, 'GET', '/api/channels')).status).toBe(503);
    door.open();
    expect(await send(port, 'GET', '/api/channels')).toMatchObject({ status: 200, body: 'app' });
    expect(handled).toEqual(['/health/ready', '/api/channels']);
  });

  // Guards the stop that went on taking webhooks: from the signal on, new requests are refused, the ones in flight finish.
  // A starting hub's figures are worth seeing: /metrics reaches the application as soon as it exists, not before.
  it('hands /metrics to the application once attached, before open, and refuses it again once stopping', async () => {
    const { door, port, handled } = await openDoor();
    expect(await send(port, 'GET', '/metrics')).toMatchObject({ status: 503 });
    door.attachApplication();
    expect(await send(port, 'GET', '/metrics')).toMatchObject({ status: 200, body: 'app' });
    expect((await send(port, 'GET', '/api/teams/current')).status).toBe(503);
    door.open();
    door.stopAdmitting();
    expect(JSON.parse((await send(port, 'GET', '/metrics')).body)).toMatchObject({ code: 'shutting_down' });
    expect(handled).toEqual(['/metrics']);
  });

  it('lets requests in flight finish after the stop began, refuses new ones, and drains', async () => {
    let release!: () => void;
    const hold = new Promise<void>((resolve) => (release = resolve));
    const { door, port, handled } = await openDoor(new HubReadiness(), hold);
    door.attachApplication();
    door.open();
    const inFlight = send(port, 'POST', '/webhooks/twilio/ch1', 'Body=hello');
    while (handled.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    door.stopAdmitting();
    let drained = false;
    const draining = door.drained().then(() => (drained = true));
    const refused = await send(port, 'POST', '/webhooks/twilio/ch1', 'Body=late');
    expect(refused).toMatchObject({ status: 503, headers: { 'retry-after': String(RETRY_AFTER_SECONDS), connection: 'close' } });
    expect(JSON.parse(refused.body)).toMatchObject({ code: 'shutting_down' });
    expect(drained).toBe(false);
    release();
    expect(await inFlight).toMatchObject({ status: 200, body: 'app', headers: { connection: 'close' } });
    await draining;
    expect(handled).toEqual(['/webhooks/twilio/ch1']);
  });
});
