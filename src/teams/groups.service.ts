import type { z } from 'zod';
import type { OpeningPreview, groupView } from './teams.schema.js';
import { Inject, Injectable } from '@nestjs/common';
import { CACHE_INVALIDATION } from '../common/cache/cache-invalidation.js';
import type { CacheInvalidation } from '../common/cache/cache-invalidation.js';
import { InvalidatedCache } from '../common/cache/invalidated-cache.js';
import { CLOCK } from '../common/clock.js';
import type { Clock } from '../common/clock.js';
import { DATABASE, Prisma, isUniqueViolation } from '../common/database/database.js';
import type { Db, Tx } from '../common/database/database.js';
import { DomainError, notFound } from '../common/errors/domain-error.js';
import { businessHoursSchema } from './business-hours.js';
import type { BusinessHours } from './business-hours.js';
import { groupOnShift, groupShiftPreview } from './group-shifts.js';
import type { TeamSchedule } from './group-shifts.js';
import { readTeamSettings } from './team-settings.schema.js';
import { TeamEvents } from './team.events.js';
import { TeamsService } from './teams.service.js';

/** The groups in a team's routing order with their own hours, first first: read on every offer, so kept. */
type RoutingGroups = { id: string; hours: BusinessHours | null }[];
const ROUTING_CACHE = { ttlMs: 10 * 60_000, maxEntries: 10_000 };

export type GroupView = z.output<typeof groupView>;

type GroupRow = { id: string; name: string; members: Array<{ memberId: string }> };
const toView = (row: GroupRow): GroupView => ({ id: row.id, name: row.name, memberIds: row.members.map((m) => m.memberId).sort() });

/** Stored hours were valid when written; a key a later version dropped reads as no hours rather than failing routing. */
function readHours(stored: unknown): BusinessHours | null {
  if (stored === null || stored === undefined) return null;
  const parsed = businessHoursSchema.safeParse(stored);
  return parsed.success ? parsed.data : null;
}

/** The team's schedule and each group's own hours, with who is in it: what shift switching and routing read. */
export interface TeamShifts {
  team: TeamSchedule;
  groups: Array<{ id: string; hours: BusinessHours | null; routingPosition: number | null; memberIds: string[] }>;
}

/** Named sets of members (a store, a shift, the reservation desk) that a chat can be transferred to. */
@Injectable()
export class GroupsService {
  constructor(
    @Inject(DATABASE) private readonly db: Db,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly events: TeamEvents,
    private readonly teams: TeamsService,
    @Inject(CACHE_INVALIDATION) invalidation: CacheInvalidation,
  ) {
    this.routingGroups = new InvalidatedCache(invalidation, 'group-routing', ROUTING_CACHE);
  }

  private readonly routingGroups: InvalidatedCache<RoutingGroups>;

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
    if ((input.memberIds ?? []).length > 0) this.events.emit('team.updated', { teamId });
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
    // Who is in which shift changed: the members are brought to what their shifts say now.
    if (patch.memberIds) this.events.emit('team.updated', { teamId });
    return this.get(teamId, id);
  }

  async remove(teamId: string, id: string): Promise<void> {
    const { count } = await this.db.memberGroup.deleteMany({ where: { id, teamId } });
    if (count === 0) throw notFound('The group');
    await this.routingGroups.changed(teamId);
    this.events.emit('team.updated', { teamId });
  }

  /** The group's own hours; null: it follows the team's. */
  async hours(teamId: string, id: string): Promise<BusinessHours | null> {
    const row = await this.db.memberGroup.findFirst({ where: { id, teamId }, select: { businessHours: true } });
    if (!row) throw notFound('The group');
    return readHours(row.businessHours);
  }

  /** Saves the group's hours (null: follow the team's); they take effect at once, as the team's do. */
  async setHours(teamId: string, id: string, hours: BusinessHours | null): Promise<BusinessHours | null> {
    const { count } = await this.db.memberGroup.updateMany({ where: { id, teamId }, data: { businessHours: hours ?? Prisma.DbNull } });
    if (count === 0) throw notFound('The group');
    await this.routingGroups.changed(teamId);
    this.events.emit('team.updated', { teamId });
    return hours;
  }

  /** On shift now or not, until when, and the next start: the team's hours and the group's together, by the hub's clock. */
  async shiftPreview(teamId: string, id: string): Promise<OpeningPreview> {
    const shifts = await this.shifts(teamId);
    const group = shifts.groups.find((g) => g.id === id);
    if (!group) throw notFound('The group');
    const { openNow, until, next } = groupShiftPreview(shifts.team, group.hours, this.clock.now());
    return {
      openNow,
      until: until?.toISOString() ?? null,
      next: next?.toISOString() ?? null,
      timeZone: shifts.team.timeZone,
      alwaysOpen: shifts.team.hours === null && group.hours === null,
    };
  }

  async shifts(teamId: string): Promise<TeamShifts> {
    const team = await this.db.team.findUnique({ where: { id: teamId }, select: { timeZone: true, settings: true } });
    if (!team) throw notFound('The team');
    const groups = await this.db.memberGroup.findMany({ where: { teamId }, select: { id: true, businessHours: true, routingPosition: true, members: { select: { memberId: true } } } });
    return {
      team: { hours: readTeamSettings(team.settings).businessHours, timeZone: team.timeZone },
      groups: groups.map((g) => ({ id: g.id, hours: readHours(g.businessHours), routingPosition: g.routingPosition, memberIds: g.members.map((m) => m.memberId) })),
    };
  }

  /** The team's routing order and which of its groups are on shift at `now`. */
  async routing(teamId: string, now: Date): Promise<{ order: string[]; onShift: Set<string> }> {
    const ordered = await this.routingGroups.get(teamId, async () => {
      const rows = await this.db.memberGroup.findMany({ where: { teamId, routingPosition: { not: null } }, orderBy: { routingPosition: 'asc' }, select: { id: true, businessHours: true } });
      return rows.map((row) => ({ id: row.id, hours: readHours(row.businessHours) }));
    });
    if (ordered.length === 0) return { order: [], onShift: new Set() };
    // The team's hours bound every group's: read through the team's own cache (a change of them drops it).
    const profile = await this.teams.profile(teamId);
    if (!profile) return { order: [], onShift: new Set() };
    const schedule = { hours: profile.settings.businessHours, timeZone: profile.timeZone };
    return { order: ordered.map((g) => g.id), onShift: new Set(ordered.filter((g) => groupOnShift(schedule, g.hours, now)).map((g) => g.id)) };
  }

  async routingOrder(teamId: string): Promise<string[]> {
    const rows = await this.db.memberGroup.findMany({ where: { teamId, routingPosition: { not: null } }, orderBy: { routingPosition: 'asc' }, select: { id: true } });
    return rows.map((row) => row.id);
  }

  /** The order becomes exactly these groups, first first; groups left out take no part in it. */
  async setRoutingOrder(teamId: string, groupIds: string[]): Promise<string[]> {
    if (new Set(groupIds).size !== groupIds.length) {
      throw new DomainError('invalid', 'invalid_request', 'A group is named twice in the routing order.', [{ field: 'groupIds', message: 'must name each group once' }]);
    }
    const found = await this.db.memberGroup.count({ where: { teamId, id: { in: groupIds } } });
    if (found !== groupIds.length) {
      throw new DomainError('invalid', 'invalid_request', 'One of the groups is not a group of your team.', [{ field: 'groupIds', message: 'must name groups of your team' }]);
    }
    await this.db.$transaction(async (tx: Tx) => {
      await tx.memberGroup.updateMany({ where: { teamId }, data: { routingPosition: null } });
      for (const [position, id] of groupIds.entries()) await tx.memberGroup.update({ where: { id }, data: { routingPosition: position } });
    });
    await this.routingGroups.changed(teamId);
    return this.routingOrder(teamId);
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
    this.events.emit('team.updated', { teamId });
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
