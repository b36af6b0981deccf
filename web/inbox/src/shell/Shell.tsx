import { Suspense, useEffect, useRef, useState } from 'react';
import { NavLink, Outlet, useLocation } from 'react-router';
import type { Presence } from '../api';
import { fill, useText } from '../i18n';
import { LanguagePicker } from '../shared/LanguagePicker';
import { useSession } from '../shared/session';
import { chime } from '../shared/sound';
import { InboxSocketContext, useInboxSocket } from '../shared/socket';
import { money, useNow } from '../shared/time';
import { useTeam } from '../shared/useTeam';
import { NotificationBell } from './NotificationBell';
import { useOffers } from './useOffers';
import { usePresence } from './usePresence';
import { useSalesFigure } from './useSalesFigure';

/**
 * The signed-in frame around every area: the socket, presence, sound, the offers ringing, today's figure and the
 * areas' links. Each area under it is its own chunk, loaded the first time its address is opened.
 */
export function Shell({ token }: { token: string }) {
  const { signOut } = useSession();
  const socket = useInboxSocket(token, signOut);
  return (
    <InboxSocketContext.Provider value={socket}>
      <Frame />
    </InboxSocketContext.Provider>
  );
}

/** The areas that are the inbox itself: the list and a conversation. */
const INBOX_PATH = /^\/(conversations\/[^/]+)?$/;

function Frame() {
  const text = useText();
  const { member, language, setLanguage, signOut } = useSession();
  const { pathname } = useLocation();
  const team = useTeam();
  const now = useNow();
  const [muted, setMuted] = useState(() => localStorage.getItem('tsunagi:muted') === 'true');
  const [badge, setBadge] = useState(0);
  const mutedRef = useRef(muted);
  useEffect(() => {
    mutedRef.current = muted;
  }, [muted]);
  const ring = () => {
    if (!mutedRef.current) chime();
  };
  const { offers, accept } = useOffers(() => {
    setBadge((n) => n + 1);
    ring();
  });
  const { presence, error: presenceError, change: changePresence } = usePresence(member.id);
  const { figure, saleNotice, dismissSale } = useSalesFigure(member.id, ring);
  const supervisor = member.role === 'supervisor' || member.role === 'administrator';

  useEffect(() => {
    document.title = badge > 0 ? `(${badge}) ${text.appName}` : text.appName;
  }, [badge, text.appName]);

  // Opening a conversation (or any screen) is seeing what rang.
  useEffect(() => {
    setBadge(0);
  }, [pathname]);

  const toggleMute = () => {
    localStorage.setItem('tsunagi:muted', String(!muted));
    setMuted(!muted);
  };

  return (
    <div className="inbox">
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
        <nav className="sections" aria-label={text.sections}>
          <NavLink to="/" className={() => (INBOX_PATH.test(pathname) ? 'active' : '')} aria-current={INBOX_PATH.test(pathname) ? 'page' : undefined}>
            {text.inbox}
          </NavLink>
          <NavLink to="/contacts">{text.contacts}</NavLink>
          <NavLink to="/tickets">{text.tickets}</NavLink>
          {supervisor && <NavLink to="/supervision">{text.supervise}</NavLink>}
          {supervisor && <NavLink to="/reports">{text.teamReports}</NavLink>}
          <NavLink to="/sales">{text.salesList}</NavLink>
          {supervisor && <NavLink to="/search">{text.searchMessages}</NavLink>}
          {supervisor && <NavLink to="/history">{text.conversationHistory}</NavLink>}
          {member.role === 'administrator' && <NavLink to="/admin">{text.admin}</NavLink>}
          <NavLink to="/account">{text.account}</NavLink>
        </nav>
        {figure && (
          <span className="figure" aria-label={text.todayFigure}>
            {fill(text.figureLine, { chats: figure.chats, sales: figure.sales.count, amount: money(figure.sales.amounts, language) || '0', days: figure.windowDays })}
          </span>
        )}
        {saleNotice && (
          <button type="button" className="sale-notice" role="status" onClick={dismissSale}>
            {fill(text.saleCredited, { sale: saleNotice })}
          </button>
        )}
        <NotificationBell />
        <LanguagePicker language={language} onLanguage={setLanguage} />
        <button type="button" onClick={signOut}>
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

      <Suspense fallback={<main className="pane loading" aria-busy="true" />}>
        <Outlet />
      </Suspense>
    </div>
  );
}
