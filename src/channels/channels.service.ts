import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { HUB_CONFIG } from '../common/config/config.js';
import type { HubConfig } from '../common/config/config.js';
import { SECRET_BOX, SecretBox } from '../common/crypto/secret-box.js';
import { DATABASE, Prisma } from '../common/database/database.js';
import type { Db } from '../common/database/database.js';
import { DomainError, notFound } from '../common/errors/domain-error.js';
import { parseInput } from '../common/http/validation.js';
import { OUTBOUND_GUARD } from '../common/outbound/index.js';
import type { OutboundGuard } from '../common/outbound/index.js';
import { capabilitiesOf, isChannelProvider } from './channel-adapter.js';
import type { ChannelAccount, ChannelCapabilities, ChannelPairing, ChannelProvider, ChannelType, RegisteredAdapter, StoredConfig } from './channel-adapter.js';
import { GroupsService } from '../teams/index.js';
import { ChannelRegistry } from './channel-registry.js';
import type { ChannelCheck } from './channel-check.js';
import { ChannelEvents } from './channel.events.js';
import { logger } from '../common/logging/logger.js';
import { CLOCK } from '../common/clock.js';
import type { Clock } from '../common/clock.js';
import { CACHE_INVALIDATION } from '../common/cache/cache-invalidation.js';
import type { CacheInvalidation } from '../common/cache/cache-invalidation.js';
import { InvalidatedCache } from '../common/cache/invalidated-cache.js';

type ChannelRow = {
  id: string;
  teamId: string;
  type: ChannelType;
  provider: string;
  name: string;
  active: boolean;
  settings: unknown;
  secrets: string;
  createdAt: Date;
  session?: { state: ChannelPairing['state']; detail: string | null } | null;
};

export interface ChannelView {
  id: string;
  type: ChannelType;
  provider: ChannelProvider;
  name: string;
  active: boolean;
  webhookUrls: Record<string, string>;
  /** What the composer may offer on this channel: text length, media, reply window, groups. */
  capabilities: ChannelCapabilities;
  /** The config without its secrets; `secretsSet` names the secrets that are stored. */
  config: Record<string, unknown>;
  secretsSet: string[];
  /** Channels that are a live connection (WhatsApp Web): `pairing`, `ready`, `disconnected`... and why. */
  session?: { state: ChannelPairing['state']; detail: string | null };
  createdAt: Date;
}

/**
 * Every change to a channel is published to every process's cache (`CacheInvalidation`); the TTL only bounds a
 * change whose publication was lost (the writer died between its commit and the publish).
 */
const ACCOUNT_CACHE = { ttlMs: 10 * 60_000, maxEntries: 10_000 };

const withSession = { session: { select: { state: true, detail: true } } } as const;

@Injectable()
export class ChannelsService implements OnApplicationBootstrap {
  private readonly accounts: InvalidatedCache<ChannelAccount | null>;

  constructor(
    @Inject(DATABASE) private readonly db: Db,
    @Inject(SECRET_BOX) private readonly box: SecretBox,
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
    @Inject(OUTBOUND_GUARD) private readonly guard: OutboundGuard,
    private readonly registry: ChannelRegistry,
    private readonly channelEvents: ChannelEvents,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CACHE_INVALIDATION) invalidation: CacheInvalidation,
    private readonly memberGroups: GroupsService,
  ) {
    this.accounts = new InvalidatedCache(invalidation, 'channel', ACCOUNT_CACHE);
  }

  async create(teamId: string, input: { type: ChannelType; provider: string; name: string; config: Record<string, unknown> }): Promise<ChannelView> {
    const adapter = this.registry.forRequest(input.type, input.provider);
    const { settings, secrets } = this.split(adapter, input.config);
    await this.checkIntakeGroups(teamId, settings);
    // The id is chosen here: the credentials are sealed bound to it before the row exists.
    const id = uuidv7();
    const row = await this.db.channel.create({
      data: { id, teamId, type: input.type, provider: adapter.provider, name: input.name, settings: settings as Prisma.InputJsonObject, secrets: this.box.seal(secrets, id) },
    });
    // A webhook that named the id before it existed was kept as "no such channel".
    await this.accounts.changed(row.id);
    await adapter.activate?.(this.toAccount(row));
    return this.get(teamId, row.id);
  }

  /**
   * Credentials sealed before they were bound to their channel are re-sealed first; then channels that hold a
   * live connection (WhatsApp Web) start theirs; a hub without such channels starts nothing.
   */
  async onApplicationBootstrap(): Promise<void> {
    const resealed = await this.resealSecrets();
    if (resealed > 0) logger.info({ channels: resealed }, 'channel credentials re-sealed bound to their channel');
    for (const adapter of this.registry.all()) {
      if (!adapter.activate) continue;
      for (const row of await this.db.channel.findMany({ where: { provider: adapter.provider, active: true } })) {
        await adapter.activate(this.toAccount(row)).catch((error: unknown) => logger.error({ err: error, channelId: row.id }, 'channel could not be started'));
      }
    }
  }

  /**
   * Re-seals `v1` credentials (not bound to their channel) as `v2`; returns how many rows this call rewrote. Each
   * row is rewritten only while it still holds the value read, so two processes starting at once rewrite it once
   * between them, and a second run finds nothing to do.
   */
  async resealSecrets(): Promise<number> {
    const legacy = await this.db.channel.findMany({ where: { secrets: { startsWith: 'v1.' } }, select: { id: true, secrets: true } });
    let count = 0;
    for (const row of legacy) {
      const updated = await this.db.channel.updateMany({ where: { id: row.id, secrets: row.secrets }, data: { secrets: this.box.reseal(row.secrets, row.id) } });
      count += updated.count;
    }
    for (const row of legacy) await this.accounts.changed(row.id);
    return count;
  }

  /** `GET /api/channels/:id/pairing`: the state of a channel paired by QR code, and the code to scan. */
  async pairing(teamId: string, id: string): Promise<ChannelPairing> {
    const account = this.toAccount(await this.row(teamId, id));
    const adapter = this.registry.get(account.provider);
    if (!adapter.pairing) {
      throw new DomainError('conflict', 'pairing_unsupported', 'This channel is not paired by QR code; only WhatsApp Web channels are.');
    }
    return adapter.pairing(account);
  }

  /**
   * `POST /api/channels/:id/check`: asks the provider whether the stored credentials work, through the channel's
   * own SDK and API address (so through the outbound guard), and says what is wrong in a stable code.
   */
  async check(teamId: string, id: string): Promise<ChannelCheck & { checkedAt: Date }> {
    const account = this.toAccount(await this.row(teamId, id));
    const result = await this.registry.get(account.provider).check(account);
    return { ...result, checkedAt: this.clock.now() };
  }

  async list(teamId: string): Promise<ChannelView[]> {
    const rows = await this.db.channel.findMany({ where: { teamId }, orderBy: { createdAt: 'asc' }, include: withSession });
    return rows.map((row) => this.view(row));
  }

  async get(teamId: string, id: string): Promise<ChannelView> {
    return this.view(await this.row(teamId, id));
  }

  async update(teamId: string, id: string, patch: { name?: string; active?: boolean; config?: Record<string, unknown> }): Promise<ChannelView> {
    const row = await this.row(teamId, id);
    let data: Prisma.ChannelUpdateInput = { name: patch.name, active: patch.active };
    if (patch.config) {
      const adapter = this.registry.get(providerOf(row));
      const current = { ...storedRecord(row.settings), ...this.secretsOf(row) };
      const { settings, secrets } = this.split(adapter, { ...current, ...patch.config });
      await this.checkIntakeGroups(teamId, settings);
      data = { ...data, settings: settings as Prisma.InputJsonObject, secrets: this.box.seal(secrets, row.id) };
      // A new rate starts from now: slots booked under the old one do not hold later messages back.
      if ('sendsPerSecond' in patch.config) data.nextSendAt = this.clock.now();
    }
    const updated = await this.db.channel.update({ where: { id: row.id }, data, include: withSession });
    await this.accounts.changed(row.id);
    const adapter = this.registry.get(providerOf(updated));
    if (updated.active) await adapter.activate?.(this.toAccount(updated));
    else await adapter.deactivate?.(updated.id);
    return this.view(updated);
  }

  async remove(teamId: string, id: string): Promise<void> {
    const row = await this.row(teamId, id);
    await this.registry.get(providerOf(row)).deactivate?.(row.id);
    await this.db.channel.delete({ where: { id: row.id } });
    await this.accounts.changed(row.id);
  }

  /**
   * A channel with its credentials opened, for adapters; any team (webhooks arrive before we know the team), so a
   * caller that acts for a team compares the account's `teamId`. Every webhook and every send needs it, so it is
   * cached: a change made by any process reaches every process's cache within about a second.
   */
  async account(id: string): Promise<ChannelAccount | null> {
    return this.accounts.get(id, async () => {
      const row = await this.db.channel.findUnique({ where: { id } });
      return row ? this.toAccount(row) : null;
    });
  }

  /**
   * Books the next moment this channel may send, `intervalMs` after the previous booking (the provider's rate
   * limit). One atomic update, so every hub process books from the same clock and none overtakes another: the
   * database's, which also says how long is left until the slot (`waitMs`).
   */
  async reserveSendSlot(channelId: string, intervalMs: number): Promise<{ at: Date; waitMs: number }> {
    const rows = await this.db.$queryRaw<{ slot: Date; waitMs: number }[]>`
      UPDATE channels
         SET next_send_at = GREATEST(next_send_at, now()) + make_interval(secs => ${intervalMs / 1000}::double precision)
       WHERE id = ${channelId}
   RETURNING next_send_at - make_interval(secs => ${intervalMs / 1000}::double precision) AS slot,
             (EXTRACT(EPOCH FROM (next_send_at - make_interval(secs => ${intervalMs / 1000}::double precision) - clock_timestamp())) * 1000)::float8 AS "waitMs"`;
    return rows[0] ? { at: rows[0].slot, waitMs: rows[0].waitMs } : { at: this.clock.now(), waitMs: 0 };
  }

  /** The bot was added to a group or room, or left it: the group list is what reports can be posted to. */
  async recordGroup(channel: ChannelAccount, groupId: string, change: 'joined' | 'left', at: Date): Promise<void> {
    const kind = this.registry.get(channel.provider).groupKind?.(groupId) ?? 'group';
    if (change === 'joined') {
      await this.db.channelGroup.upsert({
        where: { channelId_groupId: { channelId: channel.id, groupId } },
        create: { teamId: channel.teamId, channelId: channel.id, groupId, kind, joinedAt: at },
        update: { status: 'active', joinedAt: at, leftAt: null },
      });
      this.channelEvents.emit('group.joined', { teamId: channel.teamId, channelId: channel.id, groupId });
      return;
    }
    // Told once: a redelivered leave finds the group gone already and changes nothing.
    const { count } = await this.db.channelGroup.updateMany({
      where: { channelId: channel.id, groupId, status: 'active' },
      data: { status: 'gone', leftAt: at },
    });
    if (count === 0) {
      // A leave that arrives before its join (redeliveries are unordered) still leaves a row saying "gone".
      await this.db.channelGroup.createMany({
        data: [{ teamId: channel.teamId, channelId: channel.id, groupId, kind, joinedAt: at, status: 'gone', leftAt: at }],
        skipDuplicates: true,
      });
      return;
    }
    const row = await this.db.channelGroup.findUnique({ where: { channelId_groupId: { channelId: channel.id, groupId } }, select: { name: true } });
    this.channelEvents.emit('group.left', { teamId: channel.teamId, channelId: channel.id, groupId, name: row?.name ?? null });
  }

  async nameGroup(channelId: string, groupId: string, name: string): Promise<void> {
    await this.db.channelGroup.updateMany({ where: { channelId, groupId }, data: { name } });
  }

  async groups(teamId: string, channelId: string): Promise<{ groupId: string; kind: string; name: string | null; status: string; joinedAt: Date; leftAt: Date | null }[]> {
    await this.row(teamId, channelId);
    return this.db.channelGroup.findMany({
      where: { teamId, channelId },
      orderBy: { joinedAt: 'asc' },
      select: { groupId: true, kind: true, name: true, status: true, joinedAt: true, leftAt: true },
    });
  }

  /**
   * The account as stored, for the rest of the hub; the registry's adapter reads its settings and credentials
   * with the provider's schemas when the account reaches it.
   */
  toAccount(row: ChannelRow): ChannelAccount {
    return {
      id: row.id,
      teamId: row.teamId,
      type: row.type,
      provider: providerOf(row),
      name: row.name,
      active: row.active,
      settings: storedRecord(row.settings),
      secrets: this.secretsOf(row),
    };
  }

  /**
   * The channel's credentials, or none when they do not open (sealed for another channel, tampered with, another
   * key): the channel then shows no stored secrets to the administrator, instead of failing every listing.
   */
  private secretsOf(row: { id: string; secrets: string }): StoredConfig {
    try {
      return storedRecord(this.box.open<unknown>(row.secrets, row.id));
    } catch (error) {
      logger.error({ err: error, channelId: row.id }, 'channel credentials do not open: they were not sealed for this channel with this key');
      return {};
    }
  }

  private async row(teamId: string, id: string): Promise<ChannelRow> {
    const row = await this.db.channel.findFirst({ where: { id, teamId }, include: withSession });
    if (!row) throw notFound('The channel');
    return row;
  }

  private split(adapter: RegisteredAdapter, config: Record<string, unknown>) {
    let parsed: Record<string, unknown>;
    try {
      parsed = parseInput(adapter.configSchema, config);
    } catch (error) {
      // Name the fields as the client sent them: inside `config`.
      if (error instanceof DomainError && Array.isArray(error.details)) {
        const details = error.details.map((d) => ({ ...d, field: `config.${d.field}` }));
        // A web chat's intake tree has its own code: the admin page shows it beside the tree's editor.
        if (details.every((d) => d.field.startsWith('config.intake'))) throw new DomainError('invalid', 'invalid_intake', 'The intake flow is not valid.', details);
        throw new DomainError('invalid', 'invalid_request', 'The channel configuration is not valid.', details);
      }
      throw error;
    }
    this.checkApiBases(adapter, parsed);
    const settings: Record<string, unknown> = {};
    const secrets: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(parsed)) {
      if (value === undefined) continue;
      (adapter.secretKeys.includes(key) ? secrets : settings)[key] = value;
    }
    return { settings, secrets };
  }

  /** Every group an intake step sends a chat to is one of the team's (`intake_group_unknown` names the step). */
  private async checkIntakeGroups(teamId: string, settings: Record<string, unknown>): Promise<void> {
    const intake = settings.intake as { steps: Array<{ groupId?: string; options?: Array<{ groupId?: string }> }> } | undefined;
    if (!intake) return;
    const named = intake.steps.flatMap((step, i) => [
      ...(step.groupId ? [{ field: `config.intake.steps.${i}.groupId`, id: step.groupId }] : []),
      ...(step.options ?? []).flatMap((option, j) => (option.groupId ? [{ field: `config.intake.steps.${i}.options.${j}.groupId`, id: option.groupId }] : [])),
    ]);
    if (named.length === 0) return;
    const known = new Set((await this.memberGroups.list(teamId)).map((group) => group.id));
    const details = named.filter((n) => !known.has(n.id)).map((n) => ({ field: n.field, message: 'is not a group of your team' }));
    if (details.length > 0) throw new DomainError('invalid', 'intake_group_unknown', 'An intake step sends the chat to a group your team does not have.', details);
  }

  /**
   * Server-side request forgery: a URL the SDK will send credentials and messages to may name only the provider's
   * official origins, or what the operator allowed; never the metadata service or the hub's own network.
   */
  private checkApiBases(adapter: RegisteredAdapter, config: Record<string, unknown>): void {
    const fields = new Set(['apiBaseUrl', ...Object.keys(adapter.apiOrigins ?? {})]);
    const details = [...fields].flatMap((field) => {
      const url = config[field];
      const refusal = typeof url === 'string' ? this.guard.refusalOfBase(url, adapter.apiOrigins?.[field] ?? []) : null;
      return refusal ? [{ field: `config.${field}`, message: refusal }] : [];
    });
    if (details.length > 0) {
      throw new DomainError('invalid', 'url_not_allowed', `The channel's ${details.map((d) => d.field).join(' and ')} names an origin the hub may not call.`, details);
    }
  }

  private view(row: ChannelRow): ChannelView {
    const account = this.toAccount(row);
    const adapter = this.registry.get(account.provider);
    return {
      id: row.id,
      type: account.type,
      provider: account.provider,
      name: row.name,
      active: row.active,
      webhookUrls: webhookUrls(adapter, row.id, this.config.publicUrl),
      capabilities: capabilitiesOf(adapter, account.type),
      config: account.settings,
      secretsSet: Object.keys(account.secrets),
      ...(row.session ? { session: { state: row.session.state, detail: row.session.detail } } : {}),
      createdAt: row.createdAt,
    };
  }
}

/** The provider a row names; one this hub has no adapter for (a row written by hand) is refused, not guessed. */
function providerOf(row: { id: string; provider: string }): ChannelProvider {
  if (!isChannelProvider(row.provider)) {
    throw new DomainError('unprocessable', 'unsupported_channel', `This hub has no adapter for the channel's provider (${row.provider}).`);
  }
  return row.provider;
}

/** A JSON column or opened secret as a record; anything else (a row written by hand) reads as empty. */
function storedRecord(value: unknown): StoredConfig {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? { ...value } : {};
}

/** The addresses to paste into the provider's console, by purpose. */
export function webhookUrls(adapter: Pick<RegisteredAdapter, 'webhook'>, channelId: string, publicUrl: string): Record<string, string> {
  if (!adapter.webhook) return {};
  const { route, hooks } = adapter.webhook;
  return Object.fromEntries(
    Object.entries(hooks).map(([purpose, hook]) => [purpose, `${publicUrl}/webhooks/${route}/${channelId}${hook ? `/${hook}` : ''}`]),
  );
}
