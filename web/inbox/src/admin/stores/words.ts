/** The stores screen's own words (see `useWords` in i18n.ts). */
const ja = {
  stores: '店舗とURL',
  storesHint: 'Webチャットのお客様が見ているページのURLから店舗を判定します（報告の {store}）。* は任意の文字列。上から順に、最初に一致した行の店舗になります。',
  pattern: 'URLパターン',
  store: '店舗',
  storeBlank: '空欄: 既定の店舗',
  defaultStore: '既定の店舗',
  defaultStoreHint: '店舗を書いていないパターンに一致したページの店舗',
  addPattern: '行を追加',
  removePattern: '行を削除',
  tester: 'URLを試す',
  testerHint: 'URLを貼り付けると、保存前の表でどの店舗になるかを表示します（クエリと # 以降は見ません）。',
  testUrl: '試すURL',
  matches: '店舗: {store}',
  noMatch: 'どのパターンにも一致しません（店舗不明）',
  notUrl: 'URLではありません',
};

const en: typeof ja = {
  stores: 'Stores and URLs',
  storesHint: 'The page a web chat customer is on tells the store ({store} in reports). * stands for anything. The first matching row, from the top, wins.',
  pattern: 'URL pattern',
  store: 'Store',
  storeBlank: 'Blank: the default store',
  defaultStore: 'Default store',
  defaultStoreHint: 'The store of a page matched by a pattern without a store',
  addPattern: 'Add a row',
  removePattern: 'Remove the row',
  tester: 'Try a URL',
  testerHint: 'Paste a URL to see which store it belongs to with the table as it is on screen (the query and # part are ignored).',
  testUrl: 'URL to try',
  matches: 'Store: {store}',
  noMatch: 'No pattern matches (store unknown)',
  notUrl: 'Not a URL',
};

export const storesWords = { ja, en };
