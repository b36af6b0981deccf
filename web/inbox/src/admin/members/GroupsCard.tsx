import { useState } from 'react';
import { fill, useWords } from '../../i18n';
import { Field, FormRefusal, FormSubmit, useServerForm } from '../../shared/forms';
import { ConfirmButton } from './ConfirmButton';
import type { MembersActions, TeamGroup, TeamMember } from './useMembers';
import { membersWords } from './words';

/** The team's groups: create one, and for each its name, its members (a box per active member) and deleting it. */
export function GroupsCard({ groups, members, actions }: { groups: TeamGroup[]; members: TeamMember[]; actions: MembersActions }) {
  const words = useWords(membersWords);
  const [name, setName] = useState('');
  const form = useServerForm(['name'] as const);
  const create = form.handle(async () => {
    await actions.createGroup(name);
    setName('');
  });
  const active = members.filter((m) => !m.deactivatedAt);

  return (
    <section aria-label={words.groupsTitle}>
      <h2>{words.groupsTitle}</h2>
      <p className="hint">{words.groupsHint}</p>
      {groups.length === 0 && <p className="hint">{words.noGroups}</p>}
      {groups.map((group) => (
        <GroupEditor key={group.id} group={group} members={active} actions={actions} />
      ))}
      <form onSubmit={create} aria-label={words.createGroup} noValidate className="inline-fields">
        <Field form={form} name="name" label={words.newGroup} scope="new-group">
          {(control) => <input {...control} value={name} maxLength={100} onChange={(e) => setName(e.target.value)} />}
        </Field>
        <FormSubmit form={form} label={words.createGroup} />
      </form>
    </section>
  );
}

function GroupEditor({ group, members, actions }: { group: TeamGroup; members: TeamMember[]; actions: MembersActions }) {
  const words = useWords(membersWords);
  const [name, setName] = useState(group.name);
  const form = useServerForm(['name', 'memberIds'] as const);
  // The boxes show the change at once; a refusal puts them back as the hub has them.
  const [memberIds, setMemberIds] = useState(group.memberIds);
  const rename = form.handle(() => actions.updateGroup(group.id, { name }));
  // Each box sends the whole new list: the hub keeps a group's members as one list.
  const toggle = (memberId: string, on: boolean) => {
    const next = on ? [...memberIds, memberId] : memberIds.filter((id) => id !== memberId);
    setMemberIds(next);
    form.handle(() => actions.updateGroup(group.id, { memberIds: next }).catch((error: unknown) => {
      setMemberIds(group.memberIds);
      throw error;
    }))();
  };

  return (
    <fieldset className="group-editor" aria-label={group.name}>
      <legend>{group.name}</legend>
      <form onSubmit={rename} aria-label={`${group.name} ${words.rename}`} noValidate className="inline-fields">
        <Field form={form} name="name" label={words.groupName} scope={`group-${group.id}`}>
          {(control) => <input {...control} value={name} maxLength={100} onChange={(e) => setName(e.target.value)} />}
        </Field>
        <button type="submit" className="secondary" disabled={form.pending}>
          {words.rename}
        </button>
      </form>
      <div role="group" aria-label={fill(words.groupMembers, { name: group.name })} className="actions">
        {members.map((member) => (
          <label key={member.id} className="check">
            <input type="checkbox" checked={memberIds.includes(member.id)} onChange={(e) => toggle(member.id, e.target.checked)} /> {member.name}
          </label>
        ))}
      </div>
      {form.error('memberIds') && <p className="field-error" role="alert">{form.error('memberIds')}</p>}
      <FormRefusal form={form} />
      <ConfirmButton
        label={words.deleteGroup}
        question={fill(words.deleteGroupConfirm, { name: group.name })}
        yes={words.deleteGroup}
        no={words.cancel}
        className="danger"
        onConfirm={form.handle(() => actions.deleteGroup(group.id))}
      />
    </fieldset>
  );
}
