/**
 * The attribution rule, without the database: which of the chats a purchase could be tied to gets the credit.
 * A chat counts from the member's first reply in it (a customer nobody answered was not served), and only when
 * the purchase falls within the window after that reply.
 */

export type AttributionModel = 'last_touch' | 'first_touch';
export type MatchKind = 'visitor' | 'identity';

/** A member's first reply in a conversation the purchase is tied to, and how it is tied. */
export interface Touch {
  conversationId: string;
  memberId: string;
  repliedAt: Date;
  match: MatchKind;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** The earliest first reply that still counts for a purchase at `occurredAt`. */
export const windowStart = (occurredAt: Date, windowDays: number) => new Date(occurredAt.getTime() - windowDays * DAY_MS);

/** The touches within the window before the purchase, oldest first. */
export function eligibleTouches(touches: Touch[], occurredAt: Date, windowDays: number): Touch[] {
  const from = windowStart(occurredAt, windowDays).getTime();
  const until = occurredAt.getTime();
  return touches
    .filter((touch) => touch.repliedAt.getTime() >= from && touch.repliedAt.getTime() <= until)
    .sort((a, b) => a.repliedAt.getTime() - b.repliedAt.getTime() || a.conversationId.localeCompare(b.conversationId));
}

/**
 * The credited touch: the last one by default, the first with `first_touch`; null when none is within the
 * window. The same chat found both through the browser and through the customer's identity counts once, as
 * the browser match (the stronger evidence).
 */
export function creditedTouch(touches: Touch[], occurredAt: Date, windowDays: number, model: AttributionModel): { touch: Touch | null; candidates: number } {
  const unique = new Map<string, Touch>();
  for (const touch of touches) {
    const key = `${touch.conversationId}:${touch.memberId}`;
    const known = unique.get(key);
    if (!known || (known.match === 'identity' && touch.match === 'visitor')) unique.set(key, touch);
  }
  const eligible = eligibleTouches([...unique.values()], occurredAt, windowDays);
  if (eligible.length === 0) return { touch: null, candidates: 0 };
  return { touch: model === 'first_touch' ? eligible[0] : eligible[eligible.length - 1], candidates: eligible.length };
}
