/**
 * Every stable `code` the hub sends: in a refusal's body (HTTP or a socket frame's answer), on a failed delivery
 * (`message.errorCode`), and in a channel check. `DomainError`, `SendResult` and the error body are typed against
 * this list, so a code the server uses is a code listed here (the compiler refuses any other), and the inbox's
 * Japanese and English catalogs are checked against it (a code without a sentence fails a test).
 *
 * Codes are snake_case and never change once sent; a provider's own numbers (Twilio 21211, LINE 400) travel in the
 * failure's `details`, never in the code.
 */
export const ERROR_CODES = [
  // Requests in general
  'invalid_request',
  'invalid_payload',
  'not_found',
  'forbidden',
  'unauthenticated',
  'payload_too_large',
  'unsupported_media_type',
  'internal_error',
  'rate_limited',
  'busy',
  'ingest_busy',
  'not_ready',
  'shutting_down',
  'web_not_built',
  'no_webchat_channel',
  'origin_not_allowed',
  // Accounts and members
  'account_changed',
  'api_key_required',
  'invalid_api_key',
  'invalid_credentials',
  'too_many_attempts',
  'wrong_password',
  'email_taken',
  'invalid_email',
  'invalid_invite_code',
  'invite_code_expired',
  'invalid_reset_code',
  'session_revoked',
  'push_endpoint_not_allowed',
  'password_changed',
  'member_deactivated',
  'member_unavailable',
  'cannot_deactivate_self',
  'last_administrator',
  'operator_api_disabled',
  'metrics_token_not_set',
  'metrics_token_required',
  'closed',
  // Conversations and messages
  'conversation_exists',
  'conversation_resolved',
  'conversation_changed',
  'no_conversation',
  'not_assigned',
  'held_by_colleague',
  'at_capacity',
  'transfer_pending',
  'nobody_available',
  'offer_expired',
  'offer_taken',
  'draft_decided',
  'contact_blocked',
  'duplicate_contact',
  'not_your_contact',
  'merge_undone',
  'category_cycle',
  'category_too_deep',
  'short_code_taken',
  'unknown_short_code',
  'group_exists',
  'no_address',
  'no_email_channel',
  'transcript_address_not_given',
  'text_too_long',
  'empty_message',
  'attachments_unsupported',
  'file_type_not_allowed',
  'file_too_large',
  'file_unreadable',
  'attachment_kind_unsupported',
  'attachment_too_large',
  'too_many_attachments',
  'upload_not_found',
  'link_invalid',
  'link_expired',
  'visitor_unknown',
  'consent_required',
  'already_opted_in',
  'opted_out',
  'reply_window_closed',
  'templates_unsupported',
  'unknown_template',
  /** A booked outcome on a chat where the customer never wrote: the agent has to confirm it. */
  'outcome_needs_confirmation',
  /** An agent's message may be withdrawn only within its first two minutes. */
  'withdraw_too_late',
  /** Only the member who wrote a message may withdraw it. */
  'withdraw_not_own',
  /** The channel cannot take a message back (LINE: bots cannot unsend; SMS, email). */
  'withdraw_unsupported',
  /** A note, a customer's message, a failed or already withdrawn one: there is nothing to take back. */
  'withdraw_not_possible',
  /** A video call on a channel other than web chat (only the widget can take one). */
  'call_unsupported',
  /** The conversation already has a call ringing or running. */
  'call_in_progress',
  /** No call of this member's or visitor's by that id is ringing or running (it ended, or it is someone else's). */
  'call_not_found',
  // Reports and sales
  'invalid_report_target',
  'report_changed',
  'report_not_failed',
  'report_target_missing',
  'not_your_sale',
  'unknown_order',
  // Tickets
  /** A closed ticket is final: nothing about it changes any more. */
  'ticket_closed',
  /** The status asked for cannot follow the ticket's status (a solved ticket is reopened or closed, nothing else). */
  'ticket_status_not_allowed',
  /** A reminder time was given for a ticket without a due time. */
  'reminder_without_due',
  /** The reminder time is after the due time. */
  'reminder_after_due',
  // Web chat visitors
  'chat_unavailable',
  'address_unproven',
  'invalid_code',
  'no_proof_pending',
  'proof_expired',
  'proof_failed',
  'proof_locked',
  'widget_not_ready',
  'contact_required',
  'data_notice_required',
  'notice_outdated',
  'intake_answer_invalid',
  'intake_incomplete',
  'intake_not_configured',
  // Channels and webhooks
  'invalid_intake',
  'intake_group_unknown',
  'unknown_channel',
  'unsupported_channel',
  'channel_inactive',
  'channel_deleted',
  'channel_settings_invalid',
  'pairing_unsupported',
  'no_webhooks',
  'signature_missing',
  'signature_invalid',
  'timestamp_out_of_range',
  'token_missing',
  'token_invalid',
  'handshake_invalid',
  'verify_token_mismatch',
  'url_not_allowed',
  'download_too_large',
  // Channel checks (`POST /api/channels/:id/check`)
  'credentials_refused',
  'permission_missing',
  'account_inactive',
  'not_paired',
  // Providers: a delivery that failed, with the provider's own code in `details`
  'provider_unreachable',
  'provider_unavailable',
  'provider_refused',
  'provider_credentials_refused',
  'provider_country_not_allowed',
  'provider_sender_invalid',
  'provider_rejected_number',
  'provider_message_canceled',
  'recipient_cannot_receive',
  'recipient_unreachable',
  'recipient_blocked',
  'carrier_filtered',
  'carrier_failed',
  'pair_rate_limited',
  'not_following',
  'group_gone',
  'email_bounced',
  'email_dropped',
  'session_error',
  'session_not_ready',
  'catalog_source_has_no_url',
  'catalog_sync_running',
  'product_unavailable',
  'product_has_no_url',
  'invalid_rule',
  'invalid_rule_order',
  // Outgoing webhooks
  'webhook_url_not_allowed',
  'webhook_url_invalid',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export function isErrorCode(value: string): value is ErrorCode {
  return (ERROR_CODES as readonly string[]).includes(value);
}

/**
 * A delivery that failed, as the hub keeps it and sends it: the stable code, what the provider said in its own terms
 * (`provider`, `providerCode`, `status`), and a sentence in English for API callers and logs.
 */
export interface DeliveryFailure {
  code: ErrorCode;
  reason: string;
  details?: Record<string, string | number>;
}
