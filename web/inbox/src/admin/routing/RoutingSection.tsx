import { useState } from 'react';
import { useText } from '../../i18n';
import { Field, FormRefusal, FormSubmit, useServerForm } from '../../shared/forms';
import { useRouting } from './useRouting';

/** The purposes the hub posts to by itself; others a team adds are kept for other sinks. */
const PURPOSES = ['callCenter', 'bookings'] as const;

/** `/app/admin/routing`: where reports go, and the canned replies. */
export function RoutingSection() {
  const text = useText();
  const { canned, targets, groups, saveTargets, addCanned } = useRouting();
  const [draft, setDraft] = useState({ shortCode: '', title: '', body: '' });
  const targetsForm = useServerForm([] as const);
  const cannedForm = useServerForm(['shortCode', 'title', 'body'] as const);

  const mapTarget = (purpose: string, value: string) => {
    const next: Record<string, { channelId: string; groupId: string }> = Object.fromEntries(Object.entries(targets).map(([key, t]) => [key, { channelId: t.channelId, groupId: t.groupId }]));
    if (value) {
      const [channelId, groupId] = value.split('|');
      next[purpose] = { channelId, groupId };
    } else {
      delete next[purpose];
    }
    targetsForm.handle(() => saveTargets(next))();
  };

  const submitCanned = cannedForm.handle(async () => {
    await addCanned(draft);
    setDraft({ shortCode: '', title: '', body: '' });
  });

  return (
    <>
      <section aria-label={text.reportTargets}>
        <h2>{text.reportTargets}</h2>
        <FormRefusal form={targetsForm} />
        {PURPOSES.map((purpose) => (
          <label key={purpose}>
            {purpose}
            <select value={targets[purpose] ? `${targets[purpose].channelId}|${targets[purpose].groupId}` : ''} onChange={(e) => mapTarget(purpose, e.target.value)}>
              <option value="">—</option>
              {groups
                .filter((g) => g.status === 'active' || targets[purpose]?.groupId === g.groupId)
                .map((g) => (
                  <option key={`${g.channelId}|${g.groupId}`} value={`${g.channelId}|${g.groupId}`}>
                    {g.name ?? g.groupId} {g.status === 'gone' ? '(×)' : ''}
                  </option>
                ))}
            </select>
          </label>
        ))}
      </section>
      <section aria-label={text.cannedReplies}>
        <h2>{text.cannedReplies}</h2>
        <ul>
          {canned.map((reply) => (
            <li key={reply.id}>
              <code>:{reply.shortCode}</code> {reply.title} — {reply.body} ({reply.uses.total})
            </li>
          ))}
        </ul>
        <form onSubmit={submitCanned} aria-label={text.addCanned}>
          <Field form={cannedForm} name="shortCode" label={text.shortCode}>
            {(control) => <input {...control} required value={draft.shortCode} onChange={(e) => setDraft({ ...draft, shortCode: e.target.value })} />}
          </Field>
          <Field form={cannedForm} name="title" label={text.title}>
            {(control) => <input {...control} required value={draft.title} onChange={(e) => setDraft({ ...draft, title: e.target.value })} />}
          </Field>
          <Field form={cannedForm} name="body" label={text.body}>
            {(control) => <textarea {...control} required value={draft.body} onChange={(e) => setDraft({ ...draft, body: e.target.value })} />}
          </Field>
          <FormSubmit form={cannedForm} label={text.addCanned} />
        </form>
      </section>
    </>
  );
}
