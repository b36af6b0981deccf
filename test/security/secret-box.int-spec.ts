import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createCipheriv, createHmac, randomBytes } from 'node:crypto';
import { ChannelsService } from '../../src/channels/index.js';
import { TEST_SECRET_KEY, TestHub, TestMember, createTeam, startTestHub } from '../support/test-hub.js';

/** A value as the hub sealed credentials before they were bound to their channel (format v1). */
function sealV1(plain: unknown): string {
  const key = createHmac('sha256', Buffer.from(TEST_SECRET_KEY, 'base64')).update('tsunagi:secret-box').digest();
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const data = Buffer.concat([cipher.update(JSON.stringify(plain), 'utf8'), cipher.final()]);
  return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), data.toString('base64url')].join('.');
}

describe('Channel secret box', () => {
  let hub: TestHub;
  let admin: TestMember;

  beforeAll(async () => {
    hub = await startTestHub();
    admin = (await createTeam(hub)).admin;
  });

  afterAll(async () => {
    await hub?.stop();
  });

  const channel = async (apiKey: string) =>
    (
      await hub.http
        .post('/api/channels')
        .set(admin.auth)
        .send({ type: 'email', provider: 'sendgrid', name: 'Mail', config: { apiKey, fromEmail: 'shop@example.com', inboundToken: 'inbound-token-0123456789' } })
        .expect(201)
    ).body.id as string;

  const secretsOf = async (id: string) => (await hub.infra.db.channel.findUniqueOrThrow({ where: { id } })).secrets;

  // Credential swapping: whoever can write a row (a restored backup, an injection elsewhere) copies channel A's
  // sealed credentials into channel B; B must not then send (or read webhooks) with A's account.
  it('does not open credentials copied from another channel', async () => {
    const a = await channel('SG.team-a-0123456789abcdef');
    const b = await channel('SG.team-b-0123456789abcdef');
    await hub.infra.db.channel.update({ where: { id: b }, data: { secrets: await secretsOf(a) } });
    const account = await hub.app.get(ChannelsService).account(b);
    expect(account?.secrets).toEqual({});
    // The administrator sees that B has no credentials any more, instead of a broken channel list.
    const view = await hub.http.get(`/api/channels/${b}`).set(admin.auth).expect(200);
    expect(view.body.secretsSet).toEqual([]);
    expect((await hub.app.get(ChannelsService).account(a))?.secrets).toMatchObject({ apiKey: 'SG.team-a-0123456789abcdef' });
  });

  // Values sealed before the binding existed are re-sealed once at start; two processes starting together may both
  // try: each row is rewritten only if it still holds the value read, so neither undoes the other.
  it('re-seals v1 credentials bound to their channel, once, even when two starts race', async () => {
    const ids = [await channel('SG.legacy-1-0123456789abcdef'), await channel('SG.legacy-2-0123456789abcdef')];
    for (const [i, id] of ids.entries()) {
      await hub.infra.db.channel.update({ where: { id }, data: { secrets: sealV1({ apiKey: `SG.legacy-${i + 1}-0123456789abcdef`, inboundToken: 'inbound-token-0123456789' }) } });
    }
    const service = hub.app.get(ChannelsService);
    const counts = await Promise.all([service.resealSecrets(), service.resealSecrets()]);
    expect(counts[0] + counts[1]).toBe(ids.length);
    const after = await Promise.all(ids.map(secretsOf));
    for (const sealed of after) expect(sealed).toMatch(/^v2\./);
    // Idempotent: nothing left to do, nothing rewritten.
    expect(await service.resealSecrets()).toBe(0);
    expect(await Promise.all(ids.map(secretsOf))).toEqual(after);
    for (const [i, id] of ids.entries()) {
      const view = await hub.http.get(`/api/channels/${id}`).set(admin.auth).expect(200);
      expect(view.body.secretsSet.sort()).toEqual(['apiKey', 'inboundToken']);
      expect((await service.account(id))?.secrets).toMatchObject({ apiKey: `SG.legacy-${i + 1}-0123456789abcdef` });
    }
  });
});
