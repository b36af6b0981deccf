import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { DATABASE } from '../common/database/database.js';
import type { Db } from '../common/database/database.js';
import { ConversationEvents, ConversationsService } from '../conversations/index.js';
import type { ConversationView, MessageView } from '../conversations/index.js';
import type { AuthMember } from '../teams/index.js';
import { readTeamSettings } from '../teams/index.js';

/** A reply that is only a score: 1-5, full-width digits too (５), with optional spaces or a trailing 点. */
const SCORE_REPLY = /^\s*([1-5])\s*点?\s*$/u;

/**
 * Customer satisfaction. On a channel without the widget's rating form the agent asks with the team's question,
 * and the customer's next message that is only a score (1-5) is taken as their answer; the widget sends its form.
 */
@Injectable()
export class RatingsService implements OnModuleInit, OnModuleDestroy {
  private unsubscribe: (() => void) | null = null;

  constructor(
    @Inject(DATABASE) private readonly db: Db,
    private readonly conversations: ConversationsService,
    private readonly events: ConversationEvents,
  ) {}

  onModuleInit(): void {
    this.unsubscribe = this.events.on('message.created', ({ teamId, message }) => this.takeScoreReply(teamId, message));
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  async ask(member: AuthMember, conversationId: string): Promise<MessageView> {
    const team = await this.db.team.findUniqueOrThrow({ where: { id: member.teamId }, select: { settings: true } });
    return this.conversations.requestRating(member, conversationId, readTeamSettings(team.settings).ratingQuestion);
  }

  rate(teamId: string, conversationId: string, rating: { score: number; comment?: string }): Promise<ConversationView> {
    return this.conversations.recordRating(teamId, conversationId, rating);
  }

  private async takeScoreReply(teamId: string, message: MessageView): Promise<void> {
    if (message.direction !== 'in' || message.kind !== 'text') return;
    const score = SCORE_REPLY.exec(message.body.normalize('NFKC'))?.[1];
    if (!score) return;
    const asked = await this.db.conversation.findFirst({
      where: { id: message.conversationId, teamId, ratingRequestedAt: { not: null, lte: new Date(message.createdAt) } },
      select: { id: true },
    });
    if (asked) await this.conversations.recordRating(teamId, asked.id, { score: Number(score) });
  }
}
