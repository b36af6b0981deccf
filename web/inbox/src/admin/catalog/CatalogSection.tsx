import { useState } from 'react';
import { fill, useWords } from '../../i18n';
import { Field, FormRefusal, FormSubmit, useServerForm } from '../../shared/forms';
import { formatMinorUnits } from '../../shared/money';
import { searchProducts, useCatalog } from './useCatalog';
import type { CatalogSource, NewSource, Product } from './useCatalog';
import { catalogWords } from './words';

const FORMATS = ['merchant_xml', 'merchant_tsv', 'shopify_json'] as const;

/**
 * `/app/admin/catalog`: the team's catalog sources (add one, sync it now, upload its feed, each sync's report with the
 * rows it could not take) and a search to check what came in.
 */
export function CatalogSection() {
  const words = useWords(catalogWords);
  const { sources, create, syncNow, upload } = useCatalog();
  const [draft, setDraft] = useState({ name: '', format: 'merchant_xml' as NewSource['format'], url: '', currency: '', syncEveryHours: '24' });
  const form = useServerForm(['name', 'format', 'url', 'currency', 'syncEveryHours'] as const);
  const actions = useServerForm([] as const);
  const submit = form.handle(async () => {
    await create({
      name: draft.name,
      format: draft.format,
      url: draft.url.trim() || null,
      currency: draft.currency.trim() || null,
      syncEveryHours: Number(draft.syncEveryHours) || 24,
    });
    setDraft({ ...draft, name: '', url: '', currency: '' });
  });

  return (
    <section aria-label={words.catalog}>
      <h2>{words.catalog}</h2>
      <p className="hint">{words.catalogHint}</p>
      <FormRefusal form={actions} />
      {sources.length === 0 ? <p>{words.noSources}</p> : sources.map((source) => <SourceCard key={source.id} source={source} onSync={actions.handle(() => syncNow(source.id))} onUpload={(file) => actions.handle(() => upload(source.id, file))()} />)}

      <form onSubmit={submit} aria-label={words.addSource} noValidate>
        <h3>{words.addSource}</h3>
        <Field form={form} name="name" label={words.name}>
          {(control) => <input {...control} value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.target.value })} />}
        </Field>
        <Field form={form} name="format" label={words.format}>
          {(control) => (
            <select {...control} value={draft.format} onChange={(e) => setDraft({ ...draft, format: e.target.value as NewSource['format'] })}>
              {FORMATS.map((format) => (
                <option key={format} value={format}>
                  {words.formats[format]}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field form={form} name="url" label={words.url} hint={words.urlHint}>
          {(control) => <input {...control} type="url" value={draft.url} onChange={(e) => setDraft({ ...draft, url: e.target.value })} />}
        </Field>
        {draft.format === 'shopify_json' && (
          <Field form={form} name="currency" label={words.currency} hint={words.currencyHint}>
            {(control) => <input {...control} value={draft.currency} maxLength={3} onChange={(e) => setDraft({ ...draft, currency: e.target.value.toUpperCase() })} />}
          </Field>
        )}
        {draft.url.trim() && (
          <Field form={form} name="syncEveryHours" label={words.syncEveryHours}>
            {(control) => <input {...control} type="number" min={1} max={168} value={draft.syncEveryHours} onChange={(e) => setDraft({ ...draft, syncEveryHours: e.target.value })} />}
          </Field>
        )}
        <FormSubmit form={form} label={words.addSource} />
      </form>

      <ProductSearch />
    </section>
  );
}

function SourceCard({ source, onSync, onUpload }: { source: CatalogSource; onSync: () => void; onUpload: (file: File) => void }) {
  const words = useWords(catalogWords);
  const sync = source.lastSync;
  const state = !sync
    ? words.never
    : sync.status === 'running'
      ? words.running
      : sync.status === 'failed'
        ? fill(words.failed, { error: sync.error ?? '' })
        : fill(words.done, { added: sync.added, updated: sync.updated, unchanged: sync.unchanged, unavailable: sync.unavailable, refused: sync.refusedCount });
  return (
    <article className="card catalog-source" aria-label={source.name}>
      <h3>{source.name}</h3>
      <p>
        {words.formats[source.format]}
        {source.url ? <> · <code>{source.url}</code></> : null}
      </p>
      <p>
        {words.products}: <strong>{source.products.toLocaleString()}</strong> · {words.lastSync}: <span role="status">{state}</span>
      </p>
      {source.url && (
        <button type="button" onClick={onSync} disabled={sync?.status === 'running'}>
          {words.syncNow}
        </button>
      )}{' '}
      <label className="upload">
        {words.uploadFeed}{' '}
        <input
          type="file"
          accept=".xml,.tsv,.txt,.json,application/xml,text/xml,text/tab-separated-values,application/json"
          disabled={sync?.status === 'running'}
          onChange={(e) => {
            const file = e.target.files?.[0];
            if (file) onUpload(file);
            e.target.value = '';
          }}
        />
      </label>
      {sync && sync.refused.length > 0 && (
        <table aria-label={words.refusedRows}>
          <caption>{words.refusedRows}</caption>
          <thead>
            <tr>
              <th>{words.row}</th>
              <th>{words.id}</th>
              <th>{words.reason}</th>
            </tr>
          </thead>
          <tbody>
            {sync.refused.map((row) => (
              <tr key={row.row}>
                <td>{row.row}</td>
                <td>{row.id ?? '—'}</td>
                <td>{row.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </article>
  );
}

function ProductSearch() {
  const words = useWords(catalogWords);
  const [q, setQ] = useState('');
  const [found, setFound] = useState<Product[] | null>(null);
  const form = useServerForm(['q'] as const);
  const submit = form.handle(async () => setFound(await searchProducts(q)));
  const price = (product: Product) => (product.price === null || !product.currency ? '—' : formatMinorUnits(product.salePrice ?? product.price, product.currency));
  return (
    <form onSubmit={submit} aria-label={words.search} role="search" noValidate>
      <h3>{words.search}</h3>
      <Field form={form} name="q" label={words.search} hint={words.searchHint}>
        {(control) => <input {...control} type="search" value={q} onChange={(e) => setQ(e.target.value)} />}
      </Field>
      <FormSubmit form={form} label={words.search} />
      {found && found.length === 0 && <p>{words.noProducts}</p>}
      {found && found.length > 0 && (
        <table aria-label={words.search}>
          <thead>
            <tr>
              <th>{words.name}</th>
              <th>{words.price}</th>
              <th>{words.availability}</th>
            </tr>
          </thead>
          <tbody>
            {found.map((product) => (
              <tr key={product.id}>
                <td>{product.url ? <a href={product.url} target="_blank" rel="noreferrer">{product.name}</a> : product.name}</td>
                <td>{price(product)}</td>
                <td>{words.availabilities[product.availability] ?? product.availability}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </form>
  );
}
