import { useState } from 'react';
import { useNavigate, useParams, useSearchParams } from 'react-router';
import { useText } from '../i18n';
import { useSession } from '../shared/session';
import { useInboxEvent, useSocket } from '../shared/socket';
import { elapsed, useNow } from '../shared/time';
import { useTeam } from '../shared/useTeam';
import { ConversationPane } from './ConversationPane';
import { useConversations } from './useConversations';
import type { ReplyFilter, View } from './useConversations';
import { useMessages } from './useMessages';

/**
 * `/app` and `/app/conversations/:id`: the list, and the conversation the address names; `?message=<id>` (a search
 * hit) opens it at that message, marked.
 */
export default function InboxArea() {
  const text = useText();
  const now = useNow();
  const navigate = useNavigate();
  const { id: selected } = useParams<{ id: string }>();
  const focus = useSearchParams()[0].get('message') ?? undefined;
  const { member, language } = useSession();
  const socket = useSocket();
  const [view, setView] = useState<View>('all');
  const [replyFilter, setReplyFilter] = useState<ReplyFilter>('any');
  const [favourites, setFavourites] = useState(false);
  const team = useTeam();
  const [reportsChanged, setReportsChanged] = useState(0);
  const { conversations, reload } = useConversations({ view, replyFilter, favourites }, selected);
  const { messages, draft } = useMessages(selected, focus);

  useInboxEvent('report.updated', () => setReportsChanged((n) => n + 1));

  const current = conversations.find((c) => c.id === selected) ?? null;

  return (
    <div className={`inbox-area${selected ? ' has-selection' : ''}`}>
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
                  onClick={() => void navigate(`/conversations/${conversation.id}`)}
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
      {current ? (
        <ConversationPane
          key={current.id}
          conversation={current}
          member={member}
          messages={messages}
          focus={focus}
          draft={draft}
          enterSendsDefault={team?.settings.enterSends ?? true}
          timeZone={team?.timeZone ?? 'Asia/Tokyo'}
          language={language}
          socket={socket}
          onBack={() => void navigate('/')}
          onResolved={() => void reload()}
          reportsChanged={reportsChanged}
        />
      ) : (
        <main className="pane empty">{text.selectConversation}</main>
      )}
    </div>
  );
}
