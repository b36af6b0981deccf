import type { ReactNode } from 'react';
import type { Member } from '../api';
import { useText } from '../i18n';
import type { Language } from '../i18n';
import { LanguagePicker } from '../shared/LanguagePicker';

/** What the pages outside the shell (log in, join, forgot password) are given by the app. */
export interface PublicPageProps {
  language: Language;
  onLanguage: (language: Language) => void;
  onSignedIn: (token: string, member: Member) => void;
}

/** The frame of a page for someone not signed in: the app's name, one form, the language. */
export function PublicPage({ title, language, onLanguage, children }: { title: string; language: Language; onLanguage: (language: Language) => void; children: ReactNode }) {
  const text = useText();
  return (
    <main className="login">
      <div className="public-page">
        <p className="app-name">{text.appName}</p>
        <h1>{title}</h1>
        {children}
        <LanguagePicker language={language} onLanguage={onLanguage} />
      </div>
    </main>
  );
}
