import { useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { answer, ApiError, hub, session } from './api';
import type { Member } from './api';
import { catalogs, I18n, useText } from './i18n';
import type { Language } from './i18n';
import { ErrorBoundary } from './ErrorBoundary';
import { Inbox } from './Inbox';

const LANGUAGE_KEY = 'tsunagi:language';

export function App() {
  const [language, setLanguage] = useState<Language>(() => (localStorage.getItem(LANGUAGE_KEY) === 'en' ? 'en' : 'ja'));
  const [member, setMember] = useState<Member | null>(null);
  const [checked, setChecked] = useState(false);

  useEffect(() => {
    document.documentElement.lang = language;
    localStorage.setItem(LANGUAGE_KEY, language);
  }, [language]);

  useEffect(() => {
    if (!session.token) return setChecked(true);
    // Any authenticated call tells whether the stored token still holds.
    answer(hub.GET('/api/members'))
      .then(async () => setMember(await me()))
      .catch(() => (session.token = null))
      .finally(() => setChecked(true));
  }, []);

  const logOut = () => {
    session.token = null;
    setMember(null);
  };

  return (
    <I18n.Provider value={catalogs[language]}>
      {!checked ? null : member ? (
        <ErrorBoundary message={catalogs[language].crashed} reload={catalogs[language].reload}>
          <Inbox member={member} language={language} onLanguage={setLanguage} onLogOut={logOut} />
        </ErrorBoundary>
      ) : (
        <Login onLoggedIn={setMember} language={language} onLanguage={setLanguage} />
      )}
    </I18n.Provider>
  );
}

/** The signed-in member, read back from the token's claims through the members list. */
async function me(): Promise<Member> {
  const stored = localStorage.getItem('tsunagi:member');
  if (!stored) throw new Error('no member');
  return JSON.parse(stored) as Member;
}

function Login({ onLoggedIn, language, onLanguage }: { onLoggedIn: (member: Member) => void; language: Language; onLanguage: (language: Language) => void }) {
  const text = useText();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      const result = await answer(hub.POST('/api/auth/login', { body: { email, password } }));
      session.token = result.accessToken;
      localStorage.setItem('tsunagi:member', JSON.stringify(result.member));
      onLoggedIn(result.member);
    } catch (failure) {
      setError(failure instanceof ApiError ? failure.message : String(failure));
    }
  };

  return (
    <main className="login">
      <form onSubmit={submit} aria-label={text.logIn}>
        <h1>{text.appName}</h1>
        <label>
          {text.email}
          <input type="email" name="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
        </label>
        <label>
          {text.password}
          <input type="password" name="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        </label>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        <button type="submit">{text.logIn}</button>
        <LanguagePicker language={language} onLanguage={onLanguage} />
      </form>
    </main>
  );
}

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
