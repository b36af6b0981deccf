import { useState } from 'react';
import { answer, hub } from '../../api';
import type { Views } from '../../api';
import { fill, useText, useWords } from '../../i18n';
import { FormSubmit, useServerForm } from '../../shared/forms';
import { useResource } from '../../shared/useResource';
import { routingWords } from './words';

type TeamGroup = Views['Group'];

const loadOrder = async () => {
  const [groups, order] = await Promise.all([answer(hub.GET('/api/groups')), answer(hub.GET('/api/routing/group-order'))]);
  return { groups: groups.items, order: order.groupIds };
};

/** The order in which groups on shift are offered a new chat: a box puts a group in it, the arrows move it. */
export function GroupOrderCard() {
  const { data } = useResource(loadOrder);
  if (!data) return null;
  return <GroupOrderForm groups={data.groups} initial={data.order} />;
}

function GroupOrderForm({ groups, initial }: { groups: TeamGroup[]; initial: string[] }) {
  const words = useWords(routingWords);
  const common = useText();
  const [order, setOrder] = useState(initial);
  const [saved, setSaved] = useState(false);
  const form = useServerForm(['groupIds'] as const);
  const edit = (next: string[]) => {
    setOrder(next);
    setSaved(false);
  };
  const move = (index: number, by: -1 | 1) => {
    const next = [...order];
    [next[index], next[index + by]] = [next[index + by], next[index]];
    edit(next);
  };
  const submit = form.handle(async () => {
    // The hub answers the order as it keeps it (a group deleted meanwhile left out): the form shows that.
    setOrder((await answer(hub.PUT('/api/routing/group-order', { body: { groupIds: order } }))).groupIds);
    setSaved(true);
  });
  const byId = new Map(groups.map((g) => [g.id, g]));
  // The ordered groups first, as they will be offered; the others after, to be put in.
  const rows = [...order.filter((id) => byId.has(id)), ...groups.map((g) => g.id).filter((id) => !order.includes(id))];

  return (
    <section aria-label={words.groupOrder}>
      <h2>{words.groupOrder}</h2>
      <p className="hint">{words.groupOrderHint}</p>
      {groups.length === 0 && <p className="hint">{words.noGroups}</p>}
      <form onSubmit={submit} aria-label={words.groupOrder} noValidate>
        <ol aria-label={words.groupOrder} className="group-order">
          {rows.map((id) => {
            const name = byId.get(id)!.name;
            const index = order.indexOf(id);
            return (
              <li key={id}>
                <label className="check">
                  <input type="checkbox" aria-label={fill(words.inOrder, { name })} checked={index >= 0} onChange={(e) => edit(e.target.checked ? [...order, id] : order.filter((o) => o !== id))} />{' '}
                  {name}
                </label>{' '}
                <span className="hint">{index >= 0 ? fill(words.position, { n: index + 1 }) : words.notInOrder}</span>
                {index >= 0 && (
                  <>
                    {' '}
                    <button type="button" className="secondary" aria-label={fill(words.moveUp, { name })} disabled={index === 0} onClick={() => move(index, -1)}>
                      ↑
                    </button>
                    <button type="button" className="secondary" aria-label={fill(words.moveDown, { name })} disabled={index === order.length - 1} onClick={() => move(index, 1)}>
                      ↓
                    </button>
                  </>
                )}
              </li>
            );
          })}
        </ol>
        {form.error('groupIds') && (
          <p className="field-error" role="alert">
            {form.error('groupIds')}
          </p>
        )}
        <FormSubmit form={form} label={common.save} />
        {saved && <p role="status">{common.saved}</p>}
      </form>
    </section>
  );
}
