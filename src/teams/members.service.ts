import { Inject, Injectable } from '@nestjs/common';
import type { z } from 'zod';
import { CLOCK } from '../common/clock.js';
import type { Clock } from '../common/clock.js';
import { DATABASE } from '../common/database/database.js';
import type { Db, Tx } from '../common/database/database.js';
import { DomainError, notFound } from '../common/errors/domain-error.js';
import { hasRole } from './auth.guard.js';
import type { AuthMember, Role } from './auth.guard.js';
import { MemberDevices } from './member-devices.js';
import type { memberView, memberWithDevicesView, presenceChangeView } from './teams.schema.js';
import { TeamEvents } from './team.events.js';
import { GroupsService } from './groups.service.js';
import { TeamsService } from './teams.service.js';

type MemberStatus = 'online' | 'break' | 'offline';
/** The member row's `statusReason` (and `presence.updated`'s reason) when a colleague set the status. */
const COLLEAGUE_REASON = 'set_by_colleague';

export type MemberListItem = z.output<typeof memberView>;
type MemberWithDevices = z.output<typeof memberWithDevicesView>;
type PresenceChangeItem = z.output<typeof presenceChangeView>;
/** How many of a member's status changes the history shows: a screen's worth, not an audit export. */
const PRESENCE_CHANGES_SHOWN = 50;

type MemberRow = {
  id: string;
  name: string;
  email: string;
  role: Role;
  status: MemberStatus;
  capacity: number;
  training: boolean;
  deactivatedAt: Date | null;
  lastActiveAt: Date | null;
  groups: Array<{ groupId: string }>;
};
const toItem = (m: MemberRow): MemberListItem => ({
  id: m.id,
  name: m.name,
  email: m.email,
  role: m.role,
  status: m.status,
  capacity: m.capacity,
  training: m.training,
  groupIds: m.groups.map((g) => g.groupId).sort(),
  deactivatedAt: m.deactivatedAt?.toISOString() ?? null,
  lastActiveAt: m.lastActiveAt?.toISOString() ?? null,
});
const withGroups = { groups: { select: { groupId: true } } } as const;

@Injectable()
export class MembersService {
  constructor(
    @Inject(DATABASE) private readonly db: Db,
    private readonly events: TeamEvents,
    private readonly teams: TeamsService,
    private readonly groups: GroupsService,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly devices: MemberDevices,
  ) {}

  /** The team's members; supervisors and administrators also see each one's connected devices. */
  async list(viewer: Pick<AuthMember, 'teamId' | 'role'>): Promise<MemberWithDevices[]> {
    const [rows, devices] = await Promise.all([
      this.db.member.findMany({ where: { teamId: viewer.teamId }, orderBy: { createdAt: 'asc' }, include: withGroups }),
      hasRole(viewer, 'supervisor') ? this.devices.ofTeam(viewer.teamId) : null,
    ]);
    return rows.map((row) => ({
      ...toItem(row),
      devices: devices ? (devices.get(row.id) ?? []).map((d) => ({ ...d, connectedAt: d.connectedAt.toISOString() })) : null,
    }));
  }

  async update(actor: AuthMember, id: string, input: { role?: 'operator' | 'supervisor' | 'administrator'; capacity?: number; training?: boolean; name?: string; groupIds?: string[] }) {
    const { groupIds, ...patch } = input;
    const target = await this.db.member.findFirst({ where: { id, teamId: actor.teamId } });
    if (!target) throw notFound('The member');
    if (target.role === 'administrator' && patch.role && patch.role !== 'administrator') {
      // Checked and written under the lock deactivate takes: a demotion racing a deactivation (or another demotion)
      // cannot leave the team without an administrator.
      await this.db.$transaction(async (tx: Tx) => {
        await this.keepAnAdministrator(tx, actor, id);
        await tx.member.update({ where: { id }, data: patch });
      });
    } else {
      await this.db.member.update({ where: { id }, data: patch });
    }
    if (groupIds) await this.groups.setGroupsOf(actor.teamId, id, groupIds);
    return this.get(id);
  }

  /**
   * Every change that can take an administrator away (demotion, deactivation) runs this first, in its transaction.
   * The team's administrator rows are locked first: two such changes at once are decided one after the other, and
   * the second sees what the first did (an actor who is no longer an administrator, a target who is the last one).
   */
  private async keepAnAdministrator(tx: Tx, actor: AuthMember, targetId: string): Promise<void> {
    await tx.$queryRaw`SELECT id FROM members WHERE team_id = ${actor.teamId} AND role = 'administrator' FOR UPDATE`;
    const admins = await tx.member.findMany({ where: { teamId: actor.teamId, role: 'administrator', deactivatedAt: null }, select: { id: true } });
    if (!admins.some((admin) => admin.id === actor.id)) throw new DomainError('forbidden', 'forbidden', 'Only an administrator may do this.');
    if (admins.some((admin) => admin.id === targetId) && !admins.some((admin) => admin.id !== targetId)) {
      throw new DomainError(
        'conflict',
        'last_administrator',
        targetId === actor.id
          ? 'You are the team’s only administrator; make someone else an administrator first.'
          : 'This is the team’s only administrator; make someone else an administrator first.',
      );
    }
  }

  async get(id: string): Promise<MemberListItem> {
    return toItem(await this.db.member.findUniqueOrThrow({ where: { id }, include: withGroups }));
  }

  /** The member's own name, as colleagues and reports show it. */
  async rename(actor: { id: string }, name: string): Promise<MemberListItem> {
    return toItem(await this.db.member.update({ where: { id: actor.id }, data: { name }, include: withGroups }));
  }

  /**
   * Someone leaves the team: every token of theirs is retired at once (the version moves), they go offline and are
   * offered nothing, and listeners take back what they held (routing queues their chats, the inbox disconnects their
   * devices). Their row and history stay: this is not an erasure. Deactivating a deactivated member changes nothing.
   */
  async deactivate(actor: AuthMember, id: string): Promise<void> {
    if (id === actor.id) {
      throw new DomainError('forbidden', 'cannot_deactivate_self', 'You cannot deactivate yourself; another administrator of the team can.');
    }
    const target = await this.db.member.findFirst({ where: { id, teamId: actor.teamId } });
    if (!target) throw notFound('The member');
    if (target.deactivatedAt) return;
    const updated = await this.db.$transaction(async (tx: Tx) => {
      await this.keepAnAdministrator(tx, actor, id);
      const { count } = await tx.member.updateMany({
        where: { id, deactivatedAt: null },
        data: { deactivatedAt: this.clock.now(), tokenVersion: { increment: 1 }, status: 'offline', statusReason: 'deactivated' },
      });
      return count === 0 ? null : tx.member.findUniqueOrThrow({ where: { id } });
    });
    if (!updated) return;
    this.events.emit('member.tokens_revoked', { teamId: actor.teamId, memberId: id, tokenVersion: updated.tokenVersion, reason: 'member_deactivated' });
    this.events.emit('member.deactivated', { teamId: actor.teamId, memberId: id });
    this.events.emit('presence.updated', { teamId: actor.teamId, memberId: id, status: 'offline', reason: 'deactivated' });
  }

  /** Brings a deactivated member back: they sign in again (tokens from before stay retired) and start offline. */
  async reactivate(actor: AuthMember, id: string): Promise<MemberListItem> {
    const target = await this.db.member.findFirst({ where: { id, teamId: actor.teamId } });
    if (!target) throw notFound('The member');
    await this.db.member.updateMany({ where: { id, deactivatedAt: { not: null } }, data: { deactivatedAt: null, statusReason: null } });
    return this.get(id);
  }

  /**
   * The member's own choice. Going online outside business hours is refused (`closed`); coming back online
   * starts the count of ignored offers again, so a member back from an automatic break is not sent straight back.
   */
  async setStatus(actor: { id: string; teamId: string }, status: MemberStatus) {
    if (status === 'online') await this.teams.assertOpen(actor.teamId, this.clock.now());
    const updated = await this.db.member.update({
      where: { id: actor.id },
      data: { status, statusReason: null, ...(status === 'online' ? { ignoredOffers: 0 } : {}) },
      include: withGroups,
    });
    this.events.emit('presence.updated', { teamId: actor.teamId, memberId: actor.id, status });
    return toItem(updated);
  }

  /**
   * A supervisor or administrator switches a colleague online, on a break or offline (the clinic's 担当者管理):
   * recorded with who and why, told to the team (`presence.updated`, reason `set_by_colleague`) and to the member's
   * own devices (`presence.set`, with the reason and who). Going online outside business hours is refused as for the
   * member themselves; a deactivated member cannot be switched on.
   */
  async setStatusOf(actor: AuthMember, id: string, input: { status: MemberStatus; reason: string }): Promise<MemberListItem> {
    const target = await this.db.member.findFirst({ where: { id, teamId: actor.teamId } });
    if (!target) throw notFound('The member');
    if (target.deactivatedAt && input.status !== 'offline') {
      throw new DomainError('conflict', 'member_deactivated', 'This member is deactivated; reactivate them first.');
    }
    if (input.status === 'online') await this.teams.assertOpen(actor.teamId, this.clock.now());
    const at = this.clock.now();
    const updated = await this.db.$transaction(async (tx: Tx) => {
      await tx.presenceChange.create({ data: { teamId: actor.teamId, memberId: id, status: input.status, reason: input.reason, byId: actor.id, at } });
      return tx.member.update({
        where: { id },
        // Not `closed`: the next opening must not switch back on a member a colleague switched off.
        data: input.status === 'online' ? { status: 'online', statusReason: null, ignoredOffers: 0 } : { status: input.status, statusReason: COLLEAGUE_REASON },
        include: withGroups,
      });
    });
    this.events.emit('presence.updated', { teamId: actor.teamId, memberId: id, status: input.status, reason: COLLEAGUE_REASON });
    this.events.emit('presence.set', { teamId: actor.teamId, memberId: id, status: input.status, reason: input.reason, by: { id: actor.id, name: actor.name }, at });
    return toItem(updated);
  }

  /** The statuses colleagues set for the member, latest first; `by.name` is null when that colleague's row is gone. */
  async presenceChanges(teamId: string, id: string): Promise<PresenceChangeItem[]> {
    const target = await this.db.member.findFirst({ where: { id, teamId }, select: { id: true } });
    if (!target) throw notFound('The member');
    const rows = await this.db.presenceChange.findMany({ where: { memberId: id, teamId }, orderBy: { at: 'desc' }, take: PRESENCE_CHANGES_SHOWN });
    const names = new Map(
      (await this.db.member.findMany({ where: { teamId, id: { in: [...new Set(rows.map((r) => r.byId))] } }, select: { id: true, name: true } })).map((m) => [m.id, m.name]),
    );
    return rows.map((r) => ({ status: r.status, reason: r.reason, by: { id: r.byId, name: names.get(r.byId) ?? null }, at: r.at.toISOString() }));
  }

  /**
   * A change of presence the hub makes on its own (the team opened or closed, offers let pass, no device left),
   * conditional on the status (and reason) the caller saw, so that the member's own choice made meanwhile wins.
   * Coming online starts the count of ignored offers again, as in `setStatus`. Answers whether it took.
   */
  async switchPresence(change: {
    teamId: string;
    memberId: string;
    from: { status: MemberStatus[]; reason?: string };
    to: MemberStatus;
    reason: string;
  }): Promise<boolean> {
    const { teamId, memberId, from, to, reason } = change;
    const { count } = await this.db.member.updateMany({
      where: { id: memberId, status: { in: from.status }, ...(from.reason === undefined ? {} : { statusReason: from.reason }) },
      data: to === 'online' ? { status: to, statusReason: null, ignoredOffers: 0 } : { status: to, statusReason: reason },
    });
    if (count > 0) this.events.emit('presence.updated', { teamId, memberId, status: to, reason });
    return count > 0;
  }

  /** The member took a chat: the least recently assigned go first next time; taking an offer forgives those let pass. */
  async recordAssignment(memberId: string, at: Date, options: { offerTaken?: boolean } = {}): Promise<void> {
    await this.db.member.update({ where: { id: memberId }, data: { lastAssignedAt: at, ...(options.offerTaken ? { ignoredOffers: 0 } : {}) } });
  }

  /** One more offer let pass in a row; answers the member as it is now. */
  async recordIgnoredOffer(memberId: string): Promise<{ id: string; teamId: string; status: MemberStatus; ignoredOffers: number }> {
    return this.db.member.update({
      where: { id: memberId },
      data: { ignoredOffers: { increment: 1 } },
      select: { id: true, teamId: true, status: true, ignoredOffers: true },
    });
  }

  /** Signing in makes the member available (README, "Routing: presence, hours, offers"), unless the team is closed: then they stay as they were. */
  async onlineAtSignIn(member: { id: string; teamId: string; status: string }): Promise<void> {
    if (member.status === 'online') return;
    const { open } = await this.teams.openingAt(member.teamId, this.clock.now());
    if (open) await this.setStatus(member, 'online');
  }
}
