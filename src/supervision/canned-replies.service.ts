import type { z } from 'zod';
import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, isUniqueViolation } from '../common/database/database.js';
import type { Db } from '../common/database/database.js';
import { DomainError, notFound } from '../common/errors/domain-error.js';
import { ConversationsService } from '../conversations/index.js';
import type { AuthMember } from '../teams/index.js';
import { hasRole } from '../teams/index.js';
import { CategoriesService } from './categories.service.js';
import { fillPlaceholders, surnameOf } from '../common/text/placeholders.js';
import type { cannedReplyView } from './supervision.schema.js';

/** The route's view (the type is the zod view's). */
export type CannedReplyView = z.output<typeof cannedReplyView>;

type CannedReplyRow = { id: string; shortCode: string; title: string; body: string; categoryId: string | null; ownerId: string | null };

const TEAM_SCOPE = 'team';

@Injectable()
export class CannedRepliesService {
  constructor(
    @Inject(DATABASE) private readonly db: Db,
    private readonly categories: CategoriesService,
    private readonly conversations: ConversationsService,
  ) {}

  /** The team's replies and the member's own, by short code. */
  async list(member: AuthMember): Promise<CannedReplyView[]> {
    const rows = await this.db.cannedReply.findMany({
      where: { teamId: member.teamId, scope: { in: [TEAM_SCOPE, member.id] } },
      orderBy: [{ shortCode: 'asc' }, { scope: 'asc' }],
    });
    const counts = await this.db.cannedReplyUse.groupBy({
      by: ['cannedReplyId', 'memberId'],
      where: { cannedReplyId: { in: rows.map((row) => row.id) } },
      _count: { _all: true },
    });
    return rows.map((row) => {
      const mine = counts.filter((count) => count.cannedReplyId === row.id);
      return this.view(row, {
        total: mine.reduce((sum, count) => sum + count._count._all, 0),
        mine: mine.find((count) => count.memberId === member.id)?._count._all ?? 0,
      });
    });
  }

  async create(
    member: AuthMember,
    input: { shortCode: string; title: string; body: string; categoryId?: string | null; personal: boolean },
  ): Promise<CannedReplyView> {
    if (!input.personal && !hasRole(member, 'administrator')) {
      throw new DomainError('forbidden', 'forbidden', 'Only an administrator may write team-wide canned replies; write a personal one ("personal": true).');
    }
    if (input.categoryId) await this.categories.require(member.teamId, input.categoryId, 'categoryId');
    const scope = input.personal ? member.id : TEAM_SCOPE;
    const row = await this.db.cannedReply
      .create({
        data: {
          teamId: member.teamId,
          ownerId: input.personal ? member.id : null,
          scope,
          shortCode: input.shortCode,
          title: input.title,
          body: input.body,
          categoryId: input.categoryId ?? null,
        },
      })
      .catch((error: unknown) => this.refuseTakenCode(error, input.shortCode));
    return this.view(row, { total: 0, mine: 0 });
  }

  async update(
    member: AuthMember,
    id: string,
    input: { shortCode?: string; title?: string; body?: string; categoryId?: string | null },
  ): Promise<CannedReplyView> {
    await this.writable(member, id);
    if (input.categoryId) await this.categories.require(member.teamId, input.categoryId, 'categoryId');
    await this.db.cannedReply.update({ where: { id }, data: input }).catch((error: unknown) => this.refuseTakenCode(error, input.shortCode ?? ''));
    return (await this.list(member)).find((reply) => reply.id === id)!;
  }

  async remove(member: AuthMember, id: string): Promise<void> {
    await this.writable(member, id);
    await this.db.cannedReply.delete({ where: { id } });
  }

  /**
   * The reply for a short code with its placeholders filled for this agent and conversation: the member's own
   * reply wins over a team-wide one with the same code.
   */
  async expand(member: AuthMember, code: string, conversationId?: string): Promise<CannedReplyView> {
    const [row] = await this.db.cannedReply.findMany({
      where: { teamId: member.teamId, shortCode: code, scope: { in: [TEAM_SCOPE, member.id] } },
      // A member's id sorts before `team`: ids are UUIDs, which start with a hex digit.
      orderBy: { scope: 'asc' },
    });
    if (!row) throw new DomainError('not_found', 'unknown_short_code', `No canned reply has the short code :${code}.`);
    const conversation = conversationId ? await this.conversations.get(member, conversationId) : null;
    const team = await this.db.team.findUniqueOrThrow({ where: { id: member.teamId }, select: { name: true } });
    const body = fillPlaceholders(row.body, {
      'agent.surname': surnameOf(member.name),
      'agent.name': member.name,
      'contact.name': conversation?.contact.name,
      'team.name': team.name,
    });
    return this.view({ ...row, body }, { total: 0, mine: 0 });
  }

  /**
   * Counts one use of a canned reply: called when the message it went into is sent. A reply the member cannot
   * see is refused before anything is sent (the caller checks first with `usable`).
   */
  async recordUse(member: AuthMember, cannedReplyId: string, messageId: string): Promise<void> {
    await this.db.cannedReplyUse.create({ data: { teamId: member.teamId, cannedReplyId, memberId: member.id, messageId } });
  }

  /** Refuses a canned reply id that is not the team's or the member's own. */
  async usable(member: AuthMember, cannedReplyId: string): Promise<void> {
    const row = await this.db.cannedReply.findFirst({ where: { id: cannedReplyId, teamId: member.teamId, scope: { in: [TEAM_SCOPE, member.id] } } });
    if (!row) {
      throw new DomainError('invalid', 'invalid_request', 'There is no such canned reply for you.', [{ field: 'cannedReplyId', message: 'is not one of your team’s or your canned replies' }]);
    }
  }

  /** A team-wide reply for administrators, a personal one for its owner. */
  private async writable(member: AuthMember, id: string): Promise<CannedReplyRow> {
    const row = await this.db.cannedReply.findFirst({ where: { id, teamId: member.teamId } });
    if (!row || (row.ownerId !== null && row.ownerId !== member.id)) throw notFound('The canned reply');
    if (row.ownerId === null && !hasRole(member, 'administrator')) {
      throw new DomainError('forbidden', 'forbidden', 'Only an administrator may change team-wide canned replies.');
    }
    return row;
  }

  private refuseTakenCode(error: unknown, shortCode: string): never {
    if (isUniqueViolation(error)) {
      throw new DomainError('conflict', 'short_code_taken', `The short code :${shortCode} is already used; pick another.`, [{ field: 'shortCode', message: 'is already used' }]);
    }
    throw error;
  }

  private view(row: CannedReplyRow, uses: CannedReplyView['uses']): CannedReplyView {
    return { id: row.id, shortCode: row.shortCode, title: row.title, body: row.body, categoryId: row.categoryId, ownerId: row.ownerId, uses };
  }
}
