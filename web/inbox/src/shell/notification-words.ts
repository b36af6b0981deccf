/** The bell's words (see `useWords` in i18n.ts): one sentence per kind of notice, `{...}` filled from its data. */
const ja = {
  bell: 'お知らせ',
  unread: '未読 {n}件',
  none: 'お知らせはありません。',
  markRead: '既読にする',
  sentences: {
    contact_blocked: '{name} がブロックされました。',
    contact_unblocked: '{name} のブロックが解除されました。',
    merge_proposed: '同じ人と思われる連絡先があります。統合するか確かめてください。',
    report_target_gone: 'レポートの送信先のLINEグループ「{name}」からボットが退出しました。別の送信先を選んでください。',
    break_after_ignored_offers: '続けて通知に応答がなかったため、休憩にしました。',
    transfer_expired: '転送したチャットを誰も受けませんでした。担当はそのままです。',
    draft_approved: '下書きが承認され、送信されます。',
    draft_rejected: '下書きが差し戻されました: {feedback}',
    sale_credited: '売上が計上されました（{amount}）。',
    ticket_reminder: 'チケット #{number} の期限が近づいています。',
    ticket_reply: 'チケット #{number} にお客様から返信がありました。',
  } as Record<string, string>,
  other: 'お知らせ（{type}）',
};

const en: typeof ja = {
  bell: 'Notifications',
  unread: '{n} unread',
  none: 'No notifications.',
  markRead: 'Mark as read',
  sentences: {
    contact_blocked: '{name} was blocked.',
    contact_unblocked: '{name} was unblocked.',
    merge_proposed: 'Two contacts look like one person: check whether to merge them.',
    report_target_gone: 'The bot left the LINE group “{name}” that reports went to: choose another.',
    break_after_ignored_offers: 'You were put on a break after several offers rang out.',
    transfer_expired: 'Nobody took the chat you transferred: it is still yours.',
    draft_approved: 'Your draft was approved and goes out.',
    draft_rejected: 'Your draft was sent back: {feedback}',
    sale_credited: 'A sale was credited to you ({amount}).',
    ticket_reminder: 'Ticket #{number} is coming due.',
    ticket_reply: 'The customer answered ticket #{number}.',
  },
  other: 'Notification ({type})',
};

export const notificationWords = { ja, en };
