import { useState } from 'react';
import type { FormEvent } from 'react';
import { Link } from 'react-router';
import { answer, ApiError, hub } from '../api';
import { useWords } from '../i18n';
import { useSession } from '../shared/session';
import { useLinkedTickets } from './useTickets';
import type { Ticket } from './useTickets';
import { ticketWords } from './words';
import './tickets.css';

/** One ticket in a list: its number and title (a link to its page), status, priority and due time. */
export function TicketItem({ ticket }: { ticket: Ticket }) {
  const words = useWords(ticketWords);
  const { language } = useSession();
  return (
    <li className={ticket.overdue ? 'overdue' : ''} data-ticket={ticket.id}>
      <Link to={`/tickets/${ticket.id}`}>
        #{ticket.number} {ticket.title}
      </Link>
      <span className="ticket-badge">{words.status[ticket.status]}</span>
      <span className="ticket-badge">{words.priority[ticket.priority]}</span>
      {ticket.dueAt && (
        <time dateTime={ticket.dueAt}>
          {words.due}: {new Date(ticket.dueAt).toLocaleString(language === 'ja' ? 'ja-JP' : 'en-GB')}
        </time>
      )}
      {ticket.overdue && <span className="ticket-badge overdue">{words.overdue}</span>}
    </li>
  );
}

/** The conversation's side: its tickets, and "チケットにする" (the ticket links the conversation and its contact). */
export function ConversationTickets({ conversationId }: { conversationId: string }) {
  const words = useWords(ticketWords);
  const { items, reload } = useLinkedTickets({ conversationId });
  const [title, setTitle] = useState('');
  const [error, setError] = useState<string | null>(null);
  const make = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      await answer(hub.POST('/api/conversations/{id}/tickets', { params: { path: { id: conversationId } }, body: { title } }));
      setTitle('');
      await reload();
    } catch (failure) {
      setError(failure instanceof ApiError ? failure.message : String(failure));
    }
  };
  return (
    <section aria-label={words.conversationTickets}>
      <h3>{words.conversationTickets}</h3>
      <ul className="tickets">
        {items.map((ticket) => (
          <TicketItem key={ticket.id} ticket={ticket} />
        ))}
      </ul>
      <form className="ticket-make" onSubmit={(event) => void make(event)}>
        <label>
          {words.title}
          <input value={title} onChange={(e) => setTitle(e.target.value)} required maxLength={200} />
        </label>
        <button type="submit">{words.makeTicket}</button>
        {error && <p role="alert">{error}</p>}
      </form>
    </section>
  );
}

/** The contact page's tickets, most recently changed first. */
export function ContactTickets({ contactId }: { contactId: string }) {
  const words = useWords(ticketWords);
  const { items } = useLinkedTickets({ contactId });
  return (
    <section aria-labelledby="contact-tickets">
      <h3 id="contact-tickets">{words.contactTickets}</h3>
      {items.length === 0 && <p className="empty">{words.empty}</p>}
      <ul className="tickets">
        {items.map((ticket) => (
          <TicketItem key={ticket.id} ticket={ticket} />
        ))}
      </ul>
    </section>
  );
}
