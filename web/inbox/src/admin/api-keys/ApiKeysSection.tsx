import { useState } from 'react';
import { fill, useWords } from '../../i18n';
import { Field, FormRefusal, FormSubmit, useServerForm } from '../../shared/forms';
import { useApiKeys } from './useApiKeys';
import type { CreatedApiKey } from './useApiKeys';
import { apiKeysWords } from './words';

const day = (iso: string) => new Date(iso).toLocaleDateString();

/** `/app/admin/api-keys`: create a key (shown once, with a copy button), the list, revoke. */
export function ApiKeysSection() {
  const words = useWords(apiKeysWords);
  const { keys, create, revoke } = useApiKeys();
  const [name, setName] = useState('');
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const [copied, setCopied] = useState(false);
  const form = useServerForm(['name'] as const);
  const revokeForm = useServerForm([] as const);
  const submit = form.handle(async () => {
    setCreated(await create(name));
    setCopied(false);
    setName('');
  });
  const copy = async (key: string) => {
    await navigator.clipboard.writeText(key);
    setCopied(true);
  };

  return (
    <section aria-label={words.apiKeys}>
      <h2>{words.apiKeys}</h2>
      <p className="hint">{words.apiKeysHint}</p>
      <form onSubmit={submit} aria-label={words.create} noValidate>
        <Field form={form} name="name" label={words.keyName} hint={words.keyNameHint}>
          {(control) => <input {...control} value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
        <FormSubmit form={form} label={words.create} />
      </form>
      {created && (
        <div className="created-key" role="region" aria-label={created.name}>
          <p>{words.createdOnce}</p>
          <code aria-label={words.apiKeys}>{created.key}</code>{' '}
          <button type="button" onClick={() => void copy(created.key)}>
            {words.copy}
          </button>
          {copied && <span role="status"> {words.copied}</span>}
        </div>
      )}
      <FormRefusal form={revokeForm} />
      {keys.length === 0 ? (
        <p>{words.noKeys}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>{words.keyName}</th>
              <th>{words.prefix}</th>
              <th>{words.createdAt}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {keys.map((key) => (
              <tr key={key.id}>
                <td>{key.name}</td>
                <td>
                  <code>{key.prefix}…</code>
                </td>
                <td>{day(key.createdAt)}</td>
                <td>
                  {key.revokedAt ? (
                    fill(words.revoked, { date: day(key.revokedAt) })
                  ) : (
                    <button type="button" className="danger" aria-label={`${words.revoke}: ${key.name}`} onClick={revokeForm.handle(() => revoke(key.id))}>
                      {words.revoke}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
