import { useText } from '../i18n';
import type { Language } from '../i18n';

export function LanguagePicker({ language, onLanguage }: { language: Language; onLanguage: (language: Language) => void }) {
  const text = useText();
  return (
    <label className="language">
      {text.language}
      <select value={language} onChange={(e) => onLanguage(e.target.value as Language)}>
        <option value="ja">日本語</option>
        <option value="en">English</option>
      </select>
    </label>
  );
}
