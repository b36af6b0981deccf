import { Controller, Get, Param, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { Readable } from 'node:stream';
import { z } from 'zod';
import { ValidQuery } from '../common/http/zod-params.js';
import { AuthGuard, CurrentMember, RequireRole, TeamsService } from '../teams/index.js';
import type { AuthMember } from '../teams/index.js';
import { CONVERSATION_COLUMNS, ConversationExportService, MESSAGE_LOG_COLUMNS, conversationFields, firstResponseSeconds } from './conversation-export.service.js';
import type { ConversationFilter, ConversationRow } from './conversation-export.service.js';
import { csvStream } from '../common/text/csv.js';
import { MessageSearchService } from './message-search.service.js';
import type { MessageHit } from './message-search.service.js';
import { conversationExportQuery, conversationHistoryListView, conversationHistoryQuery, messageSearchView, searchExportQuery, searchQuery } from './supervision.schema.js';
import type { conversationHistoryView } from './supervision.schema.js';
import { Answers, SendsAnswer } from '../common/http/answers.js';

const SEARCH_COLUMNS = ['time', 'conversation_id', 'channel', 'contact', 'direction', 'kind', 'author', 'body'];

function sendCsv(reply: FastifyReply, name: string, body: Readable) {
  return reply
    .header('content-type', 'text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${name}"`)
    .header('cache-control', 'no-store')
    .send(body);
}

/** Supervisors search what was written and take it away as CSV (UTF-8 with a BOM), streamed a page at a time. */
@ApiTags('supervision')
@ApiBearerAuth()
@Controller('api')
@UseGuards(AuthGuard)
@RequireRole('supervisor')
export class ExportsController {
  constructor(
    private readonly search: MessageSearchService,
    private readonly exports: ConversationExportService,
    private readonly teams: TeamsService,
  ) {}

  /** Every CSV writes its times in the team's zone, with the offset, and names the zone in its last column. */
  private async zoneOf(member: AuthMember): Promise<string> {
    return (await this.teams.profile(member.teamId))?.timeZone ?? 'UTC';
  }

  @Answers(messageSearchView)
  @Get('messages/search')
  find(@CurrentMember() member: AuthMember, @ValidQuery(searchQuery) query: z.output<typeof searchQuery>) {
    const { limit, cursor, ...terms } = query;
    return this.search.search(member.teamId, terms, { limit, cursor });
  }

  @SendsAnswer({ 'text/csv': 'text' }, 'UTF-8 with a BOM, one row per message.')
  @Get('exports/messages.csv')
  async searchCsv(@CurrentMember() member: AuthMember, @ValidQuery(searchExportQuery) query: z.output<typeof searchExportQuery>, @Res() reply: FastifyReply) {
    const rows = this.search.all(member.teamId, query);
    const fields = (hit: MessageHit) => [new Date(hit.createdAt), hit.conversationId, hit.channelType, hit.contactName, hit.direction, hit.kind, hit.author.name ?? hit.author.type, hit.body];
    return sendCsv(reply, 'messages.csv', csvStream(SEARCH_COLUMNS, rows, fields, await this.zoneOf(member)));
  }

  /** Past conversations, newest first, filtered as the conversation CSV is: the history page's list. */
  @Answers(conversationHistoryListView)
  @Get('conversation-history')
  async history(@CurrentMember() member: AuthMember, @ValidQuery(conversationHistoryQuery) query: z.output<typeof conversationHistoryQuery>) {
    const { limit, cursor, ...filter } = query;
    const page = await this.exports.history(member.teamId, filterOf(filter), { limit, cursor });
    return { items: page.items.map(toHistoryItem), nextCursor: page.nextCursor };
  }

  /** One row per conversation started in [from, to), with the history's filters. */
  @SendsAnswer({ 'text/csv': 'text' }, 'UTF-8 with a BOM, one row per conversation.')
  @Get('exports/conversations.csv')
  async conversationsCsv(@CurrentMember() member: AuthMember, @ValidQuery(conversationExportQuery) query: z.output<typeof conversationExportQuery>, @Res() reply: FastifyReply) {
    const zone = await this.zoneOf(member);
    return sendCsv(reply, 'conversations.csv', csvStream(CONVERSATION_COLUMNS, this.exports.conversations(member.teamId, filterOf(query)), conversationFields, zone));
  }

  /** One conversation's log, notes included. */
  @SendsAnswer({ 'text/csv': 'text' }, 'UTF-8 with a BOM, one row per message, notes included.')
  @Get('conversations/:id/export.csv')
  async conversationLog(@CurrentMember() member: AuthMember, @Param('id') id: string, @Res() reply: FastifyReply) {
    const pages = this.exports.messageLog(member.teamId, id);
    // Read the first page before answering, so an unknown conversation is a 404, not an empty file.
    const first = await pages.next();
    async function* all() {
      if (!first.done) yield first.value;
      yield* pages;
    }
    return sendCsv(reply, `conversation-${id}.csv`, csvStream(MESSAGE_LOG_COLUMNS, all(), (row) => row, await this.zoneOf(member)));
  }
}

function filterOf(query: Omit<z.output<typeof conversationHistoryQuery>, 'limit' | 'cursor'>): ConversationFilter {
  const { from, to, ...rest } = query;
  return { ...rest, ...(from ? { from: new Date(from) } : {}), ...(to ? { to: new Date(to) } : {}) };
}

function toHistoryItem(row: ConversationRow): z.output<typeof conversationHistoryView> {
  return {
    id: row.id,
    channelType: row.channel,
    channelName: row.channelName,
    contactName: row.contact,
    category: row.category,
    assignee: row.assigneeId ? { id: row.assigneeId, name: row.assignee } : null,
    createdAt: row.createdAt.toISOString(),
    firstResponseSeconds: firstResponseSeconds(row),
    resolvedAt: row.resolvedAt?.toISOString() ?? null,
    outcome: row.outcome,
    handled: row.handled,
    rating: row.rating,
    messagesIn: row.messagesIn,
    messagesOut: row.messagesOut,
    sales: row.sales,
  };
}
