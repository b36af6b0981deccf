import { useState } from 'react';
import { useNavigate } from 'react-router';
import { fill, useWords } from '../i18n';
import { useSession } from '../shared/session';
import { money } from '../shared/time';
import { notificationWords } from './notification-words';
import { useNotifications } from './useNotifications';
import type { StoredNotification } from './useNotifications';

/** Where a notice leads: the ticket, the contact, the conversation, or the reports settings. */
function placeOf(notification: StoredNotification): string | null {
  const { data } = notification;
  if (typeof data.ticketId === 'string') return `/tickets/${data.ticketId}`;
  if (typeof data.contactId === 'string') return `/contacts/${data.contactId}`;
  if (typeof data.conversationId === 'string') return `/conversations/${data.conversationId}`;
  if (notification.type === 'report_target_gone') return '/admin/reports';
  return null;
}

/** The bell in the top bar: the unread count, and the list of what the hub told this member. */
export function NotificationBell() {
  const words = useWords(notificationWords);
  const { language } = useSession();
  const navigate = useNavigate();
  const { items, unread, markRead } = useNotifications();
  const [open, setOpen] = useState(false);

  const sentence = (n: StoredNotification) => {
    const values: Record<string, string | number> = Object.fromEntries(Object.entries(n.data).map(([key, value]) => [key, value === null || value === undefined ? '' : String(value)]));
    if (n.type === 'sale_credited') values.amount = money({ [String(n.data.currency)]: Number(n.data.amount) }, language);
    const template = words.sentences[n.type];
    return template ? fill(template, values) : fill(words.other, { type: n.type });
  };

  const follow = async (n: StoredNotification) => {
    if (!n.readAt) await markRead(n.id);
    const place = placeOf(n);
    if (place) {
      setOpen(false);
      await navigate(place);
    }
  };

  return (
    <div className="bell">
      <button type="button" aria-expanded={open} aria-controls="notification-list" onClick={() => setOpen(!open)} aria-label={unread > 0 ? `${words.bell} ${fill(words.unread, { n: unread })}` : words.bell}>
        {words.bell} {unread > 0 && <span className="badge">{unread}</span>}
      </button>
      {open && (
        <section id="notification-list" className="bell-list" aria-label={words.bell}>
          {items.length === 0 && <p className="empty">{words.none}</p>}
          <ul>
            {items.map((n) => (
              <li key={n.id} className={n.readAt ? 'read' : 'unread'}>
                <button type="button" onClick={() => void follow(n)}>
                  <span className="sentence">{sentence(n)}</span> <time dateTime={n.createdAt}>{new Date(n.createdAt).toLocaleString(language === 'ja' ? 'ja-JP' : 'en-GB')}</time>
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}
