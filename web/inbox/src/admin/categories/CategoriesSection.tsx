import { useState } from 'react';
import { useText, useWords } from '../../i18n';
import { Field, FormSubmit, useServerForm } from '../../shared/forms';
import { treeOrder, useCategories } from './useCategories';
import type { Category } from './useCategories';
import { categoriesWords } from './words';

/** Categories nest at most this deep on the hub (大分類 / 中分類 / 小分類). */
const MAX_LEVEL = 3;

/** `/app/admin/categories`: the three-level category tree; add, rename, move and delete. */
export function CategoriesSection() {
  const words = useWords(categoriesWords);
  const text = useText();
  const { categories, add, update, remove } = useCategories();
  const ordered = treeOrder(categories);
  const [draft, setDraft] = useState({ name: '', parentId: '' });
  const form = useServerForm(['name', 'parentId'] as const);
  const submit = form.handle(async () => {
    await add({ name: draft.name, parentId: draft.parentId || null });
    setDraft({ name: '', parentId: draft.parentId });
  });

  return (
    <section aria-label={words.categories}>
      <h2>{words.categories}</h2>
      <p className="hint">{words.categoriesHint}</p>
      {ordered.length === 0 && <p>{words.noCategories}</p>}
      <ul className="category-tree">
        {ordered.map((category) => (
          <CategoryRow key={category.id} category={category} all={ordered} update={update} remove={remove} />
        ))}
      </ul>
      <form onSubmit={submit} aria-label={words.addCategory} noValidate>
        <h3>{words.addCategory}</h3>
        <Field form={form} name="name" label={text.name} scope="category-new">
          {(control) => <input {...control} value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.target.value })} />}
        </Field>
        <Field form={form} name="parentId" label={words.parent} scope="category-new">
          {(control) => (
            <select {...control} value={draft.parentId} onChange={(e) => setDraft({ ...draft, parentId: e.target.value })}>
              <option value="">{words.topLevel}</option>
              {ordered
                .filter((category) => category.level < MAX_LEVEL)
                .map((category) => (
                  <option key={category.id} value={category.id}>
                    {category.path.join(' › ')}
                  </option>
                ))}
            </select>
          )}
        </Field>
        <FormSubmit form={form} label={words.addCategory} />
      </form>
    </section>
  );
}

/** One category: its name to rename in place, where to move it, and delete. */
function CategoryRow(props: { category: Category; all: Category[]; update: (id: string, body: { name?: string; parentId?: string | null }) => Promise<void>; remove: (id: string) => Promise<void> }) {
  const { category, all, update, remove } = props;
  const words = useWords(categoriesWords);
  const text = useText();
  const [name, setName] = useState(category.name);
  const [parentId, setParentId] = useState(category.parentId ?? '');
  const form = useServerForm(['name', 'parentId'] as const);
  const scope = `category-${category.id}`;
  const where = category.path.join(' › ');
  // Any category but itself and those below it; the hub refuses a move that would go deeper than three levels.
  const below = descendantIds(all, category.id);
  const targets = all.filter((other) => other.id !== category.id && !below.has(other.id) && other.level < MAX_LEVEL);

  return (
    <li className={`category level-${category.level}`} aria-label={where}>
      <form
        onSubmit={form.handle(() => update(category.id, { name, parentId: parentId || null }))}
        aria-label={`${text.save}: ${where}`}
        className="inline-fields"
        noValidate
      >
        <Field form={form} name="name" label={words.rename} scope={scope}>
          {(control) => <input {...control} value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
        <Field form={form} name="parentId" label={words.moveTo} scope={scope}>
          {(control) => (
            <select {...control} value={parentId} onChange={(e) => setParentId(e.target.value)}>
              <option value="">{words.topLevel}</option>
              {targets.map((other) => (
                <option key={other.id} value={other.id}>
                  {other.path.join(' › ')}
                </option>
              ))}
            </select>
          )}
        </Field>
        <div className="actions">
          <FormSubmit form={form} label={text.save} />
          <button type="button" className="danger" title={words.deleteHint} onClick={form.handle(() => remove(category.id))}>
            {words.delete}
          </button>
        </div>
      </form>
    </li>
  );
}

function descendantIds(all: Category[], id: string): Set<string> {
  const found = new Set<string>();
  const visit = (parentId: string) => {
    for (const child of all.filter((category) => category.parentId === parentId)) {
      found.add(child.id);
      visit(child.id);
    }
  };
  visit(id);
  return found;
}
