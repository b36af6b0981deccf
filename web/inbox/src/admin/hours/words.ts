/** The business hours screen's own words (see `useWords` in i18n.ts). */
const ja = {
  hoursJson: 'JSON（空欄: 常に営業）',
};

const en: typeof ja = {
  hoursJson: 'JSON (empty: always open)',
};

export const hoursWords = { ja, en };
