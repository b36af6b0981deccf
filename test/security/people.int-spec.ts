import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { Socket } from 'socket.io-client';
import { eventually } from '../support/eventually.js';
import { emitWithAck, nextEvent, sessionOf, socketPool } from '../support/sockets.js';
import { TestHub, TestMember, addMember, createTeam, createWebchat, login, startTestHub } from '../support/test-hub.js';

type Mail = { to: string; subject: string; text: string };

/**
 * Every mail the hub sends from now on, whatever transport is behind the Mailer port: the port's instance is
 * the one handed to every module, so wrapping its `send` sees each mail (and still delivers it).
 */
function captureMail(hub: TestHub): Mail[] {
  const sent: Mail[] = [];
  const mailer = hub.infra.mailer;
  const deliver = mailer.send.bind(mailer);
  mailer.send = async (mail) => {
    sent.push(mail);
    await deliver(mail);
  };
  return sent;
}

const PASSWORD = 'correct horse';

describe('People leave: deactivation, own account, invite codes, assignment', () => {
  let hub: TestHub;
  let team: Awaited<ReturnType<typeof createTeam>>;
  let channelId: string;
  let mail: Mail[];
  const sockets = socketPool();

  beforeAll(async () => {
    hub = await startTestHub();
    mail = captureMail(hub);
  });

  // A team of its own per case: routing is per team, and one case's chats and members are not the next one's.
  beforeEach(async () => {
    team = await createTeam(hub);
    channelId = await createWebchat(hub, team.admin);
    // Signing in makes a member available; the administrator here only watches.
    await hub.http.put('/api/members/me/status').set(team.admin.auth).send({ status: 'offline' }).expect(200);
  });

  afterEach(() => sockets.closeAll());

  afterAll(async () => {
    sockets.closeAll();
    await hub?.stop();
  });

  async function newChat(body = 'こんにちは'): Promise<string> {
    const visitor = await sockets.open(hub.url, '/widget', { channelId });
    await sessionOf(visitor);
    const { conversationId } = await emitWithAck<{ conversationId: string }>(visitor, 'message', { body });
    return conversationId;
  }

  /** A member holding a chat: they are online alone, the chat is offered to them, and they accept it. */
  async function holding(member: TestMember): Promise<string> {
    await hub.http.put('/api/members/me/status').set(member.auth).send({ status: 'online' }).expect(200);
    const conversationId = await newChat();
    await hub.http.post(`/api/conversations/${conversationId}/accept`).set(member.auth).expect(200);
    return conversationId;
  }

  const conversation = (id: string) => hub.infra.db.conversation.findUniqueOrThrow({ where: { id } });

  // Attack: a dismissed employee keeps using the inbox (tokens valid for 12 hours, a socket that stays open, chats
  // that stay theirs). Done when, point 4: the token answers 401 at once, the socket is gone within 5 s, the chats
  // go back to the queue.
  it('deactivates a member: their token answers 401 at once, their socket is gone within 5 s, their chats are queued', async () => {
    const leaver = await addMember(hub, team);
    const conversationId = await holding(leaver);
    const device = await sockets.open(hub.url, '/inbox', { token: leaver.token });
    const signedOut = nextEvent<{ code: string }>(device, 'signed_out', () => true, 5_000);
    const gone = nextEvent<string>(device, 'disconnect', () => true, 5_000);
    const started = Date.now();

    await hub.http.delete(`/api/members/${leaver.id}`).set(team.admin.auth).expect(204);
    const refused = await hub.http.get('/api/conversations').set(leaver.auth).expect(401);
    expect(refused.body.code).toBe('member_deactivated');
    await gone;
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(device.connected).toBe(false);
    expect(await signedOut).toEqual({ code: 'member_deactivated' });

    const queued = await eventually(() => conversation(conversationId), (c) => c.assigneeId === null, 5_000);
    expect(queued).toMatchObject({ status: 'waiting', assigneeId: null });
    const queue = await hub.http.get('/api/queue').set(team.admin.auth).expect(200);
    expect(queue.body.waiting.map((w: { conversationId: string }) => w.conversationId)).toContain(conversationId);
    // Not listed as available, not offered anything, kept (not erased) in the member list.
    expect(queue.body.members.map((m: { id: string }) => m.id)).not.toContain(leaver.id);
    expect(await hub.infra.db.offer.count({ where: { memberId: leaver.id, status: 'pending' } })).toBe(0);
    const members = await hub.http.get('/api/members').set(team.admin.auth).expect(200);
    expect(members.body.items.find((m: { id: string }) => m.id === leaver.id)).toMatchObject({ email: leaver.email, status: 'offline', deactivatedAt: expect.any(String) });
    // A new socket with the old token is refused at the handshake.
    await expect(sockets.open(hub.url, '/inbox', { token: leaver.token })).rejects.toMatchObject({ data: { code: 'member_deactivated' } });
  });

  // Attack: the dismissed member signs in again with their password. The refusal names the reason only after the
  // right password, so a guesser learns nothing about the account.
  it('refuses sign-in after deactivation and allows it after reactivation; old tokens stay dead', async () => {
    const leaver = await addMember(hub, team);
    await hub.http.delete(`/api/members/${leaver.id}`).set(team.admin.auth).expect(204);
    const wrong = await hub.http.post('/api/auth/login').send({ email: leaver.email, password: 'not the password' }).expect(401);
    expect(wrong.body.code).toBe('invalid_credentials');
    const right = await hub.http.post('/api/auth/login').send({ email: leaver.email, password: PASSWORD }).expect(403);
    expect(right.body.code).toBe('member_deactivated');
    // Nor can a reset mail bring the account back.
    mail.length = 0;
    await hub.http.post('/api/auth/password-reset').send({ email: leaver.email }).expect(202);
    expect(mail.filter((m) => m.to === leaver.email)).toEqual([]);

    const back = await hub.http.post(`/api/members/${leaver.id}/reactivate`).set(team.admin.auth).expect(200);
    expect(back.body).toMatchObject({ id: leaver.id, deactivatedAt: null });
    await hub.http.get('/api/conversations').set(leaver.auth).expect(401);
    const fresh = await login(hub, leaver.email, PASSWORD);
    await hub.http.get('/api/conversations').set(fresh.auth).expect(200);
  });

  // Attack: an administrator locks the team out (themselves, or two administrators removing each other at once),
  // or someone below an administrator removes a colleague, or one team removes another's member.
  it('lets only administrators deactivate, never themselves nor the last administrator, only in their team', async () => {
    const self = await hub.http.delete(`/api/members/${team.admin.id}`).set(team.admin.auth).expect(403);
    expect(self.body.code).toBe('cannot_deactivate_self');
    const supervisor = await addMember(hub, team, { role: 'supervisor' });
    const operator = await addMember(hub, team);
    expect((await hub.http.delete(`/api/members/${operator.id}`).set(supervisor.auth).expect(403)).body.code).toBe('forbidden');
    const other = await createTeam(hub, 'Other');
    await hub.http.delete(`/api/members/${operator.id}`).set(other.admin.auth).expect(404);
    await hub.http.post(`/api/members/${operator.id}/reactivate`).set(other.admin.auth).expect(404);

    const second = await addMember(hub, team, { role: 'administrator' });
    const [a, b] = await Promise.all([
      hub.http.delete(`/api/members/${second.id}`).set(team.admin.auth),
      hub.http.delete(`/api/members/${team.admin.id}`).set(second.auth),
    ]);
    expect([a.status, b.status].filter((s) => s === 204)).toHaveLength(1);
    const active = await hub.infra.db.member.count({ where: { teamId: team.teamId, role: 'administrator', deactivatedAt: null } });
    expect(active).toBe(1);
  });

  // Attack: a stolen session survives the owner's password change on another device.
  it('changes the password: other devices are signed out (HTTP and socket), this one gets a fresh token', async () => {
    const member = await addMember(hub, team);
    const laptop = member;
    const phone = await login(hub, member.email, PASSWORD);
    const phoneSocket = await sockets.open(hub.url, '/inbox', { token: phone.token });
    const gone = nextEvent(phoneSocket, 'disconnect', () => true, 5_000);

    const wrong = await hub.http.put('/api/members/me/password').set(laptop.auth).send({ currentPassword: 'not it at all', newPassword: 'a new long pass' }).expect(403);
    expect(wrong.body.code).toBe('wrong_password');
    const changed = await hub.http.put('/api/members/me/password').set(laptop.auth).send({ currentPassword: PASSWORD, newPassword: 'a new long pass' }).expect(200);
    await hub.http.get('/api/conversations').set(phone.auth).expect(401);
    await hub.http.get('/api/conversations').set(laptop.auth).expect(401);
    await hub.http.get('/api/conversations').set({ Authorization: `Bearer ${changed.body.accessToken}` }).expect(200);
    await gone;
    await hub.http.post('/api/auth/login').send({ email: member.email, password: PASSWORD }).expect(401);
    await login(hub, member.email, 'a new long pass');
  });

  // A phone left signed in on a shared counter: "log out everywhere" retires every token, this device's too, and the
  // devices still connected hear it at once; the password is unchanged and a colleague's sessions are untouched.
  it('logs out everywhere: every token of the account answers 401, its sockets are told and closed, others keep theirs', async () => {
    const member = await addMember(hub, team);
    const phone = await login(hub, member.email, PASSWORD);
    const colleague = await addMember(hub, team);
    const phoneSocket = await sockets.open(hub.url, '/inbox', { token: phone.token });
    const told = nextEvent(phoneSocket, 'signed_out', () => true, 5_000);
    const gone = nextEvent(phoneSocket, 'disconnect', () => true, 5_000);

    await hub.http.post('/api/members/me/sign-out-everywhere').expect(401);
    await hub.http.post('/api/members/me/sign-out-everywhere').set(member.auth).expect(204);
    expect(await told).toEqual({ code: 'session_revoked' });
    await gone;
    await hub.http.get('/api/conversations').set(member.auth).expect(401);
    await hub.http.get('/api/conversations').set(phone.auth).expect(401);
    await hub.http.get('/api/conversations').set(colleague.auth).expect(200);
    const again = await login(hub, member.email, PASSWORD);
    await hub.http.get('/api/conversations').set(again.auth).expect(200);
  });

  // Attack: a stolen session (without the password) guesses the current password on the change form, unthrottled,
  // to learn it and take the account for good.
  it('counts wrong current passwords like failed sign-ins: the sixth in a row is answered 429', async () => {
    const member = await addMember(hub, team);
    const statuses = [];
    for (let i = 0; i < 7; i++) {
      const response = await hub.http.put('/api/members/me/password').set(member.auth).send({ currentPassword: `guess number ${i}`, newPassword: 'a new long pass' });
      statuses.push(response.status);
    }
    expect(statuses).toEqual([403, 403, 403, 403, 403, 429, 429]);
    // The same count as sign-in: the account itself now waits there too.
    const signIn = await hub.http.post('/api/auth/login').send({ email: member.email, password: PASSWORD }).expect(429);
    expect(signIn.body.code).toBe('too_many_attempts');
  });

  // Attack: the team loses its last administrator when one steps down while deactivating the other (or both step
  // down) at the same moment: each saw two administrators before either wrote.
  it('keeps one administrator when two administrators step down, or one steps down while deactivating the other, at once', async () => {
    for (let round = 0; round < 4; round++) {
      const other = await createTeam(hub, `Race ${round}`);
      const second = await addMember(hub, other, { role: 'administrator' });
      const demote = (who: TestMember) => hub.http.patch(`/api/members/${who.id}`).set(who.auth).send({ role: 'operator' });
      const results = round % 2 === 0
        ? await Promise.all([demote(other.admin), demote(second)])
        : await Promise.all([demote(other.admin), hub.http.delete(`/api/members/${second.id}`).set(other.admin.auth)]);
      expect(results.map((r) => r.status).filter((s) => s < 300)).toHaveLength(1);
      const active = await hub.infra.db.member.count({ where: { teamId: other.teamId, role: 'administrator', deactivatedAt: null } });
      expect({ round, active }).toEqual({ round, active: 1 });
    }
  });

  // Attack: a socket opened before the password changed keeps acting, even if the hub process that changed it never
  // told this one (the version is read again on events, not only at the handshake).
  it('refuses socket events from a token whose version changed, and disconnects that socket', async () => {
    const member = await addMember(hub, team);
    const device: Socket = await sockets.open(hub.url, '/inbox', { token: member.token });
    const gone = nextEvent(device, 'disconnect', () => true, 5_000);
    // The version moves in the database only: no event tells the gateway, so only the per-event check can see it.
    await hub.infra.db.member.update({ where: { id: member.id }, data: { tokenVersion: { increment: 1 } } });
    const started = Date.now();
    const conversationId = '00000000-0000-7000-8000-000000000000';
    await eventually(
      async () => {
        if (device.connected) device.emit('typing', { conversationId });
        return device.connected;
      },
      (connected) => !connected,
      5_000,
    );
    await gone;
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('changes the own name', async () => {
    const member = await addMember(hub, team);
    const renamed = await hub.http.patch('/api/members/me').set(member.auth).send({ name: '高橋 健' }).expect(200);
    expect(renamed.body).toMatchObject({ id: member.id, name: '高橋 健' });
    expect((await hub.http.patch('/api/members/me').set(member.auth).send({ name: '' }).expect(400)).body.code).toBe('invalid_request');
  });

  // Attack: a session thief moves the account to their own address (then resets the password there). The new
  // address must prove itself with a code sent to it, and the code takes few guesses.
  it('changes the email only with the code sent to the new address; five tries per code; a taken address is refused', async () => {
    const member = await addMember(hub, team);
    const newAddress = `moved-${member.id.slice(-8)}@example.com`;
    mail.length = 0;
    await hub.http.post('/api/members/me/email').set(member.auth).send({ email: newAddress }).expect(202);
    const sent = mail.filter((m) => m.to === newAddress);
    expect(sent).toHaveLength(1);
    const code = /\b(\d{6})\b/.exec(sent[0].text)![1];
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    // The old address hears nothing that would let it take over; the email has not changed yet.
    expect(mail.some((m) => m.to === member.email && m.text.includes(code))).toBe(false);
    expect((await hub.infra.db.member.findUniqueOrThrow({ where: { id: member.id } })).email).toBe(member.email);

    const refused = await hub.http.post('/api/members/me/email/confirm').set(member.auth).send({ code: wrong }).expect(400);
    expect(refused.body.code).toBe('invalid_code');
    const confirmed = await hub.http.post('/api/members/me/email/confirm').set(member.auth).send({ code }).expect(200);
    expect(confirmed.body).toMatchObject({ id: member.id, email: newAddress });
    await login(hub, newAddress, PASSWORD);
    await hub.http.post('/api/auth/login').send({ email: member.email, password: PASSWORD }).expect(401);
    await hub.http.post('/api/members/me/email/confirm').set(member.auth).send({ code }).expect(400);

    // Guessing: 20 wrong tries in parallel, then the right code: refused (at most five tries counted atomically).
    const guesser = await addMember(hub, team);
    const guessed = `guessed-${guesser.id.slice(-8)}@example.com`;
    mail.length = 0;
    await hub.http.post('/api/members/me/email').set(guesser.auth).send({ email: guessed }).expect(202);
    const guessCode = /\b(\d{6})\b/.exec(mail.find((m) => m.to === guessed)!.text)![1];
    const miss = String((Number(guessCode) + 1) % 1_000_000).padStart(6, '0');
    await Promise.all(Array.from({ length: 20 }, () => hub.http.post('/api/members/me/email/confirm').set(guesser.auth).send({ code: miss }).expect(400)));
    await hub.http.post('/api/members/me/email/confirm').set(guesser.auth).send({ code: guessCode }).expect(400);
    const stored = await hub.infra.db.emailChange.findFirstOrThrow({ where: { memberId: guesser.id } });
    expect(stored.attempts).toBeLessThanOrEqual(5);

    // Mail bombing through one's own account: each request mails an address of the member's choosing.
    const bomber = await addMember(hub, team);
    for (let i = 0; i < 5; i += 1) {
      await hub.http.post('/api/members/me/email').set(bomber.auth).send({ email: `victim-${i}-${bomber.id.slice(-6)}@example.com` }).expect(202);
    }
    const sixth = await hub.http.post('/api/members/me/email').set(bomber.auth).send({ email: `victim-6-${bomber.id.slice(-6)}@example.com` }).expect(429);
    expect(sixth.body).toMatchObject({ code: 'rate_limited', retryAfterSeconds: expect.any(Number) });

    // Someone else's address: the code proves the mailbox, but the address is taken.
    const taker = await addMember(hub, team);
    mail.length = 0;
    await hub.http.post('/api/members/me/email').set(taker.auth).send({ email: team.admin.email }).expect(202);
    const takerCode = /\b(\d{6})\b/.exec(mail.find((m) => m.to === team.admin.email)!.text)![1];
    expect((await hub.http.post('/api/members/me/email/confirm').set(taker.auth).send({ code: takerCode }).expect(409)).body.code).toBe('email_taken');
  });

  // Attack: an operator (or anyone who reads an operator's screen) signs up strangers into the team.
  it('shows the invite code to administrators and supervisors only', async () => {
    const operator = await addMember(hub, team);
    const supervisor = await addMember(hub, team, { role: 'supervisor' });
    const seen = await hub.http.get('/api/teams/current').set(operator.auth).expect(200);
    expect(seen.body).not.toHaveProperty('inviteCode');
    expect(JSON.stringify(seen.body)).not.toContain(team.inviteCode);
    expect((await hub.http.get('/api/teams/current').set(supervisor.auth).expect(200)).body).toMatchObject({ inviteCode: team.inviteCode, inviteCodeExpiresAt: expect.any(String) });
    expect((await hub.http.get('/api/teams/current').set(team.admin.auth).expect(200)).body.inviteCode).toBe(team.inviteCode);
    await hub.http.post('/api/teams/current/invite-code').set(operator.auth).expect(403);
  });

  // Attack: an invite code that leaked months ago (an old chat message, a printed notice) still lets strangers in.
  it('refuses an expired invite code, naming what to do; rotation starts a new period', async () => {
    const current = await hub.http.get('/api/teams/current').set(team.admin.auth).expect(200);
    expect(current.body.settings.inviteCodeTtlDays).toBe(14);
    // Fifteen days ago, as far as the code is concerned.
    await hub.infra.db.team.update({ where: { id: team.teamId }, data: { inviteCodeIssuedAt: new Date(Date.now() - 15 * 86_400_000) } });
    const signup = { email: `late-${team.teamId.slice(-8)}@example.com`, password: PASSWORD, name: '遅刻 太郎' };
    const expired = await hub.http.post('/api/auth/signup').send({ ...signup, inviteCode: team.inviteCode }).expect(400);
    expect(expired.body).toMatchObject({ code: 'invite_code_expired', message: expect.stringContaining('administrator') });

    // A longer period set by the team lets it through again; rotation starts a new 14 days.
    await hub.http.patch('/api/teams/current').set(team.admin.auth).send({ settings: { inviteCodeTtlDays: 30 } }).expect(200);
    await hub.http.post('/api/auth/signup').send({ ...signup, inviteCode: team.inviteCode }).expect(201);
    await hub.http.patch('/api/teams/current').set(team.admin.auth).send({ settings: { inviteCodeTtlDays: 14 } }).expect(200);
    const rotated = await hub.http.post('/api/teams/current/invite-code').set(team.admin.auth).expect(200);
    expect(rotated.body.inviteCode).not.toBe(team.inviteCode);
    expect(new Date(rotated.body.inviteCodeExpiresAt).getTime()).toBeGreaterThan(Date.now() + 13 * 86_400_000);
    await hub.http.post('/api/auth/signup').send({ ...signup, email: `rotated-${team.teamId.slice(-8)}@example.com`, inviteCode: rotated.body.inviteCode }).expect(201);
    await hub.http.post('/api/auth/signup').send({ ...signup, email: `old-${team.teamId.slice(-8)}@example.com`, inviteCode: team.inviteCode }).expect(400);
  });

  // Attack: an operator takes a colleague's chat (and the sale credited to whoever answers) by assigning it to
  // themselves.
  it('refuses an operator assigning a colleague’s chat to themselves; the holder and supervisors may', async () => {
    const holder = await addMember(hub, team);
    const conversationId = await holding(holder);
    const operator = await addMember(hub, team);
    const refused = await hub.http.post(`/api/conversations/${conversationId}/assign`).set(operator.auth).send({ memberId: operator.id }).expect(403);
    expect(refused.body.code).toBe('held_by_colleague');
    expect((await conversation(conversationId)).assigneeId).toBe(holder.id);

    await hub.http.post(`/api/conversations/${conversationId}/assign`).set(holder.auth).send({ memberId: holder.id }).expect(200);
    const supervisor = await addMember(hub, team, { role: 'supervisor' });
    await hub.http.post(`/api/conversations/${conversationId}/assign`).set(supervisor.auth).send({ memberId: operator.id, override: true }).expect(200);
    expect((await conversation(conversationId)).assigneeId).toBe(operator.id);
  });
});
