import { useEffect, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import { Link, useSearchParams } from 'react-router';
import { fill, useText, useWords } from '../i18n';
import { Field, FormSubmit, useServerForm } from '../shared/forms';
import { useSession } from '../shared/session';
import { useTeam } from '../shared/useTeam';
import { commonTerms, FilterFields, readFilters, writeFilters } from './FilterFields';
import type { CommonFilters } from './FilterFields';
import { periodOf } from './period';
import { useMessageSearch } from './useMessageSearch';
import type { MessageHit, SearchTerms } from './useMessageSearch';
import { recordsWords } from './words';
import './records.css';

const FIELDS = ['q', 'from', 'to', 'channelType', 'memberId', 'categoryId'] as const;
type SearchDraft = CommonFilters & { q: string };

function termsOf(draft: SearchDraft, timeZone: string): SearchTerms {
  return { q: draft.q, ...periodOf(draft, timeZone), ...commonTerms(draft) };
}

/** `/app/search`, supervisors and administrators: messages by words and filters, with the exact count, and the CSV. */
export default function SearchPage() {
  const timeZone = useTeam()?.timeZone;
  // The period's days are the team's: wait for its time zone before reading or asking anything.
  return timeZone ? <Search timeZone={timeZone} /> : <main className="pane records" aria-busy="true" />;
}

function Search({ timeZone }: { timeZone: string }) {
  const words = useWords(recordsWords);
  const [params, setParams] = useSearchParams();
  const [draft, setDraft] = useState<SearchDraft>(() => readFilters(params, FIELDS));
  const form = useServerForm(FIELDS);
  const { found, search, more, download } = useMessageSearch();
  const [downloadFailure, setDownloadFailure] = useState<string | null>(null);
  // The address holds the last search: opened again (a reload, back from a conversation), it is searched again.
  const searched = useRef<string | null>(null);
  const address = params.toString();

  useEffect(() => {
    if (address === searched.current) return;
    searched.current = address;
    const asked = readFilters(new URLSearchParams(address), FIELDS);
    setDraft(asked);
    if (asked.q) void search(termsOf(asked, timeZone)).catch(() => undefined);
  }, [address, search, timeZone]);

  const submit = form.handle(async () => {
    await search(termsOf(draft, timeZone));
    const next = new URLSearchParams(writeFilters(draft)).toString();
    searched.current = next;
    setParams(next);
  });

  const save = async () => {
    setDownloadFailure(null);
    await download().catch((failure: unknown) => setDownloadFailure(failure instanceof Error ? failure.message : String(failure)));
  };

  return (
    <main className="pane records" aria-labelledby="search-title">
      <h2 id="search-title">{words.searchTitle}</h2>
      <form className="record-filters" onSubmit={submit} aria-label={words.filters} role="search">
        <Field form={form} name="q" label={words.words} hint={words.wordsHint}>
          {(control) => <input {...control} type="search" value={draft.q} onChange={(e) => setDraft({ ...draft, q: e.target.value })} />}
        </Field>
        <FilterFields form={form} values={draft} timeZone={timeZone} onChange={(values) => setDraft({ ...draft, ...values })} />
        <FormSubmit form={form} label={words.search} />
      </form>
      {found && (
        <section className="record-results" aria-label={words.results}>
          <div className="record-summary">
            <p role="status">{found.total === 0 ? words.noHits : fill(words.hits, { n: found.total ?? found.hits.length })}</p>
            <button type="button" onClick={() => void save()} disabled={found.total === 0}>
              {words.downloadCsv}
            </button>
          </div>
          {downloadFailure && (
            <p role="alert" className="error">
              {downloadFailure}
            </p>
          )}
          <ol className="hits">
            {found.hits.map((hit) => (
              <Hit key={hit.id} hit={hit} words={found.terms.q ?? ''} timeZone={timeZone} />
            ))}
          </ol>
          {found.nextCursor && (
            <button type="button" onClick={() => void more()}>
              {words.more}
            </button>
          )}
        </section>
      )}
    </main>
  );
}

function Hit({ hit, words: looked, timeZone }: { hit: MessageHit; words: string; timeZone: string }) {
  const words = useWords(recordsWords);
  const text = useText();
  const { language } = useSession();
  const when = new Intl.DateTimeFormat(language === 'ja' ? 'ja-JP' : 'en-GB', { timeZone, dateStyle: 'medium', timeStyle: 'short' }).format(new Date(hit.createdAt));
  const author = hit.kind === 'note' ? words.note : hit.author.type === 'contact' ? words.customer : hit.author.type === 'member' ? (hit.author.name ?? '') : words.system;
  return (
    <li className={`hit ${hit.kind === 'note' ? 'note' : hit.direction}`} data-message={hit.id}>
      <p className="hit-meta">
        <span className={`channel channel-${hit.channelType}`}>{text.channel[hit.channelType] ?? hit.channelType}</span>
        <span className="contact">{hit.contactName}</span>
        <span className="author">{author}</span>
        <time dateTime={hit.createdAt}>{when}</time>
      </p>
      {/* Text, never HTML: the match is marked by splitting the text, not by writing markup into it. */}
      <p className="body">
        <Marked body={hit.body} looked={looked} />
      </p>
      <Link to={`/conversations/${hit.conversationId}?message=${hit.id}`}>{words.openAtMessage}</Link>
    </li>
  );
}

/** The text with each place it holds the words marked, ignoring case as the hub's search does. */
function Marked({ body, looked }: { body: string; looked: string }) {
  const needle = looked.trim().toLowerCase();
  const lower = body.toLowerCase();
  // A few letters change length when lowered (İ): their places would not line up, so nothing is marked then.
  if (!needle || lower.length !== body.length) return <>{body}</>;
  const parts: ReactNode[] = [];
  let at = 0;
  for (let found = lower.indexOf(needle); found >= 0; found = lower.indexOf(needle, at)) {
    parts.push(body.slice(at, found), <mark key={found}>{body.slice(found, found + needle.length)}</mark>);
    at = found + needle.length;
  }
  parts.push(body.slice(at));
  return <>{parts}</>;
}
