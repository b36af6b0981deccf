/** The conversation view's own words for video calls (see `useWords` in i18n.ts). */
const ja = {
  call: 'ビデオ通話',
  callStart: 'ビデオ通話をかける',
  ringing: 'お客様を呼び出しています…',
  cancel: '呼び出しをやめる',
  connecting: '接続しています…',
  connected: '通話中',
  reconnecting: '接続が切れました。つなぎ直しています…',
  remote: 'お客様の映像',
  local: '自分の映像',
  mute: 'マイクをオフ',
  unmute: 'マイクをオン',
  switchCamera: 'カメラを切り替え',
  hangUp: '通話を終える',
  noCamera: 'カメラかマイクを使えないため、ビデオ通話をかけられません。',
  ended: 'ビデオ通話が終わりました（{duration}）。',
  failed: {
    hung_up: 'ビデオ通話が終わりました。',
    declined: 'お客様がビデオ通話を辞退しました。',
    no_answer: 'お客様が応答しませんでした。',
    cancelled: '呼び出しをやめました。',
    connection_lost: '接続が切れ、30秒以内につなぎ直せませんでした。',
    media_unavailable: 'お客様のカメラかマイクを使えず、通話できませんでした。',
  },
  /** The thread's call events, by `meta.type`. */
  event: {
    started: 'ビデオ通話が始まりました',
    ended: 'ビデオ通話が終わりました（{duration}）',
  },
  duration: '{m}分{s}秒',
};

const en: typeof ja = {
  call: 'Video call',
  callStart: 'Start a video call',
  ringing: 'Calling the customer…',
  cancel: 'Stop calling',
  connecting: 'Connecting…',
  connected: 'In call',
  reconnecting: 'Connection lost. Reconnecting…',
  remote: 'Customer video',
  local: 'Your video',
  mute: 'Mute',
  unmute: 'Unmute',
  switchCamera: 'Switch camera',
  hangUp: 'Hang up',
  noCamera: 'No camera or microphone could be used, so the call cannot start.',
  ended: 'The video call ended ({duration}).',
  failed: {
    hung_up: 'The video call ended.',
    declined: 'The customer declined the video call.',
    no_answer: 'The customer did not answer.',
    cancelled: 'You stopped calling.',
    connection_lost: 'The connection dropped and did not come back within 30 seconds.',
    media_unavailable: 'The customer’s camera or microphone could not be used.',
  },
  event: {
    started: 'Video call started',
    ended: 'Video call ended ({duration})',
  },
  duration: '{m} min {s} s',
};

export const callWords = { ja, en };
