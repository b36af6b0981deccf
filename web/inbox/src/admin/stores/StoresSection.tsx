import { useState } from 'react';
import { fill, useText, useWords } from '../../i18n';
import { Field, FormSubmit, useServerForm } from '../../shared/forms';
// The hub's own rule (first matching pattern, query and fragment cut, `*` for any run), so the tester cannot drift.
import { storeOfPage } from '../../../../../src/reports/store-detection';
import { useTeamSettings } from '../routing/useTeamSettings';
import type { SettingsFormProps, TeamSettings } from '../routing/useTeamSettings';
import { storesWords } from './words';

/** `/app/admin/stores`: the URL patterns that tell a web chat's store, with a tester. */
export function StoresSection() {
  const { settings, save } = useTeamSettings();
  if (!settings) return null;
  return <StoresForm settings={settings} save={save} />;
}

type StoreTable = NonNullable<TeamSettings['stores']>;
interface Row {
  key: number;
  pattern: string;
  store: string;
}

let rowKeys = 0;
const rowsOf = (table: StoreTable | undefined): Row[] => (table?.patterns ?? []).map((entry) => ({ key: rowKeys++, pattern: entry.pattern, store: entry.store ?? '' }));

/** The table as the hub will hold it: a blank store is left out (the default store's page). */
function tableOf(rows: Row[], defaultStore: string): StoreTable {
  return {
    patterns: rows.map((row) => ({ pattern: row.pattern, ...(row.store.trim() ? { store: row.store } : {}) })),
    ...(defaultStore.trim() ? { defaultStore } : {}),
  };
}

function StoresForm({ settings, save }: SettingsFormProps) {
  const words = useWords(storesWords);
  const text = useText();
  const [rows, setRows] = useState(() => rowsOf(settings.stores));
  const [defaultStore, setDefaultStore] = useState(settings.stores?.defaultStore ?? '');
  const [url, setUrl] = useState('');
  const [saved, setSaved] = useState(false);
  // Each row's fields are named as the hub names them (`settings.stores.patterns.2.store`).
  const fieldNames = rows.flatMap((_, index) => [`settings.stores.patterns.${index}.pattern`, `settings.stores.patterns.${index}.store`]);
  const form = useServerForm([...fieldNames, 'settings.stores.defaultStore', 'settings.stores.patterns']);
  const table = tableOf(rows, defaultStore);
  const edit = (index: number, patch: Partial<Row>) => {
    setRows(rows.map((row, i) => (i === index ? { ...row, ...patch } : row)));
    setSaved(false);
  };
  const submit = form.handle(async () => {
    await save({ stores: table });
    setSaved(true);
  });

  let verdict = '';
  if (url.trim()) {
    const valid = isUrl(url.trim());
    const store = valid ? storeOfPage(table, url.trim()) : null;
    verdict = !valid ? words.notUrl : store ? fill(words.matches, { store }) : words.noMatch;
  }

  return (
    <>
      <section aria-label={words.stores}>
        <h2>{words.stores}</h2>
        <p className="hint">{words.storesHint}</p>
        <form onSubmit={submit} aria-label={words.stores} noValidate>
          {rows.map((row, index) => (
            <div key={row.key} className="inline-fields store-row">
              <Field form={form} name={`settings.stores.patterns.${index}.pattern`} label={`${words.pattern} ${index + 1}`}>
                {(control) => <input {...control} value={row.pattern} placeholder="https://shop.example.jp/shibuya/*" onChange={(e) => edit(index, { pattern: e.target.value })} />}
              </Field>
              <Field form={form} name={`settings.stores.patterns.${index}.store`} label={`${words.store} ${index + 1}`}>
                {(control) => <input {...control} value={row.store} placeholder={words.storeBlank} onChange={(e) => edit(index, { store: e.target.value })} />}
              </Field>
              <button type="button" className="secondary" aria-label={`${words.removePattern} ${index + 1}`} onClick={() => (setRows(rows.filter((_, i) => i !== index)), setSaved(false))}>
                ×
              </button>
            </div>
          ))}
          <button type="button" className="secondary" onClick={() => (setRows([...rows, { key: rowKeys++, pattern: '', store: '' }]), setSaved(false))}>
            {words.addPattern}
          </button>
          <Field form={form} name="settings.stores.defaultStore" label={words.defaultStore} hint={words.defaultStoreHint}>
            {(control) => <input {...control} value={defaultStore} onChange={(e) => (setDefaultStore(e.target.value), setSaved(false))} />}
          </Field>
          <FormSubmit form={form} label={text.save} />
          {saved && <p role="status">{text.saved}</p>}
        </form>
      </section>
      <section aria-label={words.tester}>
        <h2>{words.tester}</h2>
        <p className="hint">{words.testerHint}</p>
        <label>
          {words.testUrl}
          <input type="url" value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://" />
        </label>
        {verdict && (
          <p role="status" aria-live="polite" className="verdict">
            {verdict}
          </p>
        )}
      </section>
    </>
  );
}

function isUrl(text: string): boolean {
  try {
    new URL(text);
    return true;
  } catch {
    return false;
  }
}
