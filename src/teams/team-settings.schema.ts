import { DEFAULT_FILE_BYTES, FILE_CLASSES, LARGEST_FILE_BYTES } from '../common/files/index.js';
import { z } from 'zod';
import { businessHoursSchema } from './business-hours.js';

/** Placeholders a report text may use; each is filled when the report is written (README, "Reports to LINE groups"). */
export const REPORT_PLACEHOLDERS = [
  'agent.name',
  'agent.surname',
  'contact.name',
  'channel',
  'store',
  'conversation.url',
  'team.name',
  'summary',
  'note',
  'silence',
  'outcome',
  'shift.start',
  'shift.end',
  'shift.chats',
  'total',
  'total.booked',
  'total.notBooked',
  'total.other',
  'total.open',
] as const;

const KNOWN_PLACEHOLDERS = new Set<string>(REPORT_PLACEHOLDERS);

/** A report text: every `{name}` in it must be a placeholder the hub fills, so a typo is refused, not posted. */
const reportText = z
  .string()
  .min(1)
  .max(2000)
  .superRefine((text, context) => {
    for (const [, name] of text.matchAll(/\{([^{}\s]+)\}/g)) {
      // `{intake.<key>}`: the answer to a web chat intake step (empty when the chat had none).
      if (!KNOWN_PLACEHOLDERS.has(name) && !/^intake\.[a-z][a-z0-9_]{0,39}$/.test(name)) context.addIssue({ code: 'custom', message: `uses {${name}}, which is not a placeholder (known: ${REPORT_PLACEHOLDERS.map((p) => `{${p}}`).join(', ')}, {intake.<key>})` });
    }
  });

/**
 * URL patterns of a team's web pages and the store each belongs to; `*` stands for any run of characters. A pattern
 * without a store is one of the default store's pages (one store's URLs name no store).
 */
const storesSchema = z
  .strictObject({
    patterns: z.array(z.strictObject({ pattern: z.string().trim().min(1).max(500), store: z.string().trim().min(1).max(60).optional() })).max(200),
    defaultStore: z.string().trim().min(1).max(60).optional(),
  })
  .superRefine((stores, context) => {
    stores.patterns.forEach((entry, index) => {
      if (entry.store === undefined && stores.defaultStore === undefined) {
        context.addIssue({ code: 'custom', path: ['patterns', index, 'store'], message: 'is missing, and no defaultStore is set for patterns without one' });
      }
    });
  });

/**
 * A team's settings, with their defaults (each described in README.md where its feature is). Later features add their keys here; unknown keys are
 * refused, so a typo never silently does nothing.
 */
export const teamSettingsSchema = z.strictObject({
  /** Region used to read phone numbers written without a country code. */
  defaultPhoneRegion: z.string().regex(/^[A-Z]{2}$/, 'must be a two-letter region code such as JP').default('JP'),
  /** Concurrent chats a new member may hold. */
  defaultCapacity: z.number().int().min(1).max(100).default(1),
  /** How many available members a new conversation is offered to at once. */
  offerFanout: z.number().int().min(1).max(50).default(3),
  /** Seconds an offer waits for an accept before the chat is missed and queued. */
  offerTimeoutSeconds: z.number().int().min(1).max(3600).default(90),
  /** Offer a returning customer's chat first to the member who last served them. */
  stickyRouting: z.boolean().default(false),
  /** Widen an offer nobody has taken: `size` more members every `everySeconds`, until the offer expires. */
  offerWaves: z
    .strictObject({ size: z.number().int().min(1).max(50), everySeconds: z.number().int().min(1).max(3600) })
    .nullable()
    .default(null),
  /** Offers a member may let expire in a row before they are put on break. */
  ignoredOffersBeforeBreak: z.number().int().min(1).max(100).default(3),
  /** Opening hours in the team's time zone; null: always open. */
  businessHours: businessHoursSchema.nullable().default(null),
  /**
   * What a customer on a channel without the widget's form hears when nobody can answer: `closed` outside business
   * hours (`{opensAt}` is filled in), `unavailable` when nobody is online. Sent once per conversation until the team
   * opens again; null switches one off; absent: the defaults.
   */
  awayReplies: z
    .strictObject({
      closed: z.string().min(1).max(600).nullable().optional(),
      unavailable: z.string().min(1).max(600).nullable().optional(),
    })
    .optional(),
  /** Seconds a web chat customer waits for an answer before the widget offers to leave the message by email; null: never. */
  slowReplySeconds: z.number().int().min(1).max(86400).nullable().default(300),
  /** Seconds a member may have no device connected before they go offline. */
  presenceGraceSeconds: z.number().int().min(1).max(3600).default(120),
  /** Which key sends in the composer by default: Enter (Shift+Enter breaks the line) or the other way round. */
  enterSends: z.boolean().default(true),
  /** SMS and WhatsApp consent keywords, whole message; absent: the defaults (STOP, 配信停止, START, 開始, HELP...). */
  consentKeywords: z
    .strictObject({
      optOut: z.array(z.string().trim().min(1).max(40)).max(50),
      optIn: z.array(z.string().trim().min(1).max(40)).max(50),
      help: z.array(z.string().trim().min(1).max(40)).max(50),
    })
    .optional(),
  /** The hub's answers to keywords (`{team.name}` is filled in); null switches a confirmation off. */
  consentReplies: z
    .strictObject({
      help: z.string().min(1).max(600).optional(),
      optOut: z.string().min(1).max(600).nullable().optional(),
      optIn: z.string().min(1).max(600).nullable().optional(),
    })
    .optional(),
  /** What the agent's rating request asks the customer on the conversation's channel; a lone 1-5 in reply is the score. */
  ratingQuestion: z
    .string()
    .min(1)
    .max(600)
    .default('本日の対応はいかがでしたか？ 1（不満）〜5（満足）の数字でご返信ください。'),
  /** Reports count response and handle times only while the team is open (its business hours). */
  reportTimesInBusinessHours: z.boolean().default(false),
  /**
   * The texts posted to LINE groups (Japanese defaults when absent): when an agent takes a chat, asks for a handoff,
   * ends a chat booked or not, and at the end of a shift. Placeholders: REPORT_PLACEHOLDERS.
   */
  reportTexts: z
    .strictObject({ taking: reportText, handoff: reportText, booked: reportText, notBooked: reportText, shiftSummary: reportText })
    .partial()
    .optional(),
  /** Which store a web chat is about, from the page the visitor is on (`{store}` in report texts). */
  stores: storesSchema.optional(),
  /** Days after a member's first reply in a chat during which the customer's purchase is credited to them. */
  attributionWindowDays: z.number().int().min(1).max(90).default(1),
  /** Who is credited when the customer chatted with several members within the window: the last one, or the first. */
  attributionModel: z.enum(['last_touch', 'first_touch']).default('last_touch'),
  /** Days an invite code lets people sign up after it was drawn; rotating the code starts a new period. */
  inviteCodeTtlDays: z.number().int().min(1).max(365).default(14),
  /**
   * What an address a web visitor types (identify, `Tsunagi('set', ...)`, the message form) may do. `proposal`: an
   * address another contact holds becomes a merge proposal for supervisors; `code`: a 6-digit code goes to the
   * address and the visitor is merged once they enter it. Either way nothing is merged, and nothing but the code is
   * sent there, before the proof.
   */
  visitorProof: z.enum(['proposal', 'code']).default('proposal'),
  /**
   * The widget's abuse limits; a value left out is the operator's default (HUB_WIDGET_* in the environment: 20
   * sessions a minute per client address, 30 messages a minute per visitor and per address, 3 transcripts a day per
   * conversation).
   */
  widgetLimits: z
    .strictObject({
      sessionsPerMinute: z.number().int().min(1).max(10_000),
      messagesPerMinute: z.number().int().min(1).max(10_000),
      transcriptsPerDay: z.number().int().min(0).max(100),
    })
    .partial()
    .optional(),
  /**
   * Files sent through the hub: the largest one (agents' and web visitors' alike, at most 25 MB) and the kinds a web
   * visitor may send from the widget. Agents may send any kind the hub accepts; each channel then takes what it can.
   */
  uploads: z
    .strictObject({
      maxBytes: z.number().int().min(1024).max(LARGEST_FILE_BYTES).default(DEFAULT_FILE_BYTES),
      visitorTypes: z.array(z.enum(FILE_CLASSES)).max(FILE_CLASSES.length).default(['image', 'pdf']),
    })
    .default({ maxBytes: DEFAULT_FILE_BYTES, visitorTypes: ['image', 'pdf'] }),
  /** The question an SMS or WhatsApp invitation asks (`{team.name}`, `{contact.name}`); it must ask for YES. */
  invitationText: z.string().min(1).max(600).optional(),
});

export type TeamSettings = z.output<typeof teamSettingsSchema>;

export function readTeamSettings(stored: unknown): TeamSettings {
  const result = teamSettingsSchema.safeParse(stored ?? {});
  // Stored settings were valid when written; a key dropped in a later version must not break reads.
  return result.success ? result.data : teamSettingsSchema.parse({});
}
