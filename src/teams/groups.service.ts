import type { z } from 'zod';
import type { groupView } from './teams.schema.js';
import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, isUniqueViolation } from '../common/database/database.js';
import type { Db, Tx } from '../common/database/database.js';
import { DomainError, notFound } from '../common/errors/domain-error.js';

export type GroupView = z.output<typeof groupView>;

type GroupRow = { id: string; name: string; members: Array<{ memberId: string }> };
const toView = (row: GroupRow): GroupView => ({ id: row.id, name: row.name, memberIds: row.members.map((m) => m.memberId).sort() });

/** Named sets of members (a store, a shift, the reservation desk) that a chat can be transferred to. */
@Injectable()
export class GroupsService {
  constructor(@Inject(DATABASE) private readonly db: Db) {}

  async list(teamId: string): Promise<GroupView[]> {
    const rows = await this.db.memberGroup.findMany({ where: { teamId }, include: { members: true }, orderBy: { name: 'asc' } });
    return rows.map(toView);
  }

  async get(teamId: string, id: string): Promise<GroupView> {
    const row = await this.db.memberGroup.findFirst({ where: { id, teamId }, include: { members: true } });
    if (!row) throw notFound('The group');
    return toView(row);
  }

  async create(teamId: string, input: { name: string; memberIds?: string[] }): Promise<GroupView> {
    await this.assertMembers(teamId, input.memberIds ?? []);
    const row = await this.unique(() =>
      this.db.memberGroup.create({
        data: { teamId, name: input.name, members: { create: (input.memberIds ?? []).map((memberId) => ({ memberId })) } },
        include: { members: true },
      }),
    );
    return toView(row);
  }

  async update(teamId: string, id: string, patch: { name?: string; memberIds?: string[] }): Promise<GroupView> {
    await this.get(teamId, id);
    if (patch.memberIds) await this.assertMembers(teamId, patch.memberIds);
    await this.unique(() =>
      this.db.$transaction(async (tx: Tx) => {
        if (patch.name) await tx.memberGroup.update({ where: { id }, data: { name: patch.name } });
        if (patch.memberIds) {
          await tx.memberGroupMember.deleteMany({ where: { groupId: id } });
          await tx.memberGroupMember.createMany({ data: patch.memberIds.map((memberId) => ({ groupId: id, memberId })) });
        }
      }),
    );
    return this.get(teamId, id);
  }

  async remove(teamId: string, id: string): Promise<void> {
    const { count } = await this.db.memberGroup.deleteMany({ where: { id, teamId } });
    if (count === 0) throw notFound('The group');
  }

  /** `PATCH /api/members/:id {groupIds}`: the member's groups become exactly these. */
  async setGroupsOf(teamId: string, memberId: string, groupIds: string[]): Promise<void> {
    const found = await this.db.memberGroup.count({ where: { teamId, id: { in: groupIds } } });
    if (found !== new Set(groupIds).size) {
      throw new DomainError('invalid', 'invalid_request', 'One of the groups is not a group of your team.', [{ field: 'groupIds', message: 'must name groups of your team' }]);
    }
    await this.db.$transaction([
      this.db.memberGroupMember.deleteMany({ where: { memberId } }),
      this.db.memberGroupMember.createMany({ data: [...new Set(groupIds)].map((groupId) => ({ groupId, memberId })) }),
    ]);
  }

  private async assertMembers(teamId: string, memberIds: string[]): Promise<void> {
    const found = await this.db.member.count({ where: { teamId, id: { in: memberIds } } });
    if (found !== new Set(memberIds).size) {
      throw new DomainError('invalid', 'invalid_request', 'One of the members is not a member of your team.', [{ field: 'memberIds', message: 'must name members of your team' }]);
    }
  }

  private async unique<T>(write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      if (isUniqueViolation(error)) throw new DomainError('conflict', 'group_exists', 'Your team already has a group with this name.');
      throw error;
    }
  }
}
