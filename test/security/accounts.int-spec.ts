import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { DATABASE } from '../../src/common/database/database.js';
import type { Db } from '../../src/common/database/database.js';
import { startSendgridFake } from '../fakes/sendgrid-fake.js';
import type { SendgridFake } from '../fakes/sendgrid-fake.js';
import { startSmtpFake } from '../fakes/smtp-fake.js';
import type { SmtpFake } from '../fakes/smtp-fake.js';
import { eventually } from '../support/eventually.js';
import { startHubProcess } from '../support/hub-process.js';
import type { HubProcess } from '../support/hub-process.js';
import { TestHub, TestMember, addMember, createTeam, startTestHub } from '../support/test-hub.js';

const MAIL_FROM = 'no-reply@hub.example';
const SENDGRID_KEY = 'SG.test-key-for-system-mail';
const codeIn = (text: string) => /\b(\d{6})\b/.exec(text)?.[1];
const login = (hub: { http: ReturnType<typeof request> }, body: unknown, forwardedFor?: string) => {
  const call = hub.http.post('/api/auth/login');
  if (forwardedFor) void call.set('X-Forwarded-For', forwardedFor);
  return call.send(body as object);
};

describe('System mail', () => {
  // Guards the takeover of issue 16: on a default start, POST /api/auth/password-reset for the administrator and
  // then GET /api/dev/mailbox without any token listed the code.
  describe('on a default start (nothing configured)', () => {
    let dataDir: string;
    let hub: HubProcess;

    beforeAll(async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'tsunagi-accounts-'));
      hub = await startHubProcess({ HUB_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'info' });
    });

    afterAll(async () => {
      await hub?.stop();
      await rm(dataDir, { recursive: true, force: true });
    });

    it('says at start that mail goes to the log, writes the reset code there, and no route hands it to a caller without a token', async () => {
      expect(hub.output()).toMatch(/Mail:\s+written to the log/);
      await request(hub.url).post('/api/auth/password-reset').send({ email: hub.login.email }).expect(202);
      const logged = await eventually(
        async () => hub.output().split('\n').find((line) => line.includes(hub.login.email) && /\b\d{6}\b/.test(line)),
        (line) => line !== undefined,
      );
      const code = codeIn(JSON.parse(logged!).text as string)!;
      expect(code).toMatch(/^\d{6}$/);

      // Every GET route the API documents, with any path id filled in, plus the names a mailbox could hide under.
      const spec = (await request(hub.url).get('/api/docs/openapi.json').expect(200)).body as { paths: Record<string, Record<string, unknown>> };
      const documented = Object.entries(spec.paths)
        .filter(([, operations]) => 'get' in operations)
        .map(([path]) => path.replace(/\{[^}]+\}/g, '019a0000-0000-7000-8000-000000000000'));
      const guesses = ['/api/dev/mailbox', '/api/dev/mail', '/api/dev/mails', '/api/dev/outbox', '/api/dev', '/api/mailbox', '/api/mail', '/api/outgoing-mail', '/dev/mailbox', '/mailbox'];
      expect(documented.length).toBeGreaterThan(20);
      for (const path of [...guesses, ...documented]) {
        const response = await request(hub.url).get(path);
        expect({ path, leaks: response.text.includes(code) || response.text.includes(hub.login.email) }).toEqual({ path, leaks: false });
        if (guesses.includes(path)) expect({ path, status: response.status }).toEqual({ path, status: 404 });
      }
    });
  });

  describe('through HUB_SMTP_URL', () => {
    let smtp: SmtpFake;
    let hub: TestHub;
    let team: Awaited<ReturnType<typeof createTeam>>;

    beforeAll(async () => {
      smtp = await startSmtpFake();
      hub = await startTestHub({ HUB_SMTP_URL: smtp.url, HUB_MAIL_FROM: MAIL_FROM });
      team = await createTeam(hub);
    });

    afterAll(async () => {
      await hub?.stop();
      await smtp?.close();
    });

    // Guards a reset that could only ever be read from the development mailbox: the code must reach a real relay.
    it('delivers the reset code to the SMTP server, from HUB_MAIL_FROM, and the code works', async () => {
      const member = await addMember(hub, team);
      await hub.http.post('/api/auth/password-reset').send({ email: member.email }).expect(202);
      const [mail] = await eventually(async () => smtp.mails.filter((m) => m.to.includes(member.email)), (mails) => mails.length === 1);
      expect(mail.from).toBe(MAIL_FROM);
      const code = codeIn(mail.text)!;
      expect(code).toMatch(/^\d{6}$/);
      await hub.http.post('/api/auth/password-reset/confirm').send({ email: member.email, code, password: 'brand new pass' }).expect(204);
    });

    // Guards a mail lost to a relay's hiccup: the request still answers 202 and the mail is sent again later.
    it('retries a mail the server refused for now, and the request is answered 202 meanwhile', async () => {
      const member = await addMember(hub, team);
      smtp.failNext(1);
      await hub.http.post('/api/auth/password-reset').send({ email: member.email }).expect(202);
      await eventually(async () => smtp.mails.filter((m) => m.to.includes(member.email)).length, (n) => n === 1);
      expect(smtp.refused()).toBe(1);
    });
  });

  describe('through HUB_SENDGRID_API_KEY', () => {
    let sendgrid: SendgridFake;
    let hub: TestHub;
    let team: Awaited<ReturnType<typeof createTeam>>;

    beforeAll(async () => {
      sendgrid = await startSendgridFake({ apiKey: SENDGRID_KEY });
      hub = await startTestHub({ HUB_SENDGRID_API_KEY: SENDGRID_KEY, HUB_SENDGRID_API_BASE_URL: sendgrid.url, HUB_MAIL_FROM: MAIL_FROM });
      team = await createTeam(hub);
    });

    afterAll(async () => {
      await hub?.stop();
      await sendgrid?.close();
    });

    // Guards the same as above through SendGrid's Mail Send, including a 5xx that must not lose the mail.
    it('delivers the reset code through Mail Send, retrying after a server error', async () => {
      const member = await addMember(hub, team);
      sendgrid.failNext({ status: 500, message: 'internal error' });
      await hub.http.post('/api/auth/password-reset').send({ email: member.email }).expect(202);
      const [sent] = await eventually(async () => sendgrid.sent.filter((s) => s.body.personalizations[0].to[0].email === member.email), (s) => s.length === 1);
      expect(sent.body.from.email).toBe(MAIL_FROM);
      const code = codeIn(sent.body.content!.map((c) => c.value).join('\n'))!;
      expect(code).toMatch(/^\d{6}$/);
      expect(sendgrid.requests.length).toBe(2);
      await hub.http.post('/api/auth/password-reset/confirm').send({ email: member.email, code, password: 'brand new pass' }).expect(204);
    });
  });
});

describe('Password reset', () => {
  let smtp: SmtpFake;
  let hub: TestHub;
  let team: Awaited<ReturnType<typeof createTeam>>;

  beforeAll(async () => {
    smtp = await startSmtpFake();
    // The loopback proxy is trusted so that each request can come from its own client address.
    hub = await startTestHub({ HUB_SMTP_URL: smtp.url, HUB_MAIL_FROM: MAIL_FROM, HUB_TRUST_PROXY: '127.0.0.1' });
    team = await createTeam(hub);
  });

  afterAll(async () => {
    await hub?.stop();
    await smtp?.close();
  });

  const codeFor = async (member: TestMember) => {
    const mails = await eventually(async () => smtp.mails.filter((m) => m.to.includes(member.email)), (list) => list.length > 0);
    return codeIn(mails[mails.length - 1].text)!;
  };

  // Guards guessing a code in parallel: read-compare-increment let every one of 300 simultaneous guesses be compared.
  it('gives 300 parallel guesses no more than 5 tries, and refuses the right code after them', async () => {
    const member = await addMember(hub, team);
    await hub.http.post('/api/auth/password-reset').set('X-Forwarded-For', '198.51.100.1').send({ email: member.email }).expect(202);
    const code = await codeFor(member);
    const wrong = (i: number) => String((Number(code) + 1 + i) % 1_000_000).padStart(6, '0');
    const guesses = Array.from({ length: 300 }, (_, i) => (i === 299 ? code : wrong(i)));
    const answers = await Promise.all(
      guesses.map((guess) => hub.http.post('/api/auth/password-reset/confirm').send({ email: member.email, code: guess, password: 'taken over!' })),
    );
    expect(answers.filter((a) => a.status !== 400)).toEqual([]);
    expect(new Set(answers.map((a) => a.body.code))).toEqual(new Set(['invalid_reset_code']));
    await hub.http.post('/api/auth/password-reset/confirm').send({ email: member.email, code, password: 'taken over!' }).expect(400);

    const db = hub.app.get<Db>(DATABASE);
    const resets = await db.passwordReset.findMany({ where: { memberId: member.id } });
    expect(resets.map((r) => r.attempts)).toEqual([5]);
    // Stored as a keyed hash: a copy of the table does not let anyone test the 10^6 codes offline.
    expect(resets[0].codeHash).not.toBe(createHash('sha256').update(code).digest('hex'));
    expect(resets[0].codeHash).not.toContain(code);
  });

  // Guards mail bombing one person (and guessing against fresh codes): the limit is per address, wherever the
  // requests come from, and answers an unknown address exactly alike, so it tells nobody whether an account exists.
  it.each([
    ['an existing account', true],
    ['an unknown address', false],
  ])('answers the sixth reset request for %s within 15 minutes with 429', async (_label, exists) => {
    const email = exists ? (await addMember(hub, team)).email : `nobody-${Date.now()}@example.com`;
    const answers = [];
    for (let i = 0; i < 10; i++) {
      answers.push(await hub.http.post('/api/auth/password-reset').set('X-Forwarded-For', `203.0.113.${exists ? 10 + i : 30 + i}`).send({ email: email.toUpperCase() }));
    }
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202, 202, 202, 429, 429, 429, 429, 429]);
    expect(answers[5].body).toMatchObject({ statusCode: 429, code: 'rate_limited' });
    expect(answers[5].body.retryAfterSeconds).toBeGreaterThan(0);
    expect(answers[5].body.retryAfterSeconds).toBeLessThanOrEqual(15 * 60);
    expect(answers[5].headers['retry-after']).toBe(String(answers[5].body.retryAfterSeconds));
    expect(Object.keys(answers[5].body).sort()).toEqual(['code', 'message', 'retryAfterSeconds', 'statusCode']);
    if (exists) expect(smtp.mails.filter((m) => m.to.includes(email)).length).toBeLessThanOrEqual(5);
  });

  // Guards one client walking through many addresses.
  it('answers the sixth reset request from one client address within 15 minutes with 429', async () => {
    const statuses = [];
    for (let i = 0; i < 7; i++) {
      const response = await hub.http.post('/api/auth/password-reset').set('X-Forwarded-For', '192.0.2.77').send({ email: `walk-${i}-${Date.now()}@example.com` });
      statuses.push(response.status);
    }
    expect(statuses).toEqual([202, 202, 202, 202, 202, 429, 429]);
  });
});

describe('Login throttling', () => {
  describe('when no proxy is trusted (the default)', () => {
    let hub: TestHub;
    let team: Awaited<ReturnType<typeof createTeam>>;

    beforeAll(async () => {
      hub = await startTestHub();
      team = await createTeam(hub);
    });

    afterAll(() => hub?.stop());

    // Guards dodging the limit with a made-up X-Forwarded-For per try: without a trusted proxy the header means nothing.
    it('answers the sixth of 12 wrong logins with 429 although each names a different X-Forwarded-For', async () => {
      const victim = await addMember(hub, team);
      const statuses = [];
      let sixth: request.Response | undefined;
      for (let i = 0; i < 12; i++) {
        const response = await login(hub, { email: victim.email, password: `guess-${i}` }, `198.51.100.${i + 1}`);
        statuses.push(response.status);
        if (i === 5) sixth = response;
      }
      expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429, 429, 429, 429, 429]);
      expect(sixth!.body.retryAfterSeconds).toBeGreaterThan(0);
      expect(sixth!.headers['retry-after']).toBe(String(sixth!.body.retryAfterSeconds));
    });
  });

  describe('per client address, when no proxy is trusted', () => {
    let hub: TestHub;

    beforeAll(async () => {
      hub = await startTestHub();
    });

    afterAll(() => hub?.stop());

    // Guards one client spraying guesses over many accounts (a few each, under every per-account limit).
    it('counts failures per client address across accounts, whatever X-Forwarded-For says', async () => {
      const statuses = [];
      for (let i = 0; i < 22; i++) {
        const response = await login(hub, { email: `spray-${i}@example.com`, password: 'Winter2025!' }, `192.0.2.${i + 1}`);
        statuses.push(response.status);
      }
      expect(statuses.slice(0, 20)).toEqual(Array(20).fill(401));
      expect(statuses.slice(20)).toEqual([429, 429]);
    });
  });

  describe('when the loopback proxy is trusted (HUB_TRUST_PROXY)', () => {
    let hub: TestHub;
    let team: Awaited<ReturnType<typeof createTeam>>;

    beforeAll(async () => {
      hub = await startTestHub({ HUB_TRUST_PROXY: '1' });
      team = await createTeam(hub);
    });

    afterAll(() => hub?.stop());

    // Guards a botnet guessing one password from many addresses: the per-account limit does not care where from.
    it('slows one account down from the sixth failure even when every try comes from another address', async () => {
      const victim = await addMember(hub, team);
      const statuses = [];
      for (let i = 0; i < 12; i++) {
        statuses.push((await login(hub, { email: victim.email, password: `guess-${i}` }, `198.51.100.${i + 1}`)).status);
      }
      expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429, 429, 429, 429, 429]);
    });

    it('honours X-Forwarded-For from the trusted proxy: one address reaching its budget does not stop another', async () => {
      const statuses = [];
      for (let i = 0; i < 21; i++) {
        statuses.push((await login(hub, { email: `walk-${i}@example.com`, password: 'Winter2025!' }, '203.0.113.5')).status);
      }
      expect(statuses.slice(0, 20)).toEqual(Array(20).fill(401));
      expect(statuses[20]).toBe(429);
      await login(hub, { email: 'walk-x@example.com', password: 'Winter2025!' }, '203.0.113.6').expect(401);
    });

    // Guards locking the owner out: a failure is reserved before the check and given back when the password is right.
    it('lets the right password in after a few failures, and clears them', async () => {
      const member = await addMember(hub, team);
      for (let i = 0; i < 4; i++) await login(hub, { email: member.email, password: `typo-${i}` }, '198.51.100.200').expect(401);
      await login(hub, { email: member.email, password: 'correct horse' }, '198.51.100.200').expect(200);
      for (let i = 0; i < 4; i++) await login(hub, { email: member.email, password: `typo-${i}` }, '198.51.100.200').expect(401);
      await login(hub, { email: member.email, password: 'correct horse' }, '198.51.100.200').expect(200);
    });

    // Guards starving the process: argon2 takes memory and CPU, and a burst of logins must not queue without end.
    it('answers a burst of logins beyond the argon2 bound with 429 busy, and serves again afterwards', async () => {
      const member = await addMember(hub, team);
      const burst = await Promise.all(
        Array.from({ length: 40 }, (_, i) => login(hub, { email: `burst-${i}@example.com`, password: 'whatever' }, `10.1.${Math.floor(i / 200)}.${(i % 200) + 1}`)),
      );
      const busy = burst.filter((r) => r.status === 429);
      expect(busy.length).toBeGreaterThan(0);
      expect(new Set(busy.map((r) => r.body.code))).toEqual(new Set(['busy']));
      expect(busy[0].body.retryAfterSeconds).toBeGreaterThan(0);
      expect(burst.every((r) => r.status === 401 || r.status === 429)).toBe(true);
      await login(hub, { email: member.email, password: 'correct horse' }, '10.9.9.9').expect(200);
    });
  });
});

describe('Body limits', () => {
  let hub: TestHub;

  beforeAll(async () => {
    hub = await startTestHub();
  });

  afterAll(() => hub?.stop());

  // Guards memory exhaustion through any JSON route: 30 MB bodies were accepted everywhere for the sake of one webhook.
  it('answers a 2 MB JSON login body with 413 payload_too_large before the handler', async () => {
    const body = JSON.stringify({ email: 'a@example.com', password: 'x'.repeat(2 * 1024 * 1024) });
    const response = await hub.http.post('/api/auth/login').set('Content-Type', 'application/json').send(body).expect(413);
    expect(response.body.code).toBe('payload_too_large');
    const multipart = await hub.http.post('/api/auth/login').set('Content-Type', 'multipart/form-data; boundary=x').send(Buffer.alloc(2 * 1024 * 1024, 'a')).expect(413);
    expect(multipart.body.code).toBe('payload_too_large');
  });

  // Guards the opposite mistake: SendGrid's Inbound Parse still takes big mails, other webhooks stay bounded.
  it('keeps 30 MB for SendGrid Inbound Parse and bounds the other webhooks', async () => {
    const { admin } = await createTeam(hub);
    const channel = (body: object) => hub.http.post('/api/channels').set(admin.auth).send(body).expect(201).then((r) => r.body.id as string);
    const email = await channel({ type: 'email', provider: 'sendgrid', name: 'Mail', config: { apiKey: 'SG.body-limits-key-0123456789', fromEmail: 'shop@example.com', inboundToken: 'inbound-token-0123456789' } });
    const lineChannel = await channel({ type: 'line', provider: 'line', name: 'LINE', config: { channelSecret: 'line-secret', channelAccessToken: 'line-token' } });
    const big = Buffer.alloc(8 * 1024 * 1024, 'a');
    // Read (past any size check) and then refused as a mail it cannot parse, not as too large.
    const inbound = await hub.http.post(`/webhooks/sendgrid/${email}/inbound?token=inbound-token-0123456789`).set('Content-Type', 'multipart/form-data; boundary=xYzZY').send(big);
    expect(inbound.status).not.toBe(413);
    const line = await hub.http.post(`/webhooks/line/${lineChannel}`).set('Content-Type', 'application/json').send(JSON.stringify({ events: [], pad: 'a'.repeat(8 * 1024 * 1024) }));
    expect(line.status).toBe(413);
    const small = await hub.http.post(`/webhooks/line/${lineChannel}`).set('Content-Type', 'application/json').send(JSON.stringify({ events: [] }));
    expect(small.status).toBe(401);
  });

  // Guards memory exhaustion through the one large route: Inbound Parse took 30 MB from anyone who named any id, and
  // only then looked the channel and its token up. Now the answer comes before the body: the request below announces
  // 25 MB, sends 1 KB and waits; a hub that reads the body first would never answer it.
  it('refuses an unknown channel or a wrong token before reading a byte of a large webhook body', async () => {
    const { admin } = await createTeam(hub);
    const email = (await hub.http
      .post('/api/channels')
      .set(admin.auth)
      .send({ type: 'email', provider: 'sendgrid', name: 'Mail', config: { apiKey: 'SG.body-limits-key-0123456789', fromEmail: 'shop@example.com', inboundToken: 'inbound-token-0123456789' } })
      .expect(201)).body.id as string;
    const unknown = '019a0000-0000-7000-8000-000000000000';
    expect(await answerWithoutBody(hub.url, `/webhooks/sendgrid/${unknown}/inbound?token=inbound-token-0123456789`)).toMatchObject({ status: 404 });
    expect(await answerWithoutBody(hub.url, `/webhooks/sendgrid/${email}/inbound?token=guessed`)).toMatchObject({ status: 401, code: 'token_invalid' });
    expect(await answerWithoutBody(hub.url, `/webhooks/sendgrid/${email}/inbound`)).toMatchObject({ status: 401, code: 'token_missing' });
    expect(await answerWithoutBody(hub.url, `/webhooks/line/${unknown}`)).toMatchObject({ status: 404 });
  });
});

/** Posts headers announcing 25 MB and only 1 KB of body, then waits for an answer (null after 5 s: the hub is waiting for the rest). */
function answerWithoutBody(base: string, path: string): Promise<{ status: number; code?: string } | null> {
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    const call = httpRequest(url, { method: 'POST', headers: { 'Content-Type': 'multipart/form-data; boundary=xYzZY', 'Content-Length': String(25 * 1024 * 1024) } });
    const timer = setTimeout(() => {
      call.destroy();
      resolve(null);
    }, 5_000);
    call.on('response', (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      response.on('end', () => {
        clearTimeout(timer);
        call.destroy();
        resolve({ status: response.statusCode ?? 0, code: (JSON.parse(text || '{}') as { code?: string }).code });
      });
    });
    call.on('error', (error: NodeJS.ErrnoException) => {
      // The hub may close the connection as soon as it has answered; the answer was read by then.
      if (error.code !== 'ECONNRESET' && error.code !== 'EPIPE') reject(error);
    });
    call.write(Buffer.alloc(1024, 'a'));
  });
}

describe('Invite codes and client budgets', () => {
  let hub: TestHub;
  let team: Awaited<ReturnType<typeof createTeam>>;

  beforeAll(async () => {
    // The loopback proxy is trusted so that each request can name its own client address.
    hub = await startTestHub({ HUB_TRUST_PROXY: '127.0.0.1' });
    team = await createTeam(hub);
  });

  afterAll(() => hub?.stop());

  const signup = (inviteCode: string, forwardedFor: string, email = `joiner-${Math.random().toString(36).slice(2)}@example.com`) =>
    hub.http.post('/api/auth/signup').set('X-Forwarded-For', forwardedFor).send({ inviteCode, email, password: 'correct horse', name: '新人 一郎' });

  // Guards guessing a team's invite code: sign-up is public, and without a budget a client could walk the code space.
  it('answers the eleventh failed sign-up from one client address within 15 minutes with 429, and a right code gives its point back', async () => {
    for (let i = 0; i < 3; i++) await signup(team.inviteCode, '198.51.100.40').expect(201);
    const statuses = [];
    for (let i = 0; i < 12; i++) statuses.push((await signup(`WRONG${i}X`, '198.51.100.40')).status);
    expect(statuses).toEqual([...Array(10).fill(400), 429, 429]);
    // Even the right code waits: the budget is counted before the code is looked up, so a 429 tells nothing.
    expect((await signup(team.inviteCode, '198.51.100.40')).body.code).toBe('rate_limited');
    await signup(team.inviteCode, '198.51.100.41').expect(201);
  });

  // Guards a guessable code: 6 characters of 31 are under 10^9; new codes are 10 characters (about 8 * 10^14).
  it('issues invite codes of 10 unambiguous characters, and a rotated code works', async () => {
    const fresh = await createTeam(hub);
    expect(fresh.inviteCode).toMatch(/^[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{10}$/);
    const rotated = await hub.http.post('/api/teams/current/invite-code').set(fresh.admin.auth).expect(200);
    expect(rotated.body.inviteCode).toMatch(/^[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{10}$/);
    await signup(rotated.body.inviteCode.toLowerCase(), '198.51.100.42').expect(201);
  });

  // Guards an IPv6 client taking a fresh budget per address: one /64 holds 2^64 of them.
  it('counts every address of one IPv6 /64 against one budget, and another /64 apart', async () => {
    const statuses = [];
    for (let i = 0; i < 7; i++) {
      const response = await hub.http.post('/api/auth/password-reset').set('X-Forwarded-For', `2001:db8:7:7::${(i + 1).toString(16)}`).send({ email: `v6-${i}@example.com` });
      statuses.push(response.status);
    }
    expect(statuses).toEqual([202, 202, 202, 202, 202, 429, 429]);
    await hub.http.post('/api/auth/password-reset').set('X-Forwarded-For', '2001:db8:7:8::1').send({ email: 'v6-other@example.com' }).expect(202);
  });
});
