import { Inject, Injectable } from '@nestjs/common';
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { DATABASE, isUniqueViolation } from '../common/database/database.js';
import type { Db, Tx } from '../common/database/database.js';
import { DomainError, notFound } from '../common/errors/domain-error.js';
import { hashPassword } from './passwords.js';
import { describeOpening, isOpen, nextOpening } from './business-hours.js';
import { readTeamSettings, teamSettingsSchema, TeamSettings } from './team-settings.schema.js';
import { TeamEvents } from './team.events.js';

// No 0/O, 1/I/L: the code is read aloud and typed from paper.
const INVITE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

export function newInviteCode(): string {
  return Array.from({ length: 6 }, () => INVITE_ALPHABET[randomInt(INVITE_ALPHABET.length)]).join('');
}

export const normalizeEmail = (email: string) => email.normalize('NFKC').trim().toLowerCase();

export const hashApiKey = (key: string) => createHash('sha256').update(key).digest('hex');

export interface TeamView {
  id: string;
  name: string;
  inviteCode: string;
  timeZone: string;
  settings: TeamSettings;
}

@Injectable()
export class TeamsService {
  constructor(
    @Inject(DATABASE) private readonly db: Db,
    private readonly events: TeamEvents,
  ) {}

  async createTeam(input: { name: string; timeZone?: string; admin: { email: string; password: string; name: string } }) {
    const passwordHash = await hashPassword(input.admin.password);
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.db.$transaction(async (tx: Tx) => {
          const team = await tx.team.create({
            data: { name: input.name, inviteCode: newInviteCode(), timeZone: input.timeZone ?? 'Asia/Tokyo', settings: teamSettingsSchema.parse({}) },
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
        // An invite code collided: draw another (30^6 codes make this rare).
        if (attempt >= 5) throw error;
      }
    }
  }

  async current(teamId: string): Promise<TeamView> {
    const team = await this.db.team.findUnique({ where: { id: teamId } });
    if (!team) throw notFound('The team');
    return toTeamView(team);
  }

  async update(teamId: string, patch: { name?: string; timeZone?: string; settings?: Partial<TeamSettings> }): Promise<TeamView> {
    const current = await this.current(teamId);
    const settings = patch.settings ? teamSettingsSchema.parse({ ...current.settings, ...patch.settings }) : undefined;
    const team = await this.db.team.update({
      where: { id: teamId },
      data: { name: patch.name, timeZone: patch.timeZone, settings },
    });
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

  /** 409 `closed` outside business hours, saying when the team opens. */
  async assertOpen(teamId: string, now: Date): Promise<void> {
    const { open, opensAt, timeZone } = await this.openingAt(teamId, now);
    if (open) return;
    const when = opensAt ? ` It opens ${describeOpening(opensAt, timeZone)} (${timeZone}).` : '';
    throw new DomainError('conflict', 'closed', `The team is closed now by its business hours, so you cannot go online.${when}`);
  }

  async regenerateInviteCode(teamId: string): Promise<TeamView> {
    const team = await this.db.team.update({ where: { id: teamId }, data: { inviteCode: newInviteCode() } });
    return toTeamView(team);
  }

  async createApiKey(teamId: string, name: string) {
    const key = `tsk_${randomBytes(24).toString('base64url')}`;
    const row = await this.db.apiKey.create({ data: { teamId, name, keyHash: hashApiKey(key), prefix: key.slice(0, 8) } });
    return { id: row.id, name: row.name, key };
  }

  async listApiKeys(teamId: string) {
    const rows = await this.db.apiKey.findMany({ where: { teamId }, orderBy: { createdAt: 'desc' } });
    return rows.map((row) => ({ id: row.id, name: row.name, prefix: row.prefix, createdAt: row.createdAt, revokedAt: row.revokedAt }));
  }

  async revokeApiKey(teamId: string, id: string): Promise<void> {
    const { count } = await this.db.apiKey.updateMany({ where: { id, teamId, revokedAt: null }, data: { revokedAt: new Date() } });
    if (count === 0 && !(await this.db.apiKey.findFirst({ where: { id, teamId } }))) throw notFound('The API key');
  }

  /** The team an API key belongs to, or null when the key is unknown or revoked. */
  async teamOfApiKey(key: string): Promise<string | null> {
    const row = await this.db.apiKey.findUnique({ where: { keyHash: hashApiKey(key) } });
    return row && !row.revokedAt ? row.teamId : null;
  }
}

export function toTeamView(team: { id: string; name: string; inviteCode: string; timeZone: string; settings: unknown }): TeamView {
  return { id: team.id, name: team.name, inviteCode: team.inviteCode, timeZone: team.timeZone, settings: readTeamSettings(team.settings) };
}

function targetOf(error: unknown): string {
  const meta = (error as { meta?: Record<string, unknown> }).meta ?? {};
  return JSON.stringify(meta);
}
