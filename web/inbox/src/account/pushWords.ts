/** The account page's push notification words (see `useWords` in i18n.ts). */
const ja = {
  title: 'プッシュ通知',
  hint: 'タブが裏にあっても、画面がロックされていても、この端末に通知します。',
  iosHint: 'iPhone・iPadでは、先に共有メニューの「ホーム画面に追加」でこの受信箱を追加し、そこから開いてください。',
  unsupported: 'このブラウザはプッシュ通知に対応していません。',
  denied: '通知がブラウザでブロックされています。サイトの設定で許可してください。',
  enable: 'この端末で通知を受け取る',
  disable: 'この端末の通知をやめる',
  enabled: 'この端末に通知します',
  which: '通知する内容',
  offers: '新しいチャットの依頼（通知から「受ける」）',
  messages: '担当中のチャットへのお客様のメッセージ',
  sales: '自分に計上された売上',
  drafts: '下書きの承認・差し戻し',
};

const en: typeof ja = {
  title: 'Push notifications',
  hint: 'Tells this device even when the tab is in the background or the screen is locked.',
  iosHint: 'On an iPhone or iPad, first add this inbox with “Add to Home Screen” in the share menu, and open it from there.',
  unsupported: 'This browser does not take push notifications.',
  denied: 'Notifications are blocked in the browser. Allow them in the site’s settings.',
  enable: 'Get notifications on this device',
  disable: 'Stop notifications on this device',
  enabled: 'This device is notified',
  which: 'Notify me of',
  offers: 'A chat offered to me (Accept from the notification)',
  messages: 'A customer’s message in my chats',
  sales: 'A sale credited to me',
  drafts: 'My draft approved or sent back',
};

export const pushWords = { ja, en };
