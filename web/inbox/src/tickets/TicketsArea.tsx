import { useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { answer, ApiError, hub } from '../api';
import type { Message, RequestBody, Views } from '../api';
import { useWords } from '../i18n';
import { useSession } from '../shared/session';
import { toLocalInput } from '../shared/time';
import { TicketItem } from './TicketLinks';
import { TicketReport } from './TicketReport';
import { useTicket, useTicketList } from './useTickets';
import type { TicketDetail } from './useTickets';
import { ticketWords } from './words';
import type { TicketList } from './words';
import './tickets.css';
import { RadioFilter } from '../shared/RadioFilter';

type UpdateBody = RequestBody<'/api/tickets/{id}', 'patch'>;

/** `/app/tickets`: the lists (mine, my groups', overdue, all); `/app/tickets/:id`: one ticket's page. */
export default function TicketsArea() {
  const { id } = useParams();
  const { member } = useSession();
  const supervising = member.role === 'supervisor' || member.role === 'administrator';
  return (
    <main className="pane tickets-area">
      {id ? (
        <TicketPage key={id} id={id} />
      ) : (
        <>
          <TicketLists />
          {supervising && <TicketReport />}
        </>
      )}
    </main>
  );
}

function TicketLists() {
  const words = useWords(ticketWords);
  const [view, setView] = useState<TicketList>('mine');
  const { items, hasMore, more } = useTicketList(view);
  return (
    <section aria-label={words.tickets}>
      <h2>{words.tickets}</h2>
      <RadioFilter legend={words.lists} name="ticket-list" labels={words.views as Record<TicketList, string>} value={view} onChange={setView} />
      {items?.length === 0 && <p className="empty">{words.empty}</p>}
      <ul className="tickets" aria-label={words.views[view]}>
        {items?.map((ticket) => (
          <TicketItem key={ticket.id} ticket={ticket} />
        ))}
      </ul>
      {hasMore && (
        <button type="button" onClick={() => void more()}>
          {words.more}
        </button>
      )}
    </section>
  );
}

function TicketPage({ id }: { id: string }) {
  const words = useWords(ticketWords);
  const { language } = useSession();
  const { detail, reload } = useTicket(id);
  const [members, setMembers] = useState<Views['Member'][]>([]);
  const [notice, setNotice] = useState<string | null>(null);
  const [due, setDue] = useState('');
  const [comment, setComment] = useState('');
  const when = (iso: string) => new Date(iso).toLocaleString(language === 'ja' ? 'ja-JP' : 'en-GB');

  useEffect(() => {
    void answer(hub.GET('/api/members')).then((page) => setMembers(page.items));
  }, []);
  useEffect(() => {
    if (detail) setDue(toLocalInput(detail.ticket.dueAt));
  }, [detail?.ticket.dueAt]); // eslint-disable-line react-hooks/exhaustive-deps

  const act = async (work: () => Promise<unknown>) => {
    setNotice(null);
    try {
      await work();
      await reload();
      setNotice(words.saved);
    } catch (failure) {
      setNotice(failure instanceof ApiError ? failure.message : String(failure));
    }
  };
  const change = (body: UpdateBody) => act(() => answer(hub.PATCH('/api/tickets/{id}', { params: { path: { id } }, body })));
  const addComment = (event: FormEvent) => {
    event.preventDefault();
    void act(async () => {
      await answer(hub.POST('/api/tickets/{id}/comments', { params: { path: { id } }, body: { body: comment } }));
      setComment('');
    });
  };

  if (!detail) return <p aria-busy="true" />;
  const { ticket } = detail;
  return (
    <>
      <section aria-labelledby="ticket-title">
        <Link to="/tickets">{words.back}</Link>
        <h2 id="ticket-title">
          #{ticket.number} {ticket.title}
        </h2>
        {ticket.overdue && <span className="ticket-badge overdue">{words.overdue}</span>}
        <div className="ticket-fields">
          <label>
            {words.statusLabel}
            <select value={ticket.status} onChange={(e) => void change({ status: e.target.value as UpdateBody['status'] })}>
              {(Object.keys(words.status) as (keyof typeof words.status)[]).map((status) => (
                <option key={status} value={status}>
                  {words.status[status]}
                </option>
              ))}
            </select>
          </label>
          <label>
            {words.priorityLabel}
            <select value={ticket.priority} onChange={(e) => void change({ priority: e.target.value as UpdateBody['priority'] })}>
              {(Object.keys(words.priority) as (keyof typeof words.priority)[]).map((priority) => (
                <option key={priority} value={priority}>
                  {words.priority[priority]}
                </option>
              ))}
            </select>
          </label>
          <label>
            {words.assignee}
            <select value={ticket.assigneeId ?? ''} onChange={(e) => void change({ assigneeId: e.target.value || null })}>
              <option value="">{words.nobody}</option>
              {members.map((member) => (
                <option key={member.id} value={member.id}>
                  {member.name}
                </option>
              ))}
            </select>
          </label>
          <label>
            {words.due}
            <input type="datetime-local" value={due} onChange={(e) => setDue(e.target.value)} />
          </label>
          <button type="button" onClick={() => void change({ dueAt: due ? new Date(due).toISOString() : null })}>
            {words.setDue}
          </button>
        </div>
        <p>
          {words.due}: {ticket.dueAt ? when(ticket.dueAt) : words.noDue}
          {ticket.remindAt && ` / ${words.reminder}: ${when(ticket.remindAt)}`}
        </p>
        {notice && <p role="status">{notice}</p>}
      </section>

      <section aria-labelledby="ticket-comments">
        <h2 id="ticket-comments">{words.comments}</h2>
        {detail.comments.length === 0 && <p className="empty">{words.noComments}</p>}
        <ul className="ticket-thread">
          {detail.comments.map((c) => (
            <li key={c.id}>
              <strong>{c.authorName}</strong> {c.body} <time dateTime={c.createdAt}>{when(c.createdAt)}</time>
            </li>
          ))}
        </ul>
        <form onSubmit={addComment}>
          <label>
            {words.comment}
            <textarea value={comment} onChange={(e) => setComment(e.target.value)} required maxLength={10_000} />
          </label>
          <button type="submit">{words.addComment}</button>
        </form>
      </section>

      <section aria-labelledby="ticket-replies">
        <h2 id="ticket-replies">{words.replies}</h2>
        {detail.replies.length === 0 && <p className="empty">{words.noReplies}</p>}
        <ul className="ticket-thread">
          {detail.replies.map((m) => (
            <li key={m.id} className="in">
              {m.body} <time dateTime={m.createdAt}>{when(m.createdAt)}</time>
            </li>
          ))}
        </ul>
      </section>

      {ticket.conversationId && <ConversationHistory conversationId={ticket.conversationId} changed={detail} />}

      <section aria-labelledby="ticket-activity">
        <h2 id="ticket-activity">{words.activity}</h2>
        <ul className="ticket-thread">
          {detail.activities.map((a) => (
            <li key={a.id}>
              {words.activities[a.kind] ?? a.kind}
              {a.kind === 'status' && typeof a.data.to === 'string' && `: ${words.status[a.data.to as keyof typeof words.status] ?? a.data.to}`}{' '}
              <time dateTime={a.createdAt}>{when(a.createdAt)}</time>
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}

/** The conversation the ticket came from, read through the conversation's own messages route. */
function ConversationHistory({ conversationId, changed }: { conversationId: string; changed: TicketDetail }) {
  const words = useWords(ticketWords);
  const [messages, setMessages] = useState<Message[]>([]);
  useEffect(() => {
    void answer(hub.GET('/api/conversations/{id}/messages', { params: { path: { id: conversationId }, query: { limit: 200 } } })).then((page) => setMessages(page.items));
  }, [conversationId, changed]);
  return (
    <section aria-labelledby="ticket-history">
      <h2 id="ticket-history">{words.history}</h2>
      <Link to={`/conversations/${conversationId}`}>{words.openConversation}</Link>
      <ul className="ticket-thread">
        {messages
          .filter((m) => m.kind !== 'event')
          .map((m) => (
            <li key={m.id} className={m.direction}>
              {m.body}
            </li>
          ))}
      </ul>
    </section>
  );
}

