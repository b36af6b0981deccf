import { fillPlaceholders } from '../common/text/placeholders.js';

// The names are written here, not read from the teams module's settings type: the admin page imports this file for
// its defaults and preview, and must not pull the server in with it. `settings.reportTexts?.[name]` in the report
// triggers still fails to compile if a name here is not a key of the settings.
export const REPORT_TEXT_NAMES = ['taking', 'handoff', 'booked', 'notBooked', 'shiftSummary'] as const;
export type ReportTextName = (typeof REPORT_TEXT_NAMES)[number];

/**
 * The reservation desk's own wording (its manual: "I take this chat", "please take over this chat", the booking and
 * no-booking reports, the end-of-shift summary). A team replaces any of them in `settings.reportTexts`.
 */
export const DEFAULT_REPORT_TEXTS: Record<ReportTextName, string> = {
  taking: '{agent.surname}: {contact.name}様のチャットを対応します ({channel}/{store})',
  handoff: '{contact.name}様のチャットをお願いします ({channel}/{store})\n{silence}直近のやりとり:\n{summary}\nメモ: {note}\n{conversation.url}',
  booked: '{agent.surname}: {contact.name}様 チャットから予約が入りました ({channel}/{store})\n{conversation.url}',
  notBooked: '{agent.surname}: {contact.name}様 予約に至りませんでした ({outcome})',
  shiftSummary:
    '{agent.surname} 退勤時まとめ {shift.start}〜{shift.end}\n{shift.chats}\n合計{total}件 (予約{total.booked}件 / 予約なし{total.notBooked}件 / その他{total.other}件 / 対応中{total.open}件)',
};

/** How an outcome reads in a report; an outcome of the team's own is shown as it was given. */
export function outcomeLabel(outcome: string | null, resolved = true): string {
  if (!resolved) return '対応中';
  if (outcome === 'booked') return '予約';
  if (outcome === 'not_booked') return '予約なし';
  if (outcome === 'other' || outcome === null) return 'その他';
  return outcome;
}

/** Which group a resolution goes to: a booking to the bookings group, anything else back to the call center. */
export function outcomeKind(outcome: string | null): 'booked' | 'not_booked' | 'other' {
  return outcome === 'booked' ? 'booked' : outcome === 'not_booked' ? 'not_booked' : 'other';
}

/** A text with its placeholders filled; one without a value is left as written rather than dropped. */
export function fillReportText(template: string, values: Record<string, string>): string {
  return fillPlaceholders(template, values, { fillEmpty: true });
}

const SUMMARY_LINE_LENGTH = 80;

/** One line per message, whitespace collapsed, cut to a length a group chat can take in at a glance. */
export function summaryLine(who: string, body: string): string {
  const flat = body.replace(/\s+/g, ' ').trim();
  const cut = [...flat].length > SUMMARY_LINE_LENGTH ? `${[...flat].slice(0, SUMMARY_LINE_LENGTH - 1).join('')}…` : flat;
  return `${who}: ${cut}`;
}

/** `HH:mm` in the team's time zone. */
export function clockTime(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('ja-JP', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(at);
}
