import { Controller, Get, HttpCode, Param, Post, Req, UseGuards } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { ValidBody, ValidQuery } from '../common/http/zod-params.js';
import { ConversationsService, MessageFilesService, MessageWithdrawalService, TranscriptService } from '../conversations/index.js';
import { TransfersService } from '../routing/index.js';
import { CatalogService } from '../catalog/index.js';
import { CannedRepliesService, CategoriesService } from '../supervision/index.js';
import { AuthGuard, CurrentMember } from '../teams/index.js';
import type { AuthMember } from '../teams/index.js';
import { assignBody, conversationListQuery, intakeView, conversationListView, favoriteView, messageListView, pageQuery, postMessageBody, resolveBody, sendabilityView, uploadForm, uploadView, startConversationBody, startedConversationView, transcriptBody, transcriptView, transferBody, visitorPagesView } from './inbox.schema.js';
import { Answers } from '../common/http/answers.js';
import { inboxConversationView, inboxMessageView, inboxTransferView } from '../common/realtime/events/index.js';

@ApiTags('conversations')
@ApiBearerAuth()
@Controller('api/conversations')
@UseGuards(AuthGuard)
export class InboxController {
  constructor(
    private readonly conversations: ConversationsService,
    private readonly transfers: TransfersService,
    private readonly transcripts: TranscriptService,
    private readonly cannedReplies: CannedRepliesService,
    private readonly categories: CategoriesService,
    private readonly withdrawals: MessageWithdrawalService,
    private readonly files: MessageFilesService,
    private readonly catalog: CatalogService,
  ) {}

  @Answers(conversationListView)
  @Get()
  list(@CurrentMember() member: AuthMember, @ValidQuery(conversationListQuery) query: z.output<typeof conversationListQuery>) {
    return this.conversations.list(member, query);
  }

  /** The agent writes first; 409 `consent_required` until the contact has opted in on that channel. */
  @Answers(startedConversationView)
  @Post()
  start(@CurrentMember() member: AuthMember, @ValidBody(startConversationBody) body: z.output<typeof startConversationBody>) {
    return this.conversations.start(member, body);
  }

  @Answers(inboxConversationView)
  @Get(':id')
  get(@CurrentMember() member: AuthMember, @Param('id') id: string) {
    return this.conversations.get(member, id);
  }

  /** What the composer may send now: `{ok}`, or the refusal's code and reason, and the channel's templates. */
  @Answers(sendabilityView)
  @Get(':id/can-send')
  canSend(@CurrentMember() member: AuthMember, @Param('id') id: string) {
    return this.conversations.sendability(member, id);
  }

  /** The web chat intake's answers (shown in the conversation's side panel). */
  @Answers(intakeView)
  @Get(':id/intake')
  intake(@CurrentMember() member: AuthMember, @Param('id') id: string) {
    return this.conversations.intake(member, id);
  }

  @Answers(messageListView)
  @Get(':id/messages')
  messages(@CurrentMember() member: AuthMember, @Param('id') id: string, @ValidQuery(pageQuery) page: z.output<typeof pageQuery>) {
    return this.conversations.messages(member, id, page);
  }

  @Answers(inboxMessageView, 'Written; it goes out through the outbox (its status follows on the socket).')
  @Post(':id/messages')
  async post(@CurrentMember() member: AuthMember, @Param('id') id: string, @ValidBody(postMessageBody) body: z.output<typeof postMessageBody>) {
    const { cannedReplyId, products, ...message } = body;
    if (cannedReplyId) await this.cannedReplies.usable(member, cannedReplyId);
    // Product cards copy the catalog as it is now: a later sync that changes a price does not rewrite what was sent.
    const cards = products ? await this.catalog.cardsFor(member.teamId, products) : undefined;
    const written = await this.conversations.post(member, id, { ...message, ...(cards ? { products: cards } : {}) });
    // A withdrawn double greeting never reaches the customer: it is no use of the canned reply.
    if (cannedReplyId && written.status !== 'failed') await this.cannedReplies.recordUse(member, cannedReplyId, written.id);
    return written;
  }

  /**
   * The agent takes back their own message within two minutes: web chat removes it from the visitor's thread. 409
   * `withdraw_too_late` after two minutes, 403 `withdraw_not_own` for a colleague's, 422 `withdraw_unsupported` on a
   * channel that cannot (LINE bots cannot unsend; SMS, email), said before anything is tried.
   */
  @Answers(inboxMessageView, 'Withdrawn: `unsent` is true and the body is gone (colleagues get `message.updated`).')
  @Post(':id/messages/:messageId/withdraw')
  @HttpCode(200)
  withdraw(@CurrentMember() member: AuthMember, @Param('id') id: string, @Param('messageId') messageId: string) {
    return this.withdrawals.withdraw(member, id, messageId);
  }

  /** The pages the web chat visitor was on (what store detection reads), newest first. */
  @Answers(visitorPagesView)
  @Get(':id/pages')
  async pages(@CurrentMember() member: AuthMember, @Param('id') id: string) {
    return { items: await this.conversations.visitorPages(member, id) };
  }

  /**
   * A file for the next reply, as `multipart/form-data` with one part `file`: its type is read from its bytes (422
   * `file_type_not_allowed`), it is held to the team's size cap (422 `file_too_large`) and to what the conversation's
   * channel carries (422 `attachment_kind_unsupported`, `attachment_too_large`). Images come back re-encoded, without
   * their metadata. The reply then names the answer's `id` in `attachments`.
   */
  @Answers(uploadView, 'Kept for the reply that names it (24 hours).')
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: uploadForm })
  @Post(':id/uploads')
  upload(@CurrentMember() member: AuthMember, @Param('id') id: string, @Req() request: FastifyRequest & { rawBody?: Buffer }) {
    return this.files.upload(member, id, request.rawBody, request.headers['content-type']);
  }

  /** Sends the chat's transcript by email through the team's email channel; 400 `invalid_email` names the mistake. */
  @Answers(transcriptView)
  @Post(':id/transcript')
  @HttpCode(202)
  transcript(@CurrentMember() member: AuthMember, @Param('id') id: string, @ValidBody(transcriptBody) body: z.output<typeof transcriptBody>) {
    return this.transcripts.request(member, id, body);
  }

  @Answers(inboxConversationView)
  @Post(':id/accept')
  @HttpCode(200)
  async accept(@CurrentMember() member: AuthMember, @Param('id') id: string) {
    // A colleague's transfer offered to this member, or else a waiting chat.
    return (await this.transfers.accept(member, id)) ?? this.conversations.accept(member, id);
  }

  /** 202: the colleague or the group is offered the chat; it stays yours until someone accepts. */
  @Answers(inboxTransferView, 'Offered to the member or group until accepted or expired.')
  @Post(':id/transfer')
  @HttpCode(202)
  transfer(@CurrentMember() member: AuthMember, @Param('id') id: string, @ValidBody(transferBody) body: z.output<typeof transferBody>) {
    const target = body.memberId !== undefined ? { memberId: body.memberId } : { groupId: body.groupId! };
    return this.transfers.transfer(member, id, { ...target, note: body.note });
  }

  @Answers(inboxConversationView)
  @Post(':id/assign')
  @HttpCode(200)
  assign(@CurrentMember() member: AuthMember, @Param('id') id: string, @ValidBody(assignBody) body: z.output<typeof assignBody>) {
    return this.conversations.assign(member, id, body.memberId, body.override);
  }

  @Answers(inboxConversationView)
  @Post(':id/resolve')
  @HttpCode(200)
  async resolve(@CurrentMember() member: AuthMember, @Param('id') id: string, @ValidBody(resolveBody) body: z.output<typeof resolveBody>) {
    const { categoryId, ...outcome } = body;
    if (categoryId) {
      await this.categories.require(member.teamId, categoryId, 'categoryId');
      await this.conversations.setCategory(member, id, categoryId);
    }
    return this.conversations.resolve(member, id, outcome);
  }

  @Answers(inboxConversationView)
  @Post(':id/reopen')
  @HttpCode(200)
  reopen(@CurrentMember() member: AuthMember, @Param('id') id: string) {
    return this.conversations.reopen(member, id);
  }

  @Answers(favoriteView)
  @Post(':id/favorite')
  @HttpCode(200)
  favorite(@CurrentMember() member: AuthMember, @Param('id') id: string) {
    return this.conversations.setFavorite(member, id, true);
  }

  @Answers(favoriteView)
  @Post(':id/unfavorite')
  @HttpCode(200)
  unfavorite(@CurrentMember() member: AuthMember, @Param('id') id: string) {
    return this.conversations.setFavorite(member, id, false);
  }
}
