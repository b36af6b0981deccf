import { useCallback, useEffect, useState } from 'react';
import { answer, ApiError, hub } from '../api';
import type { Views } from '../api';
import { useText } from '../i18n';
import { useInboxEvent } from '../shared/socket';

type Draft = Views['Draft'];

/** Trainees' drafts waiting for a supervisor: approve (it is sent) or send back with feedback. */
export function DraftsSection() {
  const text = useText();
  const [drafts, setDrafts] = useState<Draft[]>([]);
  const [feedback, setFeedback] = useState<Record<string, string>>({});
  const [notice, setNotice] = useState<string | null>(null);

  const load = useCallback(async () => setDrafts((await answer(hub.GET('/api/drafts'))).items), []);
  useEffect(() => {
    void load();
  }, [load]);
  // A trainee's new draft is what this section is for: read the list again when one arrives.
  useInboxEvent('message.created', (message) => {
    if (message.status === 'pending_approval') void load();
  });

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
    <section aria-label={text.drafts}>
      <h2>{text.drafts}</h2>
      {notice && (
        <p role="alert" className="error">
          {notice}
        </p>
      )}
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
  );
}
