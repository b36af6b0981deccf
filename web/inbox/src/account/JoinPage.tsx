import { useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { answer, hub } from '../api';
import { useText } from '../i18n';
import { Field, FormSubmit, useServerForm } from '../shared/forms';
import { PublicPage } from './PublicPage';
import type { PublicPageProps } from './PublicPage';

/** `/app/join?code=...`: a colleague signs up with the team's invite code (from the link, or typed) and lands in the inbox. */
export default function JoinPage({ language, onLanguage, onSignedIn }: PublicPageProps) {
  const text = useText();
  const navigate = useNavigate();
  const [search] = useSearchParams();
  const [inviteCode, setInviteCode] = useState(search.get('code') ?? '');
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const form = useServerForm(['inviteCode', 'name', 'email', 'password'] as const);

  const submit = form.handle(async () => {
    await answer(hub.POST('/api/auth/signup', { body: { inviteCode, name, email, password } }));
    // The sign-up answers the member, not a token: signing in with what was just typed gives this device one.
    const session = await answer(hub.POST('/api/auth/login', { body: { email, password } }));
    onSignedIn(session.accessToken, session.member);
    await navigate('/', { replace: true });
  });

  return (
    <PublicPage title={text.join} language={language} onLanguage={onLanguage}>
      <p className="hint">{text.joinHint}</p>
      <form onSubmit={submit} aria-label={text.join}>
        <Field form={form} name="inviteCode" label={text.inviteCode}>
          {(control) => <input {...control} required autoComplete="off" value={inviteCode} onChange={(e) => setInviteCode(e.target.value)} />}
        </Field>
        <Field form={form} name="name" label={text.name}>
          {(control) => <input {...control} required autoComplete="name" value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
        <Field form={form} name="email" label={text.email}>
          {(control) => <input {...control} type="email" required autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} />}
        </Field>
        <Field form={form} name="password" label={text.password} hint={text.passwordRule}>
          {(control) => <input {...control} type="password" required minLength={8} autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} />}
        </Field>
        <FormSubmit form={form} label={text.signUp} />
      </form>
      <p className="links">
        <Link to="/login">{text.toLogIn}</Link>
      </p>
    </PublicPage>
  );
}
