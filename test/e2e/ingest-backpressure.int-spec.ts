import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { postSignedTwilioForm } from '../fakes/twilio-fake.js';
import { sleep } from '../support/sockets.js';
import { TestHub, createTeam, startTestHub } from '../support/test-hub.js';

const PUBLIC_URL = 'https://hub.example.test';
const ACCOUNT_SID = 'AC' + 'd'.repeat(32);
const AUTH_TOKEN = 'twilio-auth-token-0123456789';

let sidCounter = 0;
const newSid = () => `SM${(Date.now().toString(16) + (sidCounter++).toString(16)).padStart(32, '0')}`;

// Guards the burst that once answered 500 "Unable to start a transaction in the given time": on the embedded
// database (one connection) webhooks waited for it past Prisma's maxWait. A webhook that cannot be stored soon is
// refused with 503 and Retry-After (the provider tries again later, and its event key stores it once).
describe('webhooks while the database is busy', () => {
  let hub: TestHub;
  let sms: string;

  beforeAll(async () => {
    // On the embedded database, whose one connection the test holds to make the burst wait.
    hub = await startTestHub({ PUBLIC_URL, HUB_INGEST_QUEUE_LIMIT: '3', HUB_INGEST_QUEUE_WAIT_MS: '1500' }, { embedded: true });
    const { admin } = await createTeam(hub);
    const config = { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, apiBaseUrl: 'http://127.0.0.1:9', sendsPerSecond: 200, from: '+15005550006' };
    sms = (await hub.http.post('/api/channels').set(admin.auth).send({ type: 'sms', provider: 'twilio', name: 'SMS', config }).expect(201)).body.id;
    // The channel is cached by a first webhook, so that the burst below needs the database only to store.
    await send({ MessageSid: newSid(), AccountSid: ACCOUNT_SID, From: '+819000001000', To: '+15005550006', Body: 'warm', NumMedia: '0' }).expect(200);
  });

  afterAll(async () => {
    await hub?.stop();
  });

  const send = (params: Record<string, string>) => postSignedTwilioForm(hub.url, PUBLIC_URL, `/webhooks/twilio/${sms}`, AUTH_TOKEN, params);

  it('answers a burst it cannot store in time with 503 and Retry-After, never 500, and stores each event once when it comes again', async () => {
    const burst = Array.from({ length: 8 }, (_, i) => ({ MessageSid: newSid(), AccountSid: ACCOUNT_SID, From: `+8190000020${String(i).padStart(2, '0')}`, To: '+15005550006', Body: `混雑 ${i}`, NumMedia: '0' }));
    // The embedded database's one connection, held by somebody else for longer than any webhook may wait.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const holder = hub.infra.db.$transaction(() => held, { timeout: 30_000 });
    await sleep(100);

    const answers = await Promise.all(burst.map((params) => send(params)));
    release();
    await holder;

    expect(answers.map((a) => a.status)).toEqual(burst.map(() => 503));
    for (const answer of answers) {
      expect(answer.body).toMatchObject({ code: 'ingest_busy' });
      expect(Number(answer.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    }
    // Refused, so nothing stored; the provider's retry then stores each once, however often it comes.
    expect(await hub.infra.db.message.count({ where: { channelId: sms, eventKey: { in: burst.map((p) => p.MessageSid) } } })).toBe(0);
    for (const params of burst) {
      const twice = await Promise.all([send(params), send(params)]);
      expect(twice.map((a) => a.status)).toEqual([200, 200]);
    }
    expect(await hub.infra.db.message.count({ where: { channelId: sms, eventKey: { in: burst.map((p) => p.MessageSid) } } })).toBe(burst.length);
  });
});
