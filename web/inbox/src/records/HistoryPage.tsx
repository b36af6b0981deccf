import { useEffect, useRef, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { fill, useText, useWords } from '../i18n';
import { Field, FormSubmit, useServerForm } from '../shared/forms';
import { useSession } from '../shared/session';
import { useTeam } from '../shared/useTeam';
import { commonTerms, FilterFields, readFilters, writeFilters } from './FilterFields';
import type { CommonFilters } from './FilterFields';
import { daysBack, periodOf } from './period';
import { useConversationHistory } from './useConversationHistory';
import type { HistoryItem, HistoryTerms } from './useConversationHistory';
import { recordsWords } from './words';
import './records.css';

const FIELDS = ['from', 'to', 'channelType', 'memberId', 'categoryId', 'outcome', 'handled', 'rating', 'store'] as const;
type HistoryDraft = CommonFilters & { outcome: string; handled: string; rating: string; store: string };
const OUTCOMES = ['booked', 'not_booked', 'other'];

/** The last 30 days unless the address says otherwise: the conversation CSV always has a period to export. */
const DEFAULT_DAYS = 29;

/** The filters the address holds, the last 30 days when it names no period. */
function draftFrom(address: URLSearchParams, timeZone: string): HistoryDraft {
  const read = readFilters(address, FIELDS);
  return read.from || read.to ? read : { ...read, ...daysBack(DEFAULT_DAYS, timeZone) };
}

function termsOf(draft: HistoryDraft, timeZone: string): HistoryTerms {
  return {
    ...periodOf(draft, timeZone),
    ...commonTerms(draft),
    ...(draft.outcome ? { outcome: draft.outcome } : {}),
    ...(draft.handled === 'true' || draft.handled === 'false' ? { handled: draft.handled } : {}),
    // As typed: the hub's range check, not the page, says what is wrong with a rating.
    ...(draft.rating ? { rating: Number(draft.rating) } : {}),
    ...(draft.store ? { store: draft.store } : {}),
  };
}

/** `/app/history`, supervisors and administrators: past conversations, filtered and paged by the hub, with the CSVs. */
export default function HistoryPage() {
  const team = useTeam();
  if (!team) return <main className="pane records" aria-busy="true" />;
  // The stores the team's URL table names: what agents pick from and detection tells.
  const table = team.settings.stores;
  const stores = [...new Set([...(table?.patterns.flatMap((entry) => (entry.store ? [entry.store] : [])) ?? []), ...(table?.defaultStore ? [table.defaultStore] : [])])];
  return <History timeZone={team.timeZone} stores={stores} />;
}

function History({ timeZone, stores }: { timeZone: string; stores: string[] }) {
  const words = useWords(recordsWords);
  const [params, setParams] = useSearchParams();
  const [draft, setDraft] = useState<HistoryDraft>(() => draftFrom(params, timeZone));
  const form = useServerForm(FIELDS);
  const { listed, list, more, download, downloadLog } = useConversationHistory();
  const [failure, setFailure] = useState<string | null>(null);
  const shown = useRef<string | null>(null);
  const address = params.toString();

  // The address holds the filters: opened (or opened again), the list is read for them.
  useEffect(() => {
    if (address === shown.current) return;
    shown.current = address;
    const asked = draftFrom(new URLSearchParams(address), timeZone);
    setDraft(asked);
    void list(termsOf(asked, timeZone)).catch((error: unknown) => setFailure(error instanceof Error ? error.message : String(error)));
  }, [address, list, timeZone]);

  const submit = form.handle(async () => {
    setFailure(null);
    await list(termsOf(draft, timeZone));
    const next = new URLSearchParams(writeFilters(draft)).toString();
    shown.current = next;
    setParams(next);
  });

  const save = (work: () => Promise<void>) => async () => {
    setFailure(null);
    await work().catch((error: unknown) => setFailure(error instanceof Error ? error.message : String(error)));
  };
  const choose = (name: 'outcome' | 'handled' | 'rating' | 'store') => (event: { target: { value: string } }) => setDraft({ ...draft, [name]: event.target.value });

  return (
    <main className="pane records" aria-labelledby="history-title">
      <h2 id="history-title">{words.historyTitle}</h2>
      <form className="record-filters" onSubmit={submit} aria-label={words.filters}>
        <FilterFields form={form} values={draft} timeZone={timeZone} onChange={(values) => setDraft({ ...draft, ...values })} />
        <Field form={form} name="outcome" label={words.outcome}>
          {(control) => (
            <select {...control} value={draft.outcome} onChange={choose('outcome')}>
              <option value="">{words.any}</option>
              {OUTCOMES.map((outcome) => (
                <option key={outcome} value={outcome}>
                  {words.outcomes[outcome]}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field form={form} name="handled" label={words.handled}>
          {(control) => (
            <select {...control} value={draft.handled} onChange={choose('handled')}>
              <option value="">{words.any}</option>
              <option value="true">{words.handledYes}</option>
              <option value="false">{words.handledNo}</option>
            </select>
          )}
        </Field>
        <Field form={form} name="rating" label={words.rating}>
          {(control) => (
            <select {...control} value={draft.rating} onChange={choose('rating')}>
              <option value="">{words.any}</option>
              {[5, 4, 3, 2, 1].map((score) => (
                <option key={score} value={String(score)}>
                  {fill(words.stars, { n: score })}
                </option>
              ))}
            </select>
          )}
        </Field>
        {stores.length > 0 && (
          <Field form={form} name="store" label={words.store} hint={words.storeHint}>
            {(control) => (
              <select {...control} value={draft.store} onChange={choose('store')}>
                <option value="">{words.any}</option>
                {stores.map((store) => (
                  <option key={store} value={store}>
                    {store}
                  </option>
                ))}
              </select>
            )}
          </Field>
        )}
        <FormSubmit form={form} label={words.show} />
      </form>
      {failure && (
        <p role="alert" className="error">
          {failure}
        </p>
      )}
      {listed && (
        <section className="record-results" aria-label={words.conversations}>
          <div className="record-summary">
            <button type="button" onClick={() => void save(download)()} disabled={listed.items.length === 0}>
              {words.downloadCsv}
            </button>
          </div>
          {listed.items.length === 0 ? (
            <p className="empty">{words.noConversations}</p>
          ) : (
            <div className="table-scroll">
              <table>
                <caption>{words.conversations}</caption>
                <thead>
                  <tr>
                    <th scope="col">{words.startedAt}</th>
                    <th scope="col">{words.channel}</th>
                    <th scope="col">{words.contact}</th>
                    <th scope="col">{words.category}</th>
                    <th scope="col">{words.member}</th>
                    <th scope="col">{words.firstResponse}</th>
                    <th scope="col">{words.outcome}</th>
                    <th scope="col">{words.handled}</th>
                    <th scope="col">{words.rating}</th>
                    <th scope="col">{words.actions}</th>
                  </tr>
                </thead>
                <tbody>
                  {listed.items.map((item) => (
                    <Row key={item.id} item={item} timeZone={timeZone} onLog={save(() => downloadLog(item.id))} />
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {listed.nextCursor && (
            <button type="button" onClick={() => void more()}>
              {words.more}
            </button>
          )}
        </section>
      )}
    </main>
  );
}

function Row({ item, timeZone, onLog }: { item: HistoryItem; timeZone: string; onLog: () => Promise<void> }) {
  const words = useWords(recordsWords);
  const text = useText();
  const { language } = useSession();
  const when = new Intl.DateTimeFormat(language === 'ja' ? 'ja-JP' : 'en-GB', { timeZone, dateStyle: 'medium', timeStyle: 'short' }).format(new Date(item.createdAt));
  return (
    <tr data-conversation={item.id}>
      <td>
        <time dateTime={item.createdAt}>{when}</time>
      </td>
      <td>
        <span className={`channel channel-${item.channelType}`}>{text.channel[item.channelType] ?? item.channelType}</span> {item.channelName}
      </td>
      <td>{item.contactName}</td>
      <td>{item.category ?? ''}</td>
      <td>{item.assignee ? item.assignee.name : words.unassigned}</td>
      <td>{item.firstResponseSeconds === null ? '' : fill(words.seconds, { n: item.firstResponseSeconds })}</td>
      <td>{item.outcome ? (words.outcomes[item.outcome] ?? item.outcome) : ''}</td>
      <td>{item.handled === null ? '' : item.handled ? words.handledYes : words.handledNo}</td>
      <td>{item.rating === null ? '' : fill(words.stars, { n: item.rating })}</td>
      <td>
        <div className="record-actions">
          <Link to={`/conversations/${item.id}`} aria-label={`${words.open} ${item.contactName}`}>
            {words.open}
          </Link>
          <button type="button" onClick={() => void onLog()} aria-label={`${words.downloadLog} ${item.contactName}`}>
            {words.downloadLog}
          </button>
        </div>
      </td>
    </tr>
  );
}
