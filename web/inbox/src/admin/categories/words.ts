/** The categories screen's own words (see `useWords` in i18n.ts). */
const ja = {
  categories: 'カテゴリ',
  categoriesHint: '大分類・中分類・小分類の3段階まで。会話を完了するときに選びます。',
  addCategory: 'カテゴリを追加',
  parent: '親カテゴリ',
  topLevel: '（最上位）',
  rename: '名前を変更',
  move: '移動',
  moveTo: '移動先',
  delete: '削除',
  deleteHint: '削除すると下のカテゴリも消えます',
  noCategories: 'カテゴリはまだありません',
};

const en: typeof ja = {
  categories: 'Categories',
  categoriesHint: 'Up to three levels. Members pick one when they resolve a conversation.',
  addCategory: 'Add a category',
  parent: 'Parent',
  topLevel: '(top level)',
  rename: 'Rename',
  move: 'Move',
  moveTo: 'Move to',
  delete: 'Delete',
  deleteHint: 'Deleting removes the categories below it too',
  noCategories: 'No categories yet',
};

export const categoriesWords = { ja, en };
