import { useState } from 'react';
import type { FormEvent } from 'react';
import { fill, useText } from '../i18n';
import { Field, FormSubmit, useServerForm } from '../shared/forms';
import { LanguagePicker } from '../shared/LanguagePicker';
import { enterSendsPreference, useSession } from '../shared/session';
import { useAccount } from './useAccount';
import { PushSettings } from './PushSettings';
import { useTeam } from '../shared/useTeam';

/** `/app/account`: the member's name, sign-in address, password, this device's preferences, and logging out everywhere. */
export default function AccountPage() {
  const text = useText();
  return (
    <main className="pane account">
      <h2>{text.myAccount}</h2>
      <NameForm />
      <EmailForm />
      <PasswordForm />
      <Preferences />
      <PushSettings />
      <section aria-label={text.logOutEverywhere}>
        <h3>{text.logOutEverywhere}</h3>
        <SignOutEverywhere />
      </section>
    </main>
  );
}

function NameForm() {
  const text = useText();
  const { member, rename } = useAccount();
  const [name, setName] = useState(member.name);
  const [saved, setSaved] = useState(false);
  const form = useServerForm(['name'] as const);
  const submit = form.handle(async () => {
    setSaved(false);
    await rename(name);
    setSaved(true);
  });
  return (
    <form onSubmit={submit} aria-label={text.name}>
      <Field form={form} name="name" label={text.name}>
        {(control) => <input {...control} required autoComplete="name" value={name} onChange={(e) => setName(e.target.value)} />}
      </Field>
      <FormSubmit form={form} label={text.save} />
      {saved && <span role="status">{text.saved}</span>}
    </form>
  );
}

/** A new address changes nothing until the code mailed to it comes back. */
function EmailForm() {
  const text = useText();
  const { language } = useSession();
  const { member, requestEmailChange, confirmEmailChange } = useAccount();
  const [email, setEmail] = useState('');
  const [sent, setSent] = useState<{ email: string; expiresAt: string } | null>(null);
  const [code, setCode] = useState('');
  const [changed, setChanged] = useState(false);
  const requestForm = useServerForm(['email'] as const);
  const confirmForm = useServerForm(['code'] as const);
  const request = requestForm.handle(async () => {
    setChanged(false);
    setSent(await requestEmailChange(email));
  });
  const confirm = confirmForm.handle(async () => {
    await confirmEmailChange(code.trim());
    setSent(null);
    setEmail('');
    setCode('');
    setChanged(true);
  });
  const time = (iso: string) => new Date(iso).toLocaleTimeString(language === 'ja' ? 'ja-JP' : 'en-GB', { hour: '2-digit', minute: '2-digit' });
  return (
    <section aria-label={text.changeEmail}>
      <h3>{text.changeEmail}</h3>
      <p>
        {text.email}: <strong>{member.email}</strong>
      </p>
      {changed && <p role="status">{text.emailChanged}</p>}
      {!sent ? (
        <form onSubmit={request} aria-label={text.changeEmail}>
          <Field form={requestForm} name="email" label={text.newEmail}>
            {(control) => <input {...control} type="email" required autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} />}
          </Field>
          <FormSubmit form={requestForm} label={text.sendCode} />
        </form>
      ) : (
        <form onSubmit={confirm} aria-label={text.emailCode}>
          <p role="status">{fill(text.emailCodeSent, { email: sent.email, time: time(sent.expiresAt) })}</p>
          <Field form={confirmForm} name="code" label={text.emailCode}>
            {(control) => <input {...control} required inputMode="numeric" autoComplete="one-time-code" value={code} onChange={(e) => setCode(e.target.value)} />}
          </Field>
          <FormSubmit form={confirmForm} label={text.confirm} />
        </form>
      )}
    </section>
  );
}

function PasswordForm() {
  const text = useText();
  const { changePassword } = useAccount();
  const [currentPassword, setCurrentPassword] = useState('');
  const [newPassword, setNewPassword] = useState('');
  const [changed, setChanged] = useState(false);
  const form = useServerForm(['currentPassword', 'newPassword'] as const);
  const submit = form.handle(async () => {
    setChanged(false);
    await changePassword(currentPassword, newPassword);
    setCurrentPassword('');
    setNewPassword('');
    setChanged(true);
  });
  return (
    <section aria-label={text.changePassword}>
      <h3>{text.changePassword}</h3>
      <form onSubmit={submit} aria-label={text.changePassword}>
        <Field form={form} name="currentPassword" label={text.currentPassword}>
          {(control) => <input {...control} type="password" required autoComplete="current-password" value={currentPassword} onChange={(e) => setCurrentPassword(e.target.value)} />}
        </Field>
        <Field form={form} name="newPassword" label={text.newPassword} hint={text.passwordRule}>
          {(control) => <input {...control} type="password" required minLength={8} autoComplete="new-password" value={newPassword} onChange={(e) => setNewPassword(e.target.value)} />}
        </Field>
        <FormSubmit form={form} label={text.changePassword} />
        {changed && <p role="status">{text.passwordChanged}</p>}
      </form>
    </section>
  );
}

/** The language and Enter-to-send are this device's (a phone and a desk can differ), kept in the browser. */
function Preferences() {
  const text = useText();
  const { language, setLanguage } = useSession();
  const team = useTeam();
  // Until this device chose, the team's default holds (the composer reads the same).
  const [chosen, setChosen] = useState<boolean | null>(null);
  const enterSends = chosen ?? enterSendsPreference.read(team?.settings.enterSends ?? true);
  return (
    <section aria-label={text.preferences}>
      <h3>{text.preferences}</h3>
      <LanguagePicker language={language} onLanguage={setLanguage} />
      <label>
        <input
          type="checkbox"
          checked={enterSends}
          onChange={(e) => {
            enterSendsPreference.write(e.target.checked);
            setChosen(e.target.checked);
          }}
        />{' '}
        {text.enterSends}
      </label>
    </section>
  );
}

function SignOutEverywhere() {
  const text = useText();
  const { signOutEverywhere } = useAccount();
  const form = useServerForm([] as const);
  return (
    <form onSubmit={form.handle(signOutEverywhere) as (event: FormEvent) => void} aria-label={text.logOutEverywhere}>
      <p className="hint">{text.logOutEverywhereHint}</p>
      <FormSubmit form={form} label={text.logOutEverywhere} className="danger" />
    </form>
  );
}
