/** The API keys screen's own words (see `useWords` in i18n.ts). */
const ja = {
  apiKeys: 'APIキー',
  apiKeysHint: 'ショップのサーバーから購入を送るときなどに使います（Authorization: Bearer キー）。',
  keyName: 'キーの名前',
  keyNameHint: '使う場所がわかる名前（例: ECサイト）',
  create: 'キーを作る',
  createdOnce: 'このキーは今だけ表示されます。コピーして保管してください。',
  copy: 'コピー',
  copied: 'コピーしました',
  prefix: '先頭',
  createdAt: '作成日',
  revoke: '無効にする',
  revoked: '無効（{date}）',
  active: '有効',
  noKeys: 'キーはまだありません',
};

const en: typeof ja = {
  apiKeys: 'API keys',
  apiKeysHint: 'For the shop’s server sending purchases and the like (Authorization: Bearer key).',
  keyName: 'Key name',
  keyNameHint: 'A name that says where it is used (e.g. online shop)',
  create: 'Create a key',
  createdOnce: 'This key is shown only now. Copy it and keep it safe.',
  copy: 'Copy',
  copied: 'Copied',
  prefix: 'Starts with',
  createdAt: 'Created',
  revoke: 'Revoke',
  revoked: 'Revoked ({date})',
  active: 'Active',
  noKeys: 'No keys yet',
};

export const apiKeysWords = { ja, en };
