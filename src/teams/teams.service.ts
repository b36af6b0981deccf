import { Inject, Injectable } from '@nestjs/common';
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { CLOCK } from '../common/clock.js';
import type { Clock } from '../common/clock.js';
import { DATABASE, isUniqueViolation } from '../common/database/database.js';
import type { Db, Tx } from '../common/database/database.js';
import { DomainError, notFound } from '../common/errors/domain-error.js';
import { hasRole } from './auth.guard.js';
import type { Role } from './auth.guard.js';
import { PASSWORDS, Passwords } from './passwords.js';
import { describeOpening, isOpen, nextOpening, openingPreview } from './business-hours.js';
import type { BusinessHours } from './business-hours.js';
import { readTeamSettings, teamSettingsSchema, TeamSettings } from './team-settings.schema.js';
import type { OpeningPreview, teamView } from './teams.schema.js';
import type { z } from 'zod';
import { TeamEvents } from './team.events.js';
import { CACHE_INVALIDATION } from '../common/cache/cache-invalidation.js';
import type { CacheInvalidation } from '../common/cache/cache-invalidation.js';
import { InvalidatedCache } from '../common/cache/invalidated-cache.js';

// No 0/O, 1/I/L: the code is read aloud and typed from paper.
const INVITE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
/**
 * 31^10 (about 8 * 10^14) codes: at the sign-up budget per client address, guessing one team's code is out of reach.
 * Codes issued shorter before keep working until the team rotates them or they expire.
 */
const INVITE_CODE_LENGTH = 10;

export function newInviteCode(): string {
  return Array.from({ length: INVITE_CODE_LENGTH }, () => INVITE_ALPHABET[randomInt(INVITE_ALPHABET.length)]).join('');
}

export const normalizeEmail = (email: string) => email.normalize('NFKC').trim().toLowerCase();

export const hashApiKey = (key: string) => createHash('sha256').update(key).digest('hex');

export type TeamView = z.output<typeof teamView>;

/** What the hot paths read of a team on every message: its name, time zone and settings. */
export interface TeamProfile {
  id: string;
  name: string;
  timeZone: string;
  settings: TeamSettings;
}

const DAY_MS = 86_400_000;

/** Kept until a change is published (see `update`); the TTL only bounds a publication that was lost. */
const PROFILE_CACHE = { ttlMs: 10 * 60_000, maxEntries: 10_000 };

@Injectable()
export class TeamsService {
  private readonly profiles: InvalidatedCache<TeamProfile | null>;

  constructor(
    @Inject(DATABASE) private readonly db: Db,
    private readonly events: TeamEvents,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(PASSWORDS) private readonly passwords: Passwords,
    @Inject(CACHE_INVALIDATION) invalidation: CacheInvalidation,
  ) {
    this.profiles = new InvalidatedCache(invalidation, 'team', PROFILE_CACHE);
  }

  /**
   * The team's name, time zone and settings, cached: every inbound message reads them (consent keywords, offers,
   * widget limits), and a change made by any process reaches every process's cache within about a second. Null
   * when there is no such team.
   */
  async profile(teamId: string): Promise<TeamProfile | null> {
    return this.profiles.get(teamId, async () => {
      const team = await this.db.team.findUnique({ where: { id: teamId }, select: { id: true, name: true, timeZone: true, settings: true } });
      return team ? { ...team, settings: readTeamSettings(team.settings) } : null;
    });
  }

  async createTeam(input: { name: string; timeZone?: string; admin: { email: string; password: string; name: string } }) {
    const passwordHash = await this.passwords.hash(input.admin.password);
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.db.$transaction(async (tx: Tx) => {
          const team = await tx.team.create({
            data: { name: input.name, inviteCode: newInviteCode(), inviteCodeIssuedAt: this.clock.now(), timeZone: input.timeZone ?? 'Asia/Tokyo', settings: teamSettingsSchema.parse({}) },
          });
          const admin = await tx.member.create({
            data: { teamId: team.id, email: normalizeEmail(input.admin.email), name: input.admin.name, passwordHash, role: 'administrator', capacity: 1 },
          });
          return { team, admin };
        });
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        if (targetOf(error).includes('email')) {
          throw new DomainError('conflict', 'email_taken', 'An account with this email address already exists.');
        }
        // An invite code collided: draw another (31^10 codes make this all but impossible).
        if (attempt >= 5) throw error;
      }
    }
  }

  /** The team as `viewer` may see it: the invite code only for supervisors and administrators. */
  async current(teamId: string, viewer: { role: Role }): Promise<TeamView> {
    const team = await this.db.team.findUnique({ where: { id: teamId } });
    if (!team) throw notFound('The team');
    const view = toTeamView(team);
    if (hasRole(viewer, 'supervisor')) return view;
    const { inviteCode: _code, inviteCodeExpiresAt: _expires, ...rest } = view;
    return rest;
  }

  /**
   * The team a sign-up with this invite code joins. An unknown code and an expired one are told apart: the second
   * tells the newcomer whom to ask, and a guesser gains nothing from it (the code was real, and is dead).
   */
  async joinableTeam(rawCode: string): Promise<{ id: string; settings: unknown }> {
    const team = await this.db.team.findUnique({ where: { inviteCode: rawCode.normalize('NFKC').trim().toUpperCase() } });
    if (!team) throw new DomainError('invalid', 'invalid_invite_code', 'This invite code does not belong to any team; ask your administrator for the current one.');
    if (inviteCodeExpiresAt(team).getTime() <= this.clock.now().getTime()) {
      throw new DomainError('invalid', 'invite_code_expired', 'This invite code has expired; ask an administrator or supervisor of your team for the current one.');
    }
    return team;
  }

  async update(teamId: string, patch: { name?: string; timeZone?: string; settings?: Partial<TeamSettings> }): Promise<TeamView> {
    // Only administrators change a team (the route's guard), and they see all of it.
    const current = await this.current(teamId, { role: 'administrator' });
    const settings = patch.settings ? teamSettingsSchema.parse({ ...current.settings, ...patch.settings }) : undefined;
    const team = await this.db.team.update({
      where: { id: teamId },
      data: { name: patch.name, timeZone: patch.timeZone, settings },
    });
    await this.profiles.changed(teamId);
    this.events.emit('team.updated', { teamId });
    return toTeamView(team);
  }

  /** Whether the team is open at `now` by its business hours, and if not, when it opens. */
  async openingAt(teamId: string, now: Date): Promise<{ open: boolean; opensAt: Date | null; timeZone: string }> {
    const team = await this.db.team.findUnique({ where: { id: teamId } });
    if (!team) throw notFound('The team');
    const hours = readTeamSettings(team.settings).businessHours;
    const open = isOpen(hours, team.timeZone, now);
    return { open, opensAt: open ? null : nextOpening(hours, team.timeZone, now), timeZone: team.timeZone };
  }

  /**
   * What business hours say at the hub's clock: open now or not, until when, and the next opening. The team's saved
   * hours, or `draft` (hours being edited, in `draft.timeZone` or the team's).
   */
  async openingPreview(teamId: string, draft?: { businessHours: BusinessHours | null; timeZone?: string }): Promise<OpeningPreview> {
    const team = await this.db.team.findUnique({ where: { id: teamId } });
    if (!team) throw notFound('The team');
    const hours = draft ? draft.businessHours : readTeamSettings(team.settings).businessHours;
    const timeZone = draft?.timeZone ?? team.timeZone;
    const { openNow, until, next } = openingPreview(hours, timeZone, this.clock.now());
    return { openNow, until: until?.toISOString() ?? null, next: next?.toISOString() ?? null, timeZone, alwaysOpen: hours === null };
  }

  /** 409 `closed` outside business hours, saying when the team opens. */
  async assertOpen(teamId: string, now: Date): Promise<void> {
    const { open, opensAt, timeZone } = await this.openingAt(teamId, now);
    if (open) return;
    const when = opensAt ? ` It opens ${describeOpening(opensAt, timeZone)} (${timeZone}).` : '';
    throw new DomainError('conflict', 'closed', `The team is closed now by its business hours, so you cannot go online.${when}`);
  }

  async regenerateInviteCode(teamId: string): Promise<TeamView> {
    // The old code stops working at once; the new one lives the team's full period from now.
    const team = await this.db.team.update({ where: { id: teamId }, data: { inviteCode: newInviteCode(), inviteCodeIssuedAt: this.clock.now() } });
    return toTeamView(team);
  }

  async createApiKey(teamId: string, name: string) {
    const key = `tsk_${randomBytes(24).toString('base64url')}`;
    const row = await this.db.apiKey.create({ data: { teamId, name, keyHash: hashApiKey(key), prefix: key.slice(0, 8) } });
    return { id: row.id, name: row.name, key };
  }

  async listApiKeys(teamId: string) {
    const rows = await this.db.apiKey.findMany({ where: { teamId }, orderBy: { createdAt: 'desc' } });
    return rows.map((row) => ({ id: row.id, name: row.name, prefix: row.prefix, createdAt: row.createdAt.toISOString(), revokedAt: row.revokedAt?.toISOString() ?? null }));
  }

  async revokeApiKey(teamId: string, id: string): Promise<void> {
    const { count } = await this.db.apiKey.updateMany({ where: { id, teamId, revokedAt: null }, data: { revokedAt: this.clock.now() } });
    if (count === 0 && !(await this.db.apiKey.findFirst({ where: { id, teamId } }))) throw notFound('The API key');
  }

  /** The team an API key belongs to, or null when the key is unknown or revoked. */
  async teamOfApiKey(key: string): Promise<string | null> {
    const row = await this.db.apiKey.findUnique({ where: { keyHash: hashApiKey(key) } });
    return row && !row.revokedAt ? row.teamId : null;
  }
}

type TeamRow = { id: string; name: string; inviteCode: string; inviteCodeIssuedAt: Date; timeZone: string; settings: unknown };

const inviteCodeExpiresAt = (team: Pick<TeamRow, 'inviteCodeIssuedAt' | 'settings'>) =>
  new Date(team.inviteCodeIssuedAt.getTime() + readTeamSettings(team.settings).inviteCodeTtlDays * DAY_MS);

export function toTeamView(team: TeamRow): TeamView {
  return {
    id: team.id,
    name: team.name,
    inviteCode: team.inviteCode,
    inviteCodeExpiresAt: inviteCodeExpiresAt(team).toISOString(),
    timeZone: team.timeZone,
    settings: readTeamSettings(team.settings),
  };
}

function targetOf(error: unknown): string {
  const meta = (error as { meta?: Record<string, unknown> }).meta ?? {};
  return JSON.stringify(meta);
}
