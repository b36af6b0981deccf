import { useState } from 'react';
import { fill, useText, useWords } from '../../i18n';
import { Field, FormRefusal, FormSubmit, useServerForm } from '../../shared/forms';
import type { FieldControl } from '../../shared/forms';
import { treeOrder, useCategories } from '../categories/useCategories';
import type { Category } from '../categories/useCategories';
import { useCannedReplies } from './useCannedReplies';
import type { CannedReply } from './useCannedReplies';
import { repliesWords } from './words';

const EMPTY = { shortCode: '', title: '', body: '', categoryId: '' };

/** A category to file a reply under (any level), or none. */
function CategorySelect(props: { control: FieldControl; categories: Category[]; value: string; onChange: (value: string) => void }) {
  const words = useWords(repliesWords);
  return (
    <select {...props.control} value={props.value} onChange={(e) => props.onChange(e.target.value)}>
      <option value="">{words.noCategory}</option>
      {props.categories.map((category) => (
        <option key={category.id} value={category.id}>
          {category.path.join(' › ')}
        </option>
      ))}
    </select>
  );
}

/** The canned replies: a table with their use counts, each editable in place, and a form to add one. */
export function CannedRepliesForm() {
  const text = useText();
  const words = useWords(repliesWords);
  const { replies, add, update, remove } = useCannedReplies();
  const categories = treeOrder(useCategories().categories);
  const [editing, setEditing] = useState<string | null>(null);
  const [draft, setDraft] = useState({ ...EMPTY, personal: false });
  const addForm = useServerForm(['shortCode', 'title', 'body', 'categoryId', 'personal'] as const);
  const removeForm = useServerForm([] as const);

  const submitAdd = addForm.handle(async () => {
    await add({ ...draft, categoryId: draft.categoryId || null });
    setDraft({ ...EMPTY, personal: false });
  });

  return (
    <section aria-label={text.cannedReplies}>
      <h2>{text.cannedReplies}</h2>
      <FormRefusal form={removeForm} />
      <table>
        <thead>
          <tr>
            <th>{text.shortCode}</th>
            <th>{text.title}</th>
            <th>{words.kind}</th>
            <th>{words.uses}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {replies.map((reply) =>
            editing === reply.id ? (
              <tr key={reply.id}>
                <td colSpan={5}>
                  <CannedReplyEditor reply={reply} categories={categories} save={(body) => update(reply.id, { ...body, categoryId: body.categoryId || null })} close={() => setEditing(null)} />
                </td>
              </tr>
            ) : (
              <tr key={reply.id}>
                <td>
                  <code>:{reply.shortCode}</code>
                </td>
                <td title={reply.body}>
                  {reply.title}
                  {reply.categoryId && <small className="hint"> {categories.find((c) => c.id === reply.categoryId)?.path.join(' › ')}</small>}
                </td>
                <td>{reply.ownerId ? words.mineOnly : words.teamWide}</td>
                <td>
                  {reply.uses.total}
                  {reply.uses.mine > 0 && fill(words.usesMine, { n: reply.uses.mine })}
                </td>
                <td className="actions">
                  <button type="button" onClick={() => setEditing(reply.id)} aria-label={`${words.edit} :${reply.shortCode}`}>
                    {words.edit}
                  </button>
                  <button type="button" className="danger" onClick={removeForm.handle(() => remove(reply.id))} aria-label={`${words.delete} :${reply.shortCode}`}>
                    {words.delete}
                  </button>
                </td>
              </tr>
            ),
          )}
        </tbody>
      </table>
      <form onSubmit={submitAdd} aria-label={text.addCanned} noValidate>
        <h3>{text.addCanned}</h3>
        <Field form={addForm} name="shortCode" label={text.shortCode} scope="canned-new">
          {(control) => <input {...control} value={draft.shortCode} onChange={(e) => setDraft({ ...draft, shortCode: e.target.value })} />}
        </Field>
        <Field form={addForm} name="title" label={text.title} scope="canned-new">
          {(control) => <input {...control} value={draft.title} onChange={(e) => setDraft({ ...draft, title: e.target.value })} />}
        </Field>
        <Field form={addForm} name="body" label={text.body} scope="canned-new">
          {(control) => <textarea {...control} rows={3} value={draft.body} onChange={(e) => setDraft({ ...draft, body: e.target.value })} />}
        </Field>
        <Field form={addForm} name="categoryId" label={text.category} scope="canned-new">
          {(control) => <CategorySelect control={control} categories={categories} value={draft.categoryId} onChange={(categoryId) => setDraft({ ...draft, categoryId })} />}
        </Field>
        <label className="check">
          <input type="checkbox" checked={draft.personal} onChange={(e) => setDraft({ ...draft, personal: e.target.checked })} /> {words.personal}
        </label>
        <FormSubmit form={addForm} label={text.addCanned} />
      </form>
    </section>
  );
}

function CannedReplyEditor({ reply, categories, save, close }: { reply: CannedReply; categories: Category[]; save: (body: typeof EMPTY) => Promise<void>; close: () => void }) {
  const text = useText();
  const words = useWords(repliesWords);
  const [draft, setDraft] = useState({ shortCode: reply.shortCode, title: reply.title, body: reply.body, categoryId: reply.categoryId ?? '' });
  const form = useServerForm(['shortCode', 'title', 'body', 'categoryId'] as const);
  const scope = `canned-${reply.id}`;
  return (
    <form
      onSubmit={form.handle(async () => {
        await save(draft);
        close();
      })}
      aria-label={words.editCanned}
      noValidate
    >
      <Field form={form} name="shortCode" label={text.shortCode} scope={scope}>
        {(control) => <input {...control} value={draft.shortCode} onChange={(e) => setDraft({ ...draft, shortCode: e.target.value })} />}
      </Field>
      <Field form={form} name="title" label={text.title} scope={scope}>
        {(control) => <input {...control} value={draft.title} onChange={(e) => setDraft({ ...draft, title: e.target.value })} />}
      </Field>
      <Field form={form} name="body" label={text.body} scope={scope}>
        {(control) => <textarea {...control} rows={3} value={draft.body} onChange={(e) => setDraft({ ...draft, body: e.target.value })} />}
      </Field>
      <Field form={form} name="categoryId" label={text.category} scope={scope}>
        {(control) => <CategorySelect control={control} categories={categories} value={draft.categoryId} onChange={(categoryId) => setDraft({ ...draft, categoryId })} />}
      </Field>
      <div className="actions">
        <FormSubmit form={form} label={text.save} />
        <button type="button" className="secondary" onClick={close}>
          {words.cancel}
        </button>
      </div>
    </form>
  );
}
