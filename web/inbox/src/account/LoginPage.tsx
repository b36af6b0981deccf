import { useState } from 'react';
import { Link } from 'react-router';
import { answer, hub } from '../api';
import { useText } from '../i18n';
import { Field, FormSubmit, useServerForm } from '../shared/forms';
import { PublicPage } from './PublicPage';
import type { PublicPageProps } from './PublicPage';

/** `/app/login`. */
export default function LoginPage({ language, onLanguage, onSignedIn }: PublicPageProps) {
  const text = useText();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const form = useServerForm(['email', 'password'] as const);

  const submit = form.handle(async () => {
    const result = await answer(hub.POST('/api/auth/login', { body: { email, password } }));
    onSignedIn(result.accessToken, result.member);
  });

  return (
    <PublicPage title={text.logIn} language={language} onLanguage={onLanguage}>
      <form onSubmit={submit} aria-label={text.logIn}>
        <Field form={form} name="email" label={text.email}>
          {(control) => <input {...control} type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />}
        </Field>
        <Field form={form} name="password" label={text.password}>
          {(control) => <input {...control} type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />}
        </Field>
        <FormSubmit form={form} label={text.logIn} />
      </form>
      <p className="links">
        <Link to="/forgot-password">{text.forgotPassword}</Link> <Link to="/join">{text.join}</Link>
      </p>
    </PublicPage>
  );
}
