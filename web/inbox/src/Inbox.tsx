import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { answer, ApiError, connectInbox, hub, session } from './api';
import type { Conversation, InboxSocket, Member, Message, Offer, Presence, SalesFigure, Team } from './api';
import { LanguagePicker } from './App';
import { Admin } from './Admin';
import { ConversationPane } from './ConversationPane';
import { Supervision } from './Supervision';
import { fill, useText } from './i18n';
import type { Language } from './i18n';
import { chime } from './sound';

type View = 'all' | 'mine' | 'waiting';

function money(amounts: Record<string, number>, language: string): string {
  return Object.entries(amounts)
    .map(([currency, minor]) => {
      const format = new Intl.NumberFormat(language === 'ja' ? 'ja-JP' : 'en-GB', { style: 'currency', currency });
      const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
      return format.format(minor / 10 ** digits);
    })
    .join(' / ');
}
type ReplyFilter = 'any' | 'unreplied' | 'replied';

/** Ticks every second: the list's "time since the last message" and the offers' countdowns follow it. */
export function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

export function elapsed(since: string | null, now: number): string {
  if (!since) return '';
  const seconds = Math.max(0, Math.floor((now - new Date(since).getTime()) / 1000));
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${two(m)}:${two(s)}` : `${m}:${two(s)}`;
}

export function Inbox({ member, language, onLanguage, onLogOut }: { member: Member; language: Language; onLanguage: (l: Language) => void; onLogOut: () => void }) {
  const text = useText();
  const now = useNow();
  const [team, setTeam] = useState<Team | null>(null);
  const [view, setView] = useState<View>('all');
  const [replyFilter, setReplyFilter] = useState<ReplyFilter>('any');
  const [favourites, setFavourites] = useState(false);
  const [conversations, setConversations] = useState<Conversation[]>([]);
  const [selected, setSelected] = useState<string | null>(null);
  const [messages, setMessages] = useState<Record<string, Message[]>>({});
  const [drafts, setDrafts] = useState<Record<string, string>>({});
  const [offers, setOffers] = useState<Offer[]>([]);
  // Read with the team's members (the login's answer does not carry it), then kept by the socket.
  const [presence, setPresence] = useState<Presence | ''>('');
  const [presenceError, setPresenceError] = useState<string | null>(null);
  const [muted, setMuted] = useState(() => localStorage.getItem('tsunagi:muted') === 'true');
  const [badge, setBadge] = useState(0);
  const [section, setSection] = useState<'inbox' | 'supervise' | 'admin'>('inbox');
  const [supervisionKey, setSupervisionKey] = useState(0);
  const [reportsChanged, setReportsChanged] = useState(0);
  const [figure, setFigure] = useState<SalesFigure | null>(null);
  const [saleNotice, setSaleNotice] = useState<string | null>(null);
  const supervisor = member.role === 'supervisor' || member.role === 'administrator';
  const socket = useRef<InboxSocket | null>(null);
  const mutedRef = useRef(muted);
  mutedRef.current = muted;

  const load = useCallback(async () => {
    const query = { view, limit: 100, ...(replyFilter !== 'any' ? { unreplied: replyFilter === 'unreplied' ? 'true' : 'false' } as const : {}), ...(favourites ? { favorite: 'true' } as const : {}) };
    const page = await answer(hub.GET('/api/conversations', { params: { query } }));
    setConversations(page.items.filter((c) => c.status !== 'resolved' || view === 'all'));
  }, [view, replyFilter, favourites]);

  useEffect(() => {
    void load();
  }, [load]);

  useEffect(() => {
    void answer(hub.GET('/api/teams/current')).then(setTeam);
    void answer(hub.GET('/api/members')).then((page) => setPresence((known) => known || (page.items.find((m) => m.id === member.id)?.status ?? '')));
    void answer(hub.GET('/api/sales/figures', { params: { query: { memberId: member.id } } })).then((page) => setFigure(page.items[0] ?? null), () => setFigure(null));
  }, [member.id]);

  useEffect(() => {
    const io = connectInbox(session.token!);
    socket.current = io;
    const upsertMessage = (message: Message) =>
      setMessages((all) => {
        const list = all[message.conversationId];
        if (!list) return all;
        const others = list.filter((m) => m.id !== message.id);
        return { ...all, [message.conversationId]: [...others, message].sort((a, b) => Number(BigInt(a.seq) - BigInt(b.seq))) };
      });
    io.on('message.created', (message: Message) => {
      upsertMessage(message);
      if (message.direction === 'in') setDrafts((all) => ({ ...all, [message.conversationId]: '' }));
    });
    io.on('message.updated', upsertMessage);
    io.on('report.updated', () => setReportsChanged((n) => n + 1));
    io.on('sales.figure', (next: SalesFigure) => setFigure(next));
    io.on('sale.created', (sale: { orderId: string; amount: number; currency: string }) => {
      setSaleNotice(`${sale.orderId}: ${money({ [sale.currency]: sale.amount }, document.documentElement.lang)}`);
      if (!mutedRef.current) chime();
    });
    io.on('message.created', (message: Message) => {
      if (message.status === 'pending_approval') setSupervisionKey((n) => n + 1);
    });
    io.on('conversation.updated', (conversation: Conversation) => {
      setConversations((list) => {
        const known = list.some((c) => c.id === conversation.id);
        const next = known ? list.map((c) => (c.id === conversation.id ? conversation : c)) : [conversation, ...list];
        return next.sort((a, b) => b.lastMessageAt.localeCompare(a.lastMessageAt));
      });
    });
    io.on('typing', (event: { conversationId: string; draft: string }) => setDrafts((all) => ({ ...all, [event.conversationId]: event.draft })));
    io.on('offer', (offer: Offer) => {
      setOffers((list) => [...list.filter((o) => o.conversationId !== offer.conversationId), offer]);
      setBadge((n) => n + 1);
      if (!mutedRef.current) chime();
    });
    io.on('offer.withdrawn', (event: { conversationId: string }) => setOffers((list) => list.filter((o) => o.conversationId !== event.conversationId)));
    io.on('presence.updated', (event: { memberId: string; status: Presence }) => {
      if (event.memberId === member.id) setPresence(event.status);
    });
    io.on('connect_error', (error: Error & { data?: { code?: string } }) => {
      if (error.data?.code === 'unauthenticated' || error.data?.code === 'token_invalid' || error.data?.code === 'member_deactivated') onLogOut();
    });
    // The hub retired this session (deactivation, or the password changed on another device).
    io.on('signed_out', () => onLogOut());
    return () => {
      io.close();
    };
  }, [member.id, onLogOut]);

  useEffect(() => {
    document.title = badge > 0 ? `(${badge}) ${text.appName}` : text.appName;
  }, [badge, text.appName]);

  const open = async (id: string) => {
    setSelected(id);
    setBadge(0);
    const page = await answer(hub.GET('/api/conversations/{id}/messages', { params: { path: { id }, query: { limit: 200 } } }));
    setMessages((all) => ({ ...all, [id]: page.items }));
  };

  const accept = async (offer: Offer) => {
    try {
      await answer(hub.POST('/api/conversations/{id}/accept', { params: { path: { id: offer.conversationId } } }));
      setOffers((list) => list.filter((o) => o.conversationId !== offer.conversationId));
      await load();
      await open(offer.conversationId);
    } catch (failure) {
      setOffers((list) => list.filter((o) => o.conversationId !== offer.conversationId));
      if (!(failure instanceof ApiError)) throw failure;
    }
  };

  const changePresence = async (status: Presence) => {
    setPresenceError(null);
    try {
      const updated = await answer(hub.PUT('/api/members/me/status', { body: { status } }));
      setPresence(updated.status);
    } catch (failure) {
      setPresenceError(failure instanceof ApiError ? failure.message : String(failure));
    }
  };

  const toggleMute = () => {
    setMuted((value) => {
      localStorage.setItem('tsunagi:muted', String(!value));
      return !value;
    });
  };

  const current = useMemo(() => conversations.find((c) => c.id === selected) ?? null, [conversations, selected]);
  const timeZone = team?.timeZone ?? 'Asia/Tokyo';

  return (
    <div className={`inbox${selected ? ' has-selection' : ''}`}>
      <header className="topbar">
        <h1>{text.appName}</h1>
        <span className="team">{team?.name}</span>
        <label className="presence">
          {text.presence}
          <select value={presence} onChange={(e) => void changePresence(e.target.value as Presence)} aria-describedby="presence-error">
            <option value="online">{text.online}</option>
            <option value="break">{text.break}</option>
            <option value="offline">{text.offline}</option>
          </select>
        </label>
        {presenceError && (
          <p id="presence-error" role="alert" className="error">
            {presenceError}
          </p>
        )}
        <button type="button" onClick={toggleMute} aria-pressed={muted} aria-label={text.sound}>
          {muted ? text.muted : text.soundOn}
        </button>
        {supervisor && (
          <nav className="sections" aria-label={text.sections}>
            <button type="button" aria-current={section === 'inbox'} onClick={() => setSection('inbox')}>
              {text.inbox}
            </button>
            <button type="button" aria-current={section === 'supervise'} onClick={() => setSection('supervise')}>
              {text.supervise}
            </button>
            {member.role === 'administrator' && (
              <button type="button" aria-current={section === 'admin'} onClick={() => setSection('admin')}>
                {text.admin}
              </button>
            )}
          </nav>
        )}
        {figure && (
          <span className="figure" aria-label={text.todayFigure}>
            {fill(text.figureLine, { chats: figure.chats, sales: figure.sales.count, amount: money(figure.sales.amounts, language) || '0', days: figure.windowDays })}
          </span>
        )}
        {saleNotice && (
          <button type="button" className="sale-notice" role="status" onClick={() => setSaleNotice(null)}>
            {fill(text.saleCredited, { sale: saleNotice })}
          </button>
        )}
        <LanguagePicker language={language} onLanguage={onLanguage} />
        <button type="button" onClick={onLogOut}>
          {text.logOut}
        </button>
      </header>

      {offers.length > 0 && (
        <section className="offers" aria-label={text.offers}>
          <h2>
            {text.offers} <span className="badge">{offers.length}</span>
          </h2>
          <ul>
            {offers.map((offer) => {
              const left = Math.max(0, Math.ceil((new Date(offer.expiresAt).getTime() - now) / 1000));
              return (
                <li key={offer.conversationId} className="offer" data-conversation={offer.conversationId}>
                  <span className={`channel channel-${offer.channel.type}`}>{text.channel[offer.channel.type] ?? offer.channel.type}</span>
                  <span className="preview">{offer.preview}</span>
                  <span className="countdown" role="timer" aria-live="off">
                    {fill(text.secondsLeft, { n: left })}
                  </span>
                  <button type="button" onClick={() => void accept(offer)}>
                    {text.accept}
                  </button>
                </li>
              );
            })}
          </ul>
        </section>
      )}

      <nav className="list" aria-label={text.conversations}>
        <div className="views" role="tablist" aria-label={text.views}>
          {(['all', 'mine', 'waiting'] as View[]).map((name) => (
            <button key={name} type="button" role="tab" aria-selected={view === name} onClick={() => setView(name)}>
              {text[name]}
            </button>
          ))}
        </div>
        <div className="filters">
          <label>
            <select value={replyFilter} onChange={(e) => setReplyFilter(e.target.value as ReplyFilter)} aria-label={text.unreplied}>
              <option value="any">{text.all}</option>
              <option value="unreplied">{text.unreplied}</option>
              <option value="replied">{text.replied}</option>
            </select>
          </label>
          <label>
            <input type="checkbox" checked={favourites} onChange={(e) => setFavourites(e.target.checked)} /> {text.favourites}
          </label>
        </div>
        {conversations.length === 0 ? (
          <p className="empty">{text.noConversations}</p>
        ) : (
          <ul>
            {conversations.map((conversation) => (
              <li key={conversation.id}>
                <button
                  type="button"
                  className={`row${conversation.id === selected ? ' selected' : ''}${conversation.unreplied ? ' unreplied' : ''}`}
                  aria-current={conversation.id === selected}
                  onClick={() => void open(conversation.id)}
                >
                  <span className={`channel channel-${conversation.channel.type}`}>{text.channel[conversation.channel.type] ?? conversation.channel.type}</span>
                  <span className="name">{conversation.contact.name}</span>
                  <span className="elapsed" title={text.since}>
                    {elapsed(conversation.lastCustomerMessageAt, now)}
                  </span>
                  <span className="last">{conversation.lastMessagePreview}</span>
                </button>
              </li>
            ))}
          </ul>
        )}
      </nav>

      {section === 'supervise' ? (
        <Supervision refreshKey={supervisionKey} />
      ) : section === 'admin' ? (
        <Admin />
      ) : current ? (
        <ConversationPane
          key={current.id}
          conversation={current}
          member={member}
          messages={messages[current.id] ?? []}
          draft={drafts[current.id] ?? ''}
          enterSendsDefault={team?.settings.enterSends ?? true}
          timeZone={timeZone}
          language={language}
          socket={socket.current}
          onBack={() => setSelected(null)}
          onResolved={() => void load()}
          reportsChanged={reportsChanged}
        />
      ) : (
        <main className="pane empty">{text.selectConversation}</main>
      )}
    </div>
  );
}
