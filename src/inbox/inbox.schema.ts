import { z } from 'zod';
import { CHANNEL_TYPES } from '../common/channel-types.js';

const flag = z.enum(['true', 'false']).transform((value) => value === 'true');

export const conversationListQuery = z.strictObject({
  view: z.enum(['all', 'mine', 'waiting']).default('all'),
  unreplied: flag.optional(),
  favorite: flag.optional(),
  channelType: z.enum(CHANNEL_TYPES).optional(),
  status: z.enum(['waiting', 'open', 'resolved']).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});

export const pageQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});

export const postMessageBody = z
  .strictObject({
    body: z.string().trim().min(1, 'must not be empty').max(5000).optional(),
    kind: z.enum(['text', 'note']).default('text'),
    /** The canned reply the text came from (`:7` expanded): its use is counted once the message is written. */
    cannedReplyId: z.string().min(1).max(64).optional(),
    /** One of the channel's approved templates (WhatsApp Cloud API), with a value for each of its variables. */
    template: z
      .strictObject({
        name: z.string().min(1).max(512),
        variables: z.record(z.string().max(60), z.string().max(1024)).default({}),
      })
      .optional(),
  })
  .superRefine((value, context) => {
    if (value.template && value.kind === 'note') context.addIssue({ code: 'custom', path: ['template'], message: 'a note cannot be a template' });
    if (!value.template && value.body === undefined) context.addIssue({ code: 'custom', path: ['body'], message: 'is required (or a template)' });
  });

export const startConversationBody = z.strictObject({
  contactId: z.string().min(1).max(64),
  channelId: z.string().min(1).max(64),
  body: z.string().trim().min(1, 'must not be empty').max(5000),
});

export const invitationBody = z.strictObject({
  channel: z.enum(['sms', 'whatsapp', 'email']),
  channelId: z.string().min(1).max(64),
});

export const assignBody = z.strictObject({
  memberId: z.string().min(1).max(64),
  /** Supervisors only: assign even though the member is at capacity. */
  override: z.boolean().default(false),
});

export const transferBody = z
  .strictObject({
    memberId: z.string().min(1).max(64).optional(),
    groupId: z.string().min(1).max(64).optional(),
    /** Goes with the chat as an internal note: colleagues see it, the customer never does. */
    note: z.string().trim().min(1).max(2000).optional(),
  })
  .refine((body) => (body.memberId === undefined) !== (body.groupId === undefined), { message: 'give either memberId or groupId, not both', path: ['memberId'] });

/** A chat's transcript by email; `channelId` picks one of several email channels (the oldest active one otherwise). */
export const transcriptBody = z.strictObject({
  email: z.string().max(320),
  channelId: z.string().min(1).max(64).optional(),
});

export const resolveBody = z.strictObject({
  outcome: z.string().trim().min(1).max(40).optional(),
  categoryId: z.string().max(64).optional(),
});
