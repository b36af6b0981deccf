import type { REPORT_PLACEHOLDERS } from '../../../../../src/teams/team-settings.schema';

/** A placeholder the hub fills in a report text (its list is the server's: a new one is a compile error here). */
export type ReportPlaceholder = (typeof REPORT_PLACEHOLDERS)[number];

/** The reports screen's own words (see `useWords` in i18n.ts). */
const ja = {
  reportTexts: 'LINEグループへの報告文',
  reportTextsHint: '{ } の名前は送るときに値が入ります。ボタンで差し込めます。',
  texts: { taking: '対応を始めたとき', handoff: '引き継ぎを頼むとき', booked: '予約で完了したとき', notBooked: '予約なしで完了したとき', shiftSummary: '退勤時のまとめ' },
  placeholders: '差し込み',
  preview: 'プレビュー（例の値）',
  resetText: '標準の文に戻す',
  purposes: { callCenter: 'コールセンター（対応・引き継ぎ・予約なし・まとめ）', bookings: '予約（予約の報告）' } as Record<string, string>,
  noGroups: 'LINEチャネルのボットが参加しているグループはまだありません。',
  gone: '（退出済み）',
  samples: {
    'agent.name': '山田 太郎',
    'agent.surname': '山田',
    'contact.name': '佐藤 花子',
    channel: 'LINE',
    store: '渋谷店',
    'conversation.url': 'https://hub.example.jp/app/conversations/…',
    'team.name': 'つなぎ整骨院',
    summary: 'お客様: 明日の予約を変更したいです\n山田: 承知しました',
    note: '午後希望',
    silence: '',
    outcome: '予約なし',
    'shift.start': '09:00',
    'shift.end': '18:00',
    'shift.chats': '佐藤 花子様 予約',
    total: '5',
    'total.booked': '2',
    'total.notBooked': '1',
    'total.other': '1',
    'total.open': '1',
  } satisfies Record<ReportPlaceholder, string> as Record<ReportPlaceholder, string>,
};

const en: typeof ja = {
  reportTexts: 'Report texts (LINE groups)',
  reportTextsHint: 'The names in { } are filled when a report is posted; the buttons insert them.',
  texts: { taking: 'A member takes a chat', handoff: 'A handoff is asked', booked: 'Resolved with a booking', notBooked: 'Resolved without a booking', shiftSummary: 'End of a shift' },
  placeholders: 'Insert',
  preview: 'Preview (sample values)',
  resetText: 'Back to the default',
  purposes: { callCenter: 'Call center (taking, handoff, no booking, shift summary)', bookings: 'Bookings (booking reports)' },
  noGroups: 'The bot of a LINE channel has not joined any group yet.',
  gone: '(left)',
  samples: {
    'agent.name': 'Taro Yamada',
    'agent.surname': 'Yamada',
    'contact.name': 'Hanako Sato',
    channel: 'LINE',
    store: 'Shibuya',
    'conversation.url': 'https://hub.example.com/app/conversations/…',
    'team.name': 'Tsunagi Clinic',
    summary: 'Customer: I would like to move tomorrow’s booking\nYamada: Certainly',
    note: 'prefers the afternoon',
    silence: '',
    outcome: 'no booking',
    'shift.start': '09:00',
    'shift.end': '18:00',
    'shift.chats': 'Hanako Sato booked',
    total: '5',
    'total.booked': '2',
    'total.notBooked': '1',
    'total.other': '1',
    'total.open': '1',
  },
};

export const reportsWords = { ja, en };
