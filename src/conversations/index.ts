/** Conversations and messages: ingest, replies, the outbox, and the domain events other modules react to. */
export { ConversationsModule } from './conversations.module.js';
export { ConversationsService } from './conversations.service.js';
export type { ConversationQuery } from './conversations.service.js';
export { OutboxService } from './outbox.service.js';
export { MessageWithdrawalService, WITHDRAW_WINDOW_MS } from './message-withdrawal.service.js';
export type { SendVerdict } from './send-policy.js';
export { hasRoomFor } from './capacity.js';
export { claimAwayNotice, firstOfferClaim, handOver, lockForOffer, markMissed, requeueFrom } from './conversation-state.repository.js';
export { MessageFollowUps } from './follow-ups.service.js';
export type { FollowUpTarget } from './follow-ups.service.js';
export { MediaService } from './media.service.js';
export { TranscriptService } from './transcript.service.js';
export { ContactMergeService } from './contact-merge.service.js';
export { ContactErasureService } from './contact-erasure.service.js';
export { ConversationEvents } from './conversation.events.js';
export type { ConversationEventMap } from './conversation.events.js';
export type { ConversationView, MessageView } from './conversation.views.js';
export { toMessageView } from './conversation.views.js';
