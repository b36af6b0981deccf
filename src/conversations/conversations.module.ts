import { Module } from '@nestjs/common';
import { ChannelsModule } from '../channels/index.js';
import { ContactsModule } from '../contacts/index.js';
import { TeamsModule } from '../teams/index.js';
import { ConsentKeywordHandler } from './consent-keywords.service.js';
import { ContactNamingJob } from './contact-naming.service.js';
import { ContactRecordHolders } from './contact-record-holders.js';
import { ContactErasureService } from './contact-erasure.service.js';
import { ContactMergeService } from './contact-merge.service.js';
import { ConversationEvents } from './conversation.events.js';
import { ConversationsService } from './conversations.service.js';
import { MessageWithdrawalService } from './message-withdrawal.service.js';
import { MessageFollowUps } from './follow-ups.service.js';
import { IngestService } from './ingest.service.js';
import { MediaService } from './media.service.js';
import { MessageFilesService } from './message-files.service.js';
import { ProviderEventApplier } from './provider-events.service.js';
import { OutboxService } from './outbox.service.js';
import { ProductLinksService } from './product-links.service.js';
import { SendPolicy } from './send-policy.js';
import { TranscriptService } from './transcript.service.js';
import { VisitorClaimsService } from './visitor-claims.service.js';
import { WebchatSessionService } from './webchat-sessions.service.js';
import { CallEventsService } from './call-events.service.js';
import { CallsService } from './calls.service.js';

@Module({
  imports: [ChannelsModule, ContactsModule, TeamsModule],
  providers: [ConversationEvents, ConversationsService, MessageWithdrawalService, IngestService, OutboxService, SendPolicy, MediaService, MessageFilesService, ContactMergeService, ContactErasureService, ContactRecordHolders, TranscriptService, VisitorClaimsService, ConsentKeywordHandler, ContactNamingJob, MessageFollowUps, WebchatSessionService, ProviderEventApplier, ProductLinksService, CallEventsService, CallsService],
  exports: [ConversationEvents, MessageFollowUps, ContactRecordHolders, ConversationsService, MessageWithdrawalService, OutboxService, MediaService, MessageFilesService, ContactMergeService, ContactErasureService, TranscriptService, ProductLinksService, CallsService],
})
export class ConversationsModule {}
