import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { DATABASE } from '../common/database/database.js';
import type { Db } from '../common/database/database.js';
import { notFound } from '../common/errors/domain-error.js';
import { ThreadKey } from '../channels/index.js';
import { ConversationEvents } from '../conversations/index.js';
import { readTeamSettings } from '../teams/index.js';
import type { AuthMember } from '../teams/index.js';
import { UNKNOWN_STORE, detectStore } from './store-detection.js';
import type { DetectedStore } from './store-detection.js';

/** How many of a visitor's latest pages are read for the store (the access log can be long on a busy shop). */
const ACCESS_LOG_DEPTH = 50;

/** `{store}`: which of the team's stores a conversation is about. */
@Injectable()
export class StoresService implements OnModuleInit {
  constructor(
    @Inject(DATABASE) private readonly db: Db,
    private readonly conversationEvents: ConversationEvents,
  ) {}

  onModuleInit(): void {
    this.conversationEvents.on('conversation.resolved', ({ conversationId }) => this.keepDetected(conversationId));
  }

  async detect(conversationId: string, teamSettings?: unknown): Promise<DetectedStore> {
    const conversation = await this.db.conversation.findUniqueOrThrow({ where: { id: conversationId }, select: { channelId: true, threadKey: true, team: { select: { settings: true } } } });
    const settings = readTeamSettings(teamSettings ?? conversation.team.settings);
    const chosen = await this.db.conversationStore.findUnique({ where: { conversationId } });
    // Only a web chat has pages: its thread is the visitor.
    const visitorId = ThreadKey.visitorOf(conversation.threadKey);
    const pages = visitorId
      ? await this.db.visitorPage.findMany({ where: { channelId: conversation.channelId, visitorId }, orderBy: [{ seenAt: 'desc' }, { id: 'desc' }], take: ACCESS_LOG_DEPTH })
      : [];
    return detectStore(settings.stores, pages, chosen?.source === 'agent' ? chosen.store : null);
  }

  /**
   * A resolved conversation keeps the store detection tells now (the pages the visitor had seen by then), unless an
   * agent chose one: the history filters by it. Resolved again later, it is detected again.
   */
  async keepDetected(conversationId: string): Promise<void> {
    const detected = await this.detect(conversationId);
    if (detected.source === 'agent') return;
    if (detected.store === null) {
      await this.db.conversationStore.deleteMany({ where: { conversationId, source: 'detected' } });
      return;
    }
    // One statement: an agent's choice written meanwhile is left as it is.
    await this.db.$executeRaw`
      INSERT INTO conversation_stores (conversation_id, team_id, store, source, set_by, updated_at)
      SELECT id, team_id, ${detected.store}, 'detected', NULL, now() FROM conversations WHERE id = ${conversationId}
      ON CONFLICT (conversation_id) DO UPDATE SET store = excluded.store, updated_at = excluded.updated_at
      WHERE conversation_stores.source = 'detected'`;
  }

  async storeLabel(conversationId: string, teamSettings?: unknown): Promise<string> {
    return (await this.detect(conversationId, teamSettings)).store ?? UNKNOWN_STORE;
  }

  /** The agent asked the customer (`PUT /api/conversations/:id/store`); null goes back to detection. */
  async set(member: AuthMember, conversationId: string, store: string | null): Promise<DetectedStore> {
    const conversation = await this.db.conversation.findFirst({ where: { id: conversationId, teamId: member.teamId }, select: { id: true, status: true } });
    if (!conversation) throw notFound('The conversation');
    if (store === null) {
      await this.db.conversationStore.deleteMany({ where: { conversationId } });
      // Back to detection: a resolved conversation keeps what it tells, as it would have at its resolution.
      if (conversation.status === 'resolved') await this.keepDetected(conversationId);
    } else {
      await this.db.conversationStore.upsert({
        where: { conversationId },
        create: { conversationId, teamId: member.teamId, store, source: 'agent', setBy: member.id },
        update: { store, source: 'agent', setBy: member.id },
      });
    }
    return this.detect(conversationId);
  }

  async read(member: AuthMember, conversationId: string): Promise<DetectedStore> {
    const conversation = await this.db.conversation.findFirst({ where: { id: conversationId, teamId: member.teamId }, select: { id: true } });
    if (!conversation) throw notFound('The conversation');
    return this.detect(conversationId);
  }
}
