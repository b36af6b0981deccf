import { useContext, useEffect, useState } from 'react';
import { answer, ApiError, hub } from '../api';
import type { Conversation, Views } from '../api';
import { CurrentLanguage, useText } from '../i18n';
import { describeError } from '../shared/error-catalog';
import { IntakePanel } from './IntakePanel';
import { CatalogPanel } from './catalog/CatalogPanel';
import { ConversationTickets } from '../tickets/TicketLinks';

type Contact = Views['Contact'];
type Category = Views['Category'];
type Report = Views['Report'];
type TeamMember = Views['Member'];

/** The conversation's side: who the customer is, how to file it, and what can be done with it. */
/** `onSendProducts`: catalog products go into the conversation as product cards (absent once it is resolved). */
export function SidePanel({ conversation, memberId, reportsChanged, onSendProducts }: { conversation: Conversation; memberId: string; reportsChanged: number; onSendProducts?: (productIds: string[]) => void }) {
  const text = useText();
  const language = useContext(CurrentLanguage);
  const [pages, setPages] = useState<Views['VisitorPages']['items']>([]);
  const [contact, setContact] = useState<Contact | null>(null);
  const [categories, setCategories] = useState<Category[]>([]);
  const [members, setMembers] = useState<TeamMember[]>([]);
  const [transferTo, setTransferTo] = useState('');
  const [transcriptTo, setTranscriptTo] = useState('');
  const [favourite, setFavourite] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [store, setStore] = useState<Views['DetectedStore'] | null>(null);
  const [storeInput, setStoreInput] = useState('');
  const [reports, setReports] = useState<Report[]>([]);
  const [handoffNote, setHandoffNote] = useState('');

  useEffect(() => {
    void answer(hub.GET('/api/conversations/{id}/store', { params: { path: { id: conversation.id } } })).then(setStore, () => setStore(null));
  }, [conversation.id]);

  // The visitor's pages (the widget's access log): read again when the thread moves, as they browse on.
  useEffect(() => {
    if (conversation.channel.type !== 'webchat') return setPages([]);
    void answer(hub.GET('/api/conversations/{id}/pages', { params: { path: { id: conversation.id } } })).then((page) => setPages(page.items), () => setPages([]));
  }, [conversation.id, conversation.channel.type, conversation.lastMessageAt]);

  useEffect(() => {
    void answer(hub.GET('/api/reports', { params: { query: { conversationId: conversation.id } } })).then((page) => setReports(page.items), () => setReports([]));
  }, [conversation.id, reportsChanged]);

  useEffect(() => {
    void answer(hub.GET('/api/contacts/{id}', { params: { path: { id: conversation.contact.id } } })).then(setContact, () => setContact(null));
    void answer(hub.GET('/api/categories')).then((page) => setCategories(page.items));
    void answer(hub.GET('/api/members')).then((page) => setMembers(page.items.filter((m) => m.id !== memberId)));
  }, [conversation.contact.id, memberId]);

  const act = async (work: () => Promise<unknown>, done: string) => {
    setNotice(null);
    try {
      await work();
      setNotice(done);
    } catch (failure) {
      setNotice(failure instanceof ApiError ? failure.message : String(failure));
    }
  };

  return (
    <aside className="side" aria-label={text.customer}>
      <section>
        <h3>{text.customer}</h3>
        <p className="contact-name">{contact?.name ?? conversation.contact.name}</p>
        {contact && (
          <>
            <ul className="identities" aria-label={text.identities}>
              {contact.identities.map((identity) => (
                <li key={`${identity.kind}:${identity.address}`}>
                  <span className="kind">{identity.kind}</span> {identity.address}
                </li>
              ))}
              {(contact.unverified ?? []).map((claim) => (
                <li key={`unverified:${claim.kind}:${claim.address}`} className="unverified">
                  <span className="kind">{claim.kind}</span> {claim.address} <span className="kind">({text.unverified})</span>
                </li>
              ))}
            </ul>
            <dl className="consent">
              {Object.entries(contact.consent).map(([channel, state]) => (
                <div key={channel}>
                  <dt>{text.channel[channel] ?? channel}</dt>
                  <dd>{text.consentState[state] ?? state}</dd>
                </div>
              ))}
            </dl>
          </>
        )}
      </section>

      <IntakePanel conversationId={conversation.id} />

      <ConversationTickets conversationId={conversation.id} />

      <CatalogPanel conversationId={conversation.id} onSend={onSendProducts} />

      <section>
        <label>
          {text.category}
          <select
            defaultValue=""
            onChange={(e) => void act(() => answer(hub.PUT('/api/conversations/{id}/category', { ...{ params: { path: { id: conversation.id } } }, body: { categoryId: e.target.value || null } })), text.saved)}
          >
            <option value="">—</option>
            {categories.map((category) => (
              <option key={category.id} value={category.id}>
                {category.path.join(' > ')}
              </option>
            ))}
          </select>
        </label>
      </section>

      {conversation.channel.type === 'webchat' && (
        <section aria-label={text.visitorPages}>
          <h3>{text.visitorPages}</h3>
          {pages.length === 0 && <p className="kind">{text.noVisitorPages}</p>}
          <ol className="visitor-pages">
            {pages.map((page) => (
              <li key={`${page.seenAt}:${page.url}`}>
                {/* The visitor's page as they reported it: a link out of the inbox, never opened with our origin's rights. */}
                <a href={/^https?:\/\//.test(page.url) ? page.url : undefined} target="_blank" rel="noopener noreferrer">
                  {page.title || page.url}
                </a>{' '}
                <time dateTime={page.seenAt} className="kind">
                  {new Date(page.seenAt).toLocaleTimeString(language === 'ja' ? 'ja-JP' : 'en-GB', { hour: '2-digit', minute: '2-digit' })}
                </time>
              </li>
            ))}
          </ol>
        </section>
      )}

      <section>
        <h3>{text.store}</h3>
        <p className="store">
          {store?.store ?? text.storeUnknown} {store && <span className="kind">({text.storeSource[store.source] ?? store.source})</span>}
        </p>
        <label>
          {text.setStore}
          <input value={storeInput} onChange={(e) => setStoreInput(e.target.value)} />
        </label>
        <button
          type="button"
          disabled={!storeInput.trim()}
          onClick={() =>
            void act(async () => {
              setStore(await answer(hub.PUT('/api/conversations/{id}/store', { ...{ params: { path: { id: conversation.id } } }, body: { store: storeInput.trim() } })));
              setStoreInput('');
            }, text.saved)
          }
        >
          {text.save}
        </button>
      </section>

      <section aria-label={text.reports}>
        <h3>{text.reports}</h3>
        {reports.length === 0 && <p className="kind">—</p>}
        <ul className="reports">
          {reports.map((report) => (
            <li key={report.id} className={`report report-${report.status}`}>
              <span className="kind">{text.reportKind[report.kind] ?? report.kind}</span> {text.reportStatus[report.status]}
              {report.error && <span className="failure">{describeError(language, report.errorCode ?? 'provider_refused')}</span>}
              {report.status === 'failed' && (
                <button type="button" onClick={() => void act(() => answer(hub.POST('/api/reports/{id}/retry', { params: { path: { id: report.id } } })), text.retrying)}>
                  {text.retry}
                </button>
              )}
            </li>
          ))}
        </ul>
        <label>
          {text.handoffNote}
          <input value={handoffNote} onChange={(e) => setHandoffNote(e.target.value)} />
        </label>
        <button type="button" onClick={() => void act(() => answer(hub.POST('/api/conversations/{id}/handoff', { ...{ params: { path: { id: conversation.id } } }, body: handoffNote.trim() ? { note: handoffNote.trim() } : {} })), text.handoffSent)}>
          {text.handoff}
        </button>
      </section>

      <section className="actions">
        <button
          type="button"
          aria-pressed={favourite}
          onClick={() =>
            void act(async () => {
              await answer(hub.POST(favourite ? '/api/conversations/{id}/unfavorite' : '/api/conversations/{id}/favorite', { params: { path: { id: conversation.id } } }));
              setFavourite(!favourite);
            }, text.saved)
          }
        >
          {favourite ? `★ ${text.favourite}` : `☆ ${text.favourite}`}
        </button>
        <label>
          {text.transferTo}
          <select value={transferTo} onChange={(e) => setTransferTo(e.target.value)}>
            <option value="">—</option>
            {members.map((member) => (
              <option key={member.id} value={member.id}>
                {member.name}
              </option>
            ))}
          </select>
        </label>
        <button type="button" disabled={!transferTo} onClick={() => void act(() => answer(hub.POST('/api/conversations/{id}/transfer', { ...{ params: { path: { id: conversation.id } } }, body: { memberId: transferTo } })), text.transferSent)}>
          {text.transfer}
        </button>
        <label>
          {text.transcriptTo}
          <input type="email" value={transcriptTo} onChange={(e) => setTranscriptTo(e.target.value)} />
        </label>
        <button type="button" disabled={!transcriptTo} onClick={() => void act(() => answer(hub.POST('/api/conversations/{id}/transcript', { ...{ params: { path: { id: conversation.id } } }, body: { email: transcriptTo } })), text.transcriptSent)}>
          {text.sendTranscript}
        </button>
        <button type="button" className="danger" onClick={() => void act(() => answer(hub.POST('/api/contacts/{id}/block', { params: { path: { id: conversation.contact.id } } })), text.blocked)}>
          {text.block}
        </button>
        <button type="button" onClick={() => void act(() => answer(hub.POST('/api/conversations/{id}/rating-request', { params: { path: { id: conversation.id } } })), text.ratingAsked)}>
          {text.askRating}
        </button>
      </section>
      {notice && (
        <p role="status" className="notice">
          {notice}
        </p>
      )}
    </aside>
  );
}
