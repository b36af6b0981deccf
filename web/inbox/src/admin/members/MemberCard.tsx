import { useCallback, useState } from 'react';
import { fill, useText, useWords } from '../../i18n';
import type { Catalog } from '../../i18n';
import { Field, FormRefusal, FormSubmit, useServerForm } from '../../shared/forms';
import { useResource } from '../../shared/useResource';
import { typedNumber } from '../routing/useTeamSettings';
import { ConfirmButton } from './ConfirmButton';
import { loadStatusChanges } from './useMembers';
import type { MembersActions, StatusSwitch, TeamGroup, TeamMember } from './useMembers';
import { membersWords } from './words';

const STATUSES = ['online', 'break', 'offline'] as const;
const statusName = (text: Catalog, status: TeamMember['status']) => text[status];

/** One member: who they are, how they are set up, what they are doing now, and what an administrator can change. */
export function MemberCard(props: { member: TeamMember; groups: TeamGroup[]; isSelf: boolean; actions: MembersActions }) {
  const { member, groups, isSelf, actions } = props;
  const text = useText();
  const words = useWords(membersWords);
  const [historyVersion, setHistoryVersion] = useState(0);
  const [historyOpen, setHistoryOpen] = useState(false);
  const lifecycle = useServerForm([] as const);
  const groupNames = groups.filter((g) => member.groupIds.includes(g.id)).map((g) => g.name);

  return (
    <article aria-label={member.name} className={`member-card${member.deactivatedAt ? ' deactivated' : ''}`}>
      <header className="member-head">
        <h3>
          {member.name}
          {isSelf && words.you}
        </h3>
        <span className="kind">{member.email}</span>
        {member.deactivatedAt ? <span className="badge offline">{words.deactivated}</span> : <span className={`badge ${member.status}`}>{statusName(text, member.status)}</span>}
      </header>
      <dl className="member-facts">
        <dt>{words.groups}</dt>
        <dd>{groupNames.length > 0 ? groupNames.join('、') : '—'}</dd>
        <dt>{words.devices}</dt>
        <dd>
          {member.devices && member.devices.length > 0 ? (
            <ul className="devices">
              {member.devices.map((device) => (
                <li key={`${device.kind}-${device.connectedAt}`} title={device.userAgent ?? undefined}>
                  {words.deviceKinds[device.kind]} ({words.since} {new Date(device.connectedAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })})
                </li>
              ))}
            </ul>
          ) : (
            words.noDevices
          )}
        </dd>
        <dt>{words.lastActive}</dt>
        <dd>{member.lastActiveAt ? new Date(member.lastActiveAt).toLocaleString() : words.never}</dd>
      </dl>
      {!member.deactivatedAt && <MemberSettingsForm member={member} update={actions.update} />}
      {!member.deactivatedAt && <StatusSwitchForm member={member} switchStatus={actions.switchStatus} onSwitched={() => setHistoryVersion((v) => v + 1)} />}
      <details onToggle={(e) => setHistoryOpen(e.currentTarget.open)}>
        <summary>{words.history}</summary>
        {historyOpen && <StatusHistory memberId={member.id} version={historyVersion} />}
      </details>
      {!isSelf && (
        <div className="actions">
          <FormRefusal form={lifecycle} />
          {member.deactivatedAt ? (
            <button type="button" className="secondary" onClick={lifecycle.handle(() => actions.reactivate(member.id))}>
              {words.reactivate}
            </button>
          ) : (
            <ConfirmButton
              label={words.deactivate}
              question={fill(words.deactivateConfirm, { name: member.name })}
              yes={words.deactivate}
              no={words.cancel}
              className="danger"
              onConfirm={lifecycle.handle(() => actions.deactivate(member.id))}
            />
          )}
        </div>
      )}
    </article>
  );
}

/** Role, capacity and training, saved together; the hub's range check speaks under the field it refuses. */
function MemberSettingsForm({ member, update }: { member: TeamMember; update: MembersActions['update'] }) {
  const text = useText();
  const [role, setRole] = useState(member.role);
  const [capacity, setCapacity] = useState(String(member.capacity));
  const [training, setTraining] = useState(member.training);
  const [saved, setSaved] = useState(false);
  const form = useServerForm(['role', 'capacity', 'training'] as const);
  const submit = form.handle(async () => {
    await update(member.id, { role, capacity: typedNumber(capacity), training });
    setSaved(true);
  });
  const edited = () => setSaved(false);
  return (
    <form onSubmit={submit} aria-label={`${member.name} ${text.save}`} noValidate className="inline-fields">
      <Field form={form} name="role" label={text.role} scope={member.id}>
        {(control) => (
          <select {...control} value={role} onChange={(e) => { setRole(e.target.value as TeamMember['role']); edited(); }}>
            <option value="operator">{text.roles.operator}</option>
            <option value="supervisor">{text.roles.supervisor}</option>
            <option value="administrator">{text.roles.administrator}</option>
          </select>
        )}
      </Field>
      <Field form={form} name="capacity" label={text.capacity} scope={member.id}>
        {(control) => <input {...control} type="number" inputMode="numeric" value={capacity} onChange={(e) => { setCapacity(e.target.value); edited(); }} />}
      </Field>
      <label className="check">
        <input type="checkbox" checked={training} onChange={(e) => { setTraining(e.target.checked); edited(); }} /> {text.training}
      </label>
      <FormSubmit form={form} label={text.save} />
      {saved && <span role="status">{text.saved}</span>}
    </form>
  );
}

/** A supervisor's switch of a colleague's status, with the reason the hub records and tells the member. */
function StatusSwitchForm({ member, switchStatus, onSwitched }: { member: TeamMember; switchStatus: MembersActions['switchStatus']; onSwitched: () => void }) {
  const text = useText();
  const words = useWords(membersWords);
  const [status, setStatus] = useState<StatusSwitch['status']>(member.status === 'online' ? 'break' : 'online');
  const [reason, setReason] = useState('');
  const form = useServerForm(['status', 'reason'] as const);
  const submit = form.handle(async () => {
    await switchStatus(member.id, { status, reason });
    setReason('');
    onSwitched();
  });
  return (
    <form onSubmit={submit} aria-label={`${member.name} ${words.switchStatus}`} noValidate className="inline-fields">
      <Field form={form} name="status" label={words.newStatus} scope={`${member.id}-status`}>
        {(control) => (
          <select {...control} value={status} onChange={(e) => setStatus(e.target.value as StatusSwitch['status'])}>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {statusName(text, s)}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field form={form} name="reason" label={words.reason} hint={words.reasonHint} scope={`${member.id}-status`}>
        {(control) => <input {...control} value={reason} maxLength={200} onChange={(e) => setReason(e.target.value)} />}
      </Field>
      {/* The two refusals a switch meets in a working day, said in the page's language above the hub's sentence. */}
      {form.code === 'closed' && <p className="field-error">{words.closedRefusal}</p>}
      {form.code === 'member_deactivated' && <p className="field-error">{words.deactivatedRefusal}</p>}
      <FormSubmit form={form} label={words.switchButton} />
    </form>
  );
}

/** The statuses colleagues set for this member, read when opened and again after each switch from this page. */
function StatusHistory({ memberId, version }: { memberId: string; version: number }) {
  const text = useText();
  const words = useWords(membersWords);
  // `version` is in the dependencies so that a switch made here reads the history again.
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const load = useCallback(() => loadStatusChanges(memberId), [memberId, version]);
  const { data } = useResource(load);
  if (!data) return null;
  if (data.length === 0) return <p className="hint">{words.historyEmpty}</p>;
  return (
    <ol className="status-history" aria-label={words.history}>
      {data.map((change) => (
        <li key={`${change.at}-${change.status}`}>
          <time dateTime={change.at}>{new Date(change.at).toLocaleString()}</time> {fill(words.historyBy, { by: change.by.name ?? '—', status: statusName(text, change.status), reason: change.reason })}
        </li>
      ))}
    </ol>
  );
}
