import { useState } from 'react';
import { Link } from 'react-router';
import { answer, hub } from '../api';
import { fill, useText } from '../i18n';
import { Field, FormSubmit, useServerForm } from '../shared/forms';
import { PublicPage } from './PublicPage';
import type { PublicPageProps } from './PublicPage';

/**
 * `/app/forgot-password`: the address first (the hub answers the same whether it has an account, so the page does
 * not tell either), then the code from the mail with the new password.
 */
export default function ForgotPasswordPage({ language, onLanguage }: PublicPageProps) {
  const text = useText();
  const [step, setStep] = useState<'email' | 'code' | 'done'>('email');
  const [email, setEmail] = useState('');
  const [code, setCode] = useState('');
  const [password, setPassword] = useState('');
  const requestForm = useServerForm(['email'] as const);
  const confirmForm = useServerForm(['code', 'password'] as const);

  const request = requestForm.handle(async () => {
    await answer(hub.POST('/api/auth/password-reset', { body: { email } }));
    setStep('code');
  });
  const confirm = confirmForm.handle(async () => {
    await answer(hub.POST('/api/auth/password-reset/confirm', { body: { email, code: code.trim(), password } }));
    setStep('done');
  });

  return (
    <PublicPage title={text.resetTitle} language={language} onLanguage={onLanguage}>
      {step === 'email' && (
        <form onSubmit={request} aria-label={text.resetTitle}>
          <p className="hint">{text.resetHint}</p>
          <Field form={requestForm} name="email" label={text.email}>
            {(control) => <input {...control} type="email" required autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} />}
          </Field>
          <FormSubmit form={requestForm} label={text.sendCode} />
        </form>
      )}
      {step === 'code' && (
        <form onSubmit={confirm} aria-label={text.setPassword}>
          <p role="status">{fill(text.codeSent, { email })}</p>
          <Field form={confirmForm} name="code" label={text.resetCode}>
            {(control) => <input {...control} required inputMode="numeric" autoComplete="one-time-code" value={code} onChange={(e) => setCode(e.target.value)} />}
          </Field>
          <Field form={confirmForm} name="password" label={text.newPassword} hint={text.passwordRule}>
            {(control) => <input {...control} type="password" required minLength={8} autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} />}
          </Field>
          <FormSubmit form={confirmForm} label={text.setPassword} />
        </form>
      )}
      {step === 'done' && <p role="status">{text.passwordReset}</p>}
      <p className="links">
        <Link to="/login">{text.toLogIn}</Link>
      </p>
    </PublicPage>
  );
}
