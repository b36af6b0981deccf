import { useCallback, useEffect, useState } from 'react';
import { answer, ApiError, hub } from '../api';
import type { Views } from '../api';
import { fill, useText } from '../i18n';
import { useInboxEvent } from '../shared/socket';

type Queue = Views['Queue'];
type Draft = Views['Draft'];

/** `/app/supervision`, supervisors and administrators: the waiting queue with each member's load (assign from it), and trainees' drafts to approve. */
export default function SupervisionArea() {
  const text = useText();
  const [refreshKey, setRefreshKey] = useState(0);
  const [queue, setQueue] = useState<Queue | null>(null);
  const [drafts, setDrafts] = useState<Draft[]>([]);
  const [feedback, setFeedback] = useState<Record<string, string>>({});
  const [notice, setNotice] = useState<string | null>(null);

  // A trainee's new draft is what this screen is for: read the lists again when one arrives.
  useInboxEvent('message.created', (message) => {
    if (message.status === 'pending_approval') setRefreshKey((n) => n + 1);
  });

  const load = useCallback(async () => {
    const [nextQueue, nextDrafts] = await Promise.all([answer(hub.GET('/api/queue')), answer(hub.GET('/api/drafts'))]);
    setQueue(nextQueue);
    setDrafts(nextDrafts.items);
  }, []);

  useEffect(() => {
    void load();
  }, [load, refreshKey]);

  const act = async (work: () => Promise<unknown>) => {
    setNotice(null);
    try {
      await work();
    } catch (failure) {
      setNotice(failure instanceof ApiError ? failure.message : String(failure));
    }
    await load();
  };

  return (
    <main className="pane supervision">
      {notice && (
        <p role="alert" className="error">
          {notice}
        </p>
      )}
      <section aria-label={text.drafts}>
        <h2>{text.drafts}</h2>
        {drafts.length === 0 && <p className="empty">{text.noDrafts}</p>}
        <ul className="drafts">
          {drafts.map((draft) => (
            <li key={draft.id} className="draft" data-draft={draft.id}>
              <p className="who">
                {draft.authorName} → {draft.conversation.contactName} ({text.channel[draft.conversation.channelType] ?? draft.conversation.channelType})
              </p>
              <p className="body">{draft.body}</p>
              <label>
                {text.feedback}
                <input value={feedback[draft.id] ?? ''} onChange={(e) => setFeedback({ ...feedback, [draft.id]: e.target.value })} />
              </label>
              <button type="button" onClick={() => void act(() => answer(hub.POST('/api/messages/{id}/approve', { params: { path: { id: draft.id } } })))}>
                {text.approve}
              </button>
              <button type="button" disabled={!feedback[draft.id]} onClick={() => void act(() => answer(hub.POST('/api/messages/{id}/reject', { params: { path: { id: draft.id } }, body: { feedback: feedback[draft.id] } })))}>
                {text.reject}
              </button>
            </li>
          ))}
        </ul>
      </section>
      <section aria-label={text.queue}>
        <h2>{text.queue}</h2>
        <table>
          <caption>{text.memberLoads}</caption>
          <thead>
            <tr>
              <th scope="col">{text.member}</th>
              <th scope="col">{text.presence}</th>
              <th scope="col">{text.load}</th>
            </tr>
          </thead>
          <tbody>
            {queue?.members.map((member) => (
              <tr key={member.id}>
                <td>{member.name}</td>
                <td>{text[member.status as 'online' | 'break' | 'offline'] ?? member.status}</td>
                <td>
                  {member.load} / {member.capacity}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <ul className="queue">
          {queue?.waiting.map((item) => (
            <li key={item.conversationId}>
              <span className={`channel channel-${item.channel.type}`}>{text.channel[item.channel.type] ?? item.channel.type}</span> {item.contact.name}: {item.preview} (
              {fill(text.waitingFor, { n: item.waitingSeconds })})
              <select aria-label={text.assign} defaultValue="" onChange={(e) => e.target.value && void act(() => answer(hub.POST('/api/conversations/{id}/assign', { params: { path: { id: item.conversationId } }, body: { memberId: e.target.value } })))}>
                <option value="">{text.assign}</option>
                {queue.members.map((member) => (
                  <option key={member.id} value={member.id}>
                    {member.name}
                  </option>
                ))}
              </select>
            </li>
          ))}
        </ul>
      </section>
    </main>
  );
}
