import { useEffect, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { answer, ApiError, hub } from '../api';
import type { Views } from '../api';
import { fill, useText, useWords } from '../i18n';
import { ShopperPanel } from '../inbox/ShopperPanel';
import { useSession } from '../shared/session';
import { useSocket } from '../shared/socket';
import { useContact } from './useContact';
import { contactsWords } from './words';
import './contacts.css';
import { ContactTickets } from '../tickets/TicketLinks';

type Contact = Views['Contact'];

/** `/app/contacts` and `/app/contacts/:id`: an agent's own list (supervisors: the team's), and one contact's page. */
export default function ContactsArea() {
  const { id } = useParams();
  return id ? <ContactPage key={id} id={id} /> : <ContactList />;
}

function ContactList() {
  const words = useWords(contactsWords);
  const [q, setQ] = useState('');
  const [page, setPage] = useState<{ items: Contact[]; nextCursor: string | null } | null>(null);
  const [failure, setFailure] = useState<string | null>(null);

  // The hub normalises what was typed (width, hyphens, +81 or 0) and searches in the database; a pause in typing sends it.
  useEffect(() => {
    let current = true;
    const timer = setTimeout(() => {
      answer(hub.GET('/api/contacts', { params: { query: { q: q.trim() || undefined, limit: 50 } } })).then(
        (next) => {
          if (!current) return;
          setPage(next);
          setFailure(null);
        },
        (error: unknown) => current && setFailure(error instanceof ApiError ? error.message : String(error)),
      );
    }, 250);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [q]);

  const more = async () => {
    if (!page?.nextCursor) return;
    const next = await answer(hub.GET('/api/contacts', { params: { query: { q: q.trim() || undefined, limit: 50, cursor: page.nextCursor } } }));
    setPage({ items: [...page.items, ...next.items], nextCursor: next.nextCursor });
  };

  return (
    <main className="pane contacts">
      <h2>{words.title}</h2>
      <input type="search" className="contact-search" value={q} onChange={(e) => setQ(e.target.value)} placeholder={words.search} aria-label={words.search} aria-describedby="contact-search-hint" />
      <p id="contact-search-hint" className="hint">
        {words.searchHint}
      </p>
      {failure && (
        <p role="alert" className="error">
          {failure}
        </p>
      )}
      {page && page.items.length === 0 && <p className="empty">{words.noContacts}</p>}
      <ul className="contact-list">
        {page?.items.map((contact) => (
          <li key={contact.id}>
            <Link to={`/contacts/${contact.id}`}>
              <span className="name">{contact.name}</span> <span className="addresses">{contact.identities.map((i) => i.address).join(' · ')}</span>
            </Link>
          </li>
        ))}
      </ul>
      {page?.nextCursor && (
        <button type="button" onClick={() => void more()}>
          {words.more}
        </button>
      )}
    </main>
  );
}

function ContactPage({ id }: { id: string }) {
  const text = useText();
  const words = useWords(contactsWords);
  const { member, language } = useSession();
  const supervisor = member.role !== 'operator';
  const navigate = useNavigate();
  const socket = useSocket();
  const { data, lastMerge, ...act } = useContact(id, { supervisor });
  const [notice, setNotice] = useState<{ kind: 'status' | 'alert'; text: string } | null>(null);
  const [inviteOn, setInviteOn] = useState('');
  const [confirmErase, setConfirmErase] = useState(false);

  const run = async (work: () => Promise<unknown>, done?: string) => {
    setNotice(null);
    try {
      await work();
      if (done) setNotice({ kind: 'status', text: done });
    } catch (failure) {
      setNotice({ kind: 'alert', text: failure instanceof ApiError ? failure.message : String(failure) });
    }
  };

  if (!data) return <main className="pane contacts loading" aria-busy="true" />;
  const { contact, ledger, conversations, members, channels, proposals } = data;
  const when = (iso: string) => new Date(iso).toLocaleString(language === 'ja' ? 'ja-JP' : 'en-GB');
  const memberName = (memberId: string | null) => members.items.find((m) => m.id === memberId)?.name ?? words.nobody;
  const channelName = (channelId: string, type: string) => channels.items.find((c) => c.id === channelId)?.name ?? text.channel[type] ?? type;
  const invitable = channels.items.filter((c) => c.active && (c.type === 'sms' || c.type === 'whatsapp' || c.type === 'email'));
  // What they did on the shop's site is kept per web chat: their latest one's (the list is the latest first).
  const lastWebChat = conversations.find((c) => c.channel.type === 'webchat');

  return (
    <main className="pane contacts contact-page">
      <p>
        <Link to="/contacts">{words.back}</Link>
      </p>
      <h2>{contact.name}</h2>
      {contact.blocked && <p className="blocked-mark">{words.blocked}</p>}
      {notice && (
        <p role={notice.kind} className={notice.kind === 'alert' ? 'error' : 'saved'}>
          {notice.text}
        </p>
      )}
      {lastMerge && (
        <p role="status" className="merged">
          {fill(words.merged, { name: lastMerge.name })}{' '}
          <button type="button" onClick={() => void run(act.undoMerge, words.mergeUndone)}>
            {words.undoMerge}
          </button>
        </p>
      )}

      <section aria-labelledby="contact-addresses">
        <h3 id="contact-addresses">{words.addresses}</h3>
        <ul aria-labelledby="contact-addresses" className="identities">
          {contact.identities.map((i) => (
            <li key={`${i.kind}:${i.address}`}>
              <span className="kind">{words.identityKinds[i.kind] ?? i.kind}</span> {i.address}
            </li>
          ))}
        </ul>
        {contact.unverified && contact.unverified.length > 0 && (
          <p className="hint">
            {words.unverified}: {contact.unverified.map((i) => i.address).join(', ')}
          </p>
        )}
        <p>
          {words.owner}:{' '}
          {supervisor ? (
            <select aria-label={words.changeOwner} value={contact.ownerId ?? ''} onChange={(e) => void run(() => act.setOwner(e.target.value || null))}>
              <option value="">{words.nobody}</option>
              {members.items.map((m) => (
                <option key={m.id} value={m.id}>
                  {m.name}
                </option>
              ))}
            </select>
          ) : (
            memberName(contact.ownerId)
          )}
        </p>
        <button type="button" onClick={() => void run(() => act.setBlocked(!contact.blocked))}>
          {contact.blocked ? words.unblock : words.block}
        </button>
      </section>

      <section aria-labelledby="contact-consent">
        <h3 id="contact-consent">{words.consent}</h3>
        <table aria-labelledby="contact-consent">
          <thead>
            <tr>
              <th scope="col">{words.channelColumn}</th>
              <th scope="col">{words.stateColumn}</th>
            </tr>
          </thead>
          <tbody>
            {Object.entries(contact.consent).map(([channel, state]) => (
              <tr key={channel} className={`consent-${state}`}>
                <th scope="row">{text.channel[channel] ?? channel}</th>
                <td>{words.states[state] ?? state}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {invitable.length > 0 && (
          <form
            className="invite"
            aria-label={words.invite}
            onSubmit={(e) => {
              e.preventDefault();
              const channel = invitable.find((c) => c.id === inviteOn);
              if (channel) void run(() => act.invite(channel.id, channel.type as 'sms' | 'whatsapp' | 'email'), words.invited);
            }}
          >
            <label>
              {words.inviteChannel}
              <select value={inviteOn} onChange={(e) => setInviteOn(e.target.value)}>
                <option value="" />
                {invitable.map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.name} ({text.channel[c.type] ?? c.type})
                  </option>
                ))}
              </select>
            </label>
            <button type="submit" disabled={!inviteOn}>
              {words.invite}
            </button>
          </form>
        )}
      </section>

      <section aria-labelledby="contact-ledger">
        <h3 id="contact-ledger">{words.ledger}</h3>
        {ledger.length === 0 && <p className="empty">{words.noLedger}</p>}
        <table className="ledger" aria-labelledby="contact-ledger">
          <thead>
            <tr>
              <th scope="col">{words.when}</th>
              <th scope="col">{words.channelColumn}</th>
              <th scope="col">{words.what}</th>
              <th scope="col">{words.evidence}</th>
            </tr>
          </thead>
          <tbody>
            {ledger.map((entry, index) => (
              <tr key={index}>
                <td className="nowrap">{when(entry.occurredAt)}</td>
                <td>{channelName(entry.channelId, entry.channelType)}</td>
                <td className="nowrap">{words.kinds[entry.kind] ?? entry.kind}</td>
                <td className="evidence">{evidence(entry.detail)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section aria-labelledby="contact-conversations">
        <h3 id="contact-conversations">{words.conversations}</h3>
        {conversations.length === 0 && <p className="empty">{words.noConversations}</p>}
        <ul className="contact-conversations">
          {conversations.map((c) => (
            <li key={c.id}>
              <Link to={`/conversations/${c.id}`}>
                <span className={`channel channel-${c.channel.type}`}>{text.channel[c.channel.type] ?? c.channel.type}</span> {words.statuses[c.status] ?? c.status} · {when(c.lastMessageAt)}
              </Link>
            </li>
          ))}
        </ul>
        {lastWebChat && <ShopperPanel conversationId={lastWebChat.id} socket={socket} />}
      </section>

      <ContactTickets contactId={contact.id} />

      {supervisor && (
        <section aria-labelledby="contact-proposals">
          <h3 id="contact-proposals">{words.proposals}</h3>
          {proposals.length === 0 && <p className="empty">{words.noProposals}</p>}
          <ul>
            {proposals.map((p) => (
              <li key={p.proposalId}>
                {fill(words.sameAs, { name: p.other.name, reason: p.reason })}{' '}
                <button type="button" onClick={() => void run(() => act.mergeHere(p.other))}>
                  {fill(words.mergeHere, { name: p.other.name })}
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}

      {member.role === 'administrator' && (
        <section className="erase">
          {!confirmErase ? (
            <button type="button" className="danger" onClick={() => setConfirmErase(true)}>
              {words.erase}
            </button>
          ) : (
            <div role="alertdialog" aria-labelledby="erase-confirm">
              <p id="erase-confirm">{fill(words.eraseConfirm, { name: contact.name })}</p>
              <button
                type="button"
                className="danger"
                onClick={() =>
                  void run(async () => {
                    await act.erase();
                    await navigate('/contacts');
                  })
                }
              >
                {words.eraseNow}
              </button>
              <button type="button" onClick={() => setConfirmErase(false)}>
                {words.cancel}
              </button>
            </div>
          )}
        </section>
      )}
    </main>
  );
}

/** A ledger entry's evidence as the provider gave it: the keyword, the message's id, the source. */
function evidence(detail: unknown): string {
  if (!detail || typeof detail !== 'object') return '';
  return Object.entries(detail as Record<string, unknown>)
    .filter(([, value]) => value !== null && value !== undefined && value !== '')
    .map(([key, value]) => `${key}: ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`)
    .join(', ');
}
