import { Inject, Injectable } from '@nestjs/common';
import { CLOCK } from '../common/clock.js';
import type { Clock } from '../common/clock.js';
import { DATABASE } from '../common/database/database.js';
import type { Db } from '../common/database/database.js';
import { DomainError, notFound } from '../common/errors/domain-error.js';
import type { AuthMember } from './auth.guard.js';
import { TeamEvents } from './team.events.js';
import { GroupsService } from './groups.service.js';
import { TeamsService } from './teams.service.js';

export interface MemberListItem {
  id: string;
  name: string;
  email: string;
  role: string;
  status: string;
  capacity: number;
  training: boolean;
  groupIds: string[];
}

type MemberRow = { id: string; name: string; email: string; role: string; status: string; capacity: number; training: boolean; groups: Array<{ groupId: string }> };
const toItem = (m: MemberRow): MemberListItem => ({
  id: m.id,
  name: m.name,
  email: m.email,
  role: m.role,
  status: m.status,
  capacity: m.capacity,
  training: m.training,
  groupIds: m.groups.map((g) => g.groupId).sort(),
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
  ) {}

  async list(teamId: string): Promise<MemberListItem[]> {
    const rows = await this.db.member.findMany({ where: { teamId }, orderBy: { createdAt: 'asc' }, include: withGroups });
    return rows.map(toItem);
  }

  async update(actor: AuthMember, id: string, input: { role?: 'operator' | 'supervisor' | 'administrator'; capacity?: number; training?: boolean; name?: string; groupIds?: string[] }) {
    const { groupIds, ...patch } = input;
    const target = await this.db.member.findFirst({ where: { id, teamId: actor.teamId } });
    if (!target) throw notFound('The member');
    if (target.id === actor.id && patch.role && patch.role !== 'administrator') {
      const admins = await this.db.member.count({ where: { teamId: actor.teamId, role: 'administrator' } });
      if (admins <= 1) {
        throw new DomainError('conflict', 'last_administrator', 'You are the team’s only administrator; make someone else an administrator first.');
      }
    }
    if (groupIds) await this.groups.setGroupsOf(actor.teamId, id, groupIds);
    return toItem(await this.db.member.update({ where: { id }, data: patch, include: withGroups }));
  }

  /**
   * The member's own choice. Going online outside business hours is refused (`closed`); coming back online
   * starts the count of ignored offers again, so a member back from an automatic break is not sent straight back.
   */
  async setStatus(actor: { id: string; teamId: string }, status: 'online' | 'break' | 'offline') {
    if (status === 'online') await this.teams.assertOpen(actor.teamId, this.clock.now());
    const updated = await this.db.member.update({
      where: { id: actor.id },
      data: { status, statusReason: null, ...(status === 'online' ? { ignoredOffers: 0 } : {}) },
      include: withGroups,
    });
    this.events.emit('presence.updated', { teamId: actor.teamId, memberId: actor.id, status });
    return toItem(updated);
  }

  /** Signing in makes the member available (MISSION.md), unless the team is closed: then they stay as they were. */
  async onlineAtSignIn(member: { id: string; teamId: string; status: string }): Promise<void> {
    if (member.status === 'online') return;
    const { open } = await this.teams.openingAt(member.teamId, this.clock.now());
    if (open) await this.setStatus(member, 'online');
  }
}
