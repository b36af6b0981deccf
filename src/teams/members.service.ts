import { Inject, Injectable } from '@nestjs/common';
import { DATABASE } from '../common/database/database.js';
import type { Db } from '../common/database/database.js';
import { DomainError, notFound } from '../common/errors/domain-error.js';
import type { AuthMember } from './auth.guard.js';
import { TeamEvents } from './team.events.js';

export interface MemberListItem {
  id: string;
  name: string;
  email: string;
  role: string;
  status: string;
  capacity: number;
  training: boolean;
}

type MemberRow = { id: string; name: string; email: string; role: string; status: string; capacity: number; training: boolean };
const toItem = (m: MemberRow): MemberListItem => ({ id: m.id, name: m.name, email: m.email, role: m.role, status: m.status, capacity: m.capacity, training: m.training });

@Injectable()
export class MembersService {
  constructor(
    @Inject(DATABASE) private readonly db: Db,
    private readonly events: TeamEvents,
  ) {}

  async list(teamId: string): Promise<MemberListItem[]> {
    const rows = await this.db.member.findMany({ where: { teamId }, orderBy: { createdAt: 'asc' } });
    return rows.map(toItem);
  }

  async update(actor: AuthMember, id: string, patch: { role?: 'operator' | 'supervisor' | 'administrator'; capacity?: number; training?: boolean; name?: string }) {
    const target = await this.db.member.findFirst({ where: { id, teamId: actor.teamId } });
    if (!target) throw notFound('The member');
    if (target.id === actor.id && patch.role && patch.role !== 'administrator') {
      const admins = await this.db.member.count({ where: { teamId: actor.teamId, role: 'administrator' } });
      if (admins <= 1) {
        throw new DomainError('conflict', 'last_administrator', 'You are the team’s only administrator; make someone else an administrator first.');
      }
    }
    return toItem(await this.db.member.update({ where: { id }, data: patch }));
  }

  async setStatus(actor: AuthMember, status: 'online' | 'break' | 'offline') {
    const updated = await this.db.member.update({ where: { id: actor.id }, data: { status } });
    this.events.emit('presence.updated', { teamId: actor.teamId, memberId: actor.id, status });
    return toItem(updated);
  }
}
