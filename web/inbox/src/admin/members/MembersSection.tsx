import { useText } from '../../i18n';
import { FormRefusal, useServerForm } from '../../shared/forms';
import { useMembers } from './useMembers';
import type { TeamMember } from './useMembers';

/** `/app/admin/members`: each member's role, capacity and training, and the invite code a colleague signs up with. */
export function MembersSection() {
  const text = useText();
  const { members, inviteCode, update } = useMembers();
  const form = useServerForm([] as const);

  return (
    <section aria-label={text.members}>
      <h2>{text.members}</h2>
      <FormRefusal form={form} />
      <table>
        <thead>
          <tr>
            <th scope="col">{text.member}</th>
            <th scope="col">{text.role}</th>
            <th scope="col">{text.capacity}</th>
            <th scope="col">{text.training}</th>
          </tr>
        </thead>
        <tbody>
          {members.map((m) => (
            <tr key={m.id}>
              <td>
                {m.name} <span className="kind">{m.email}</span>
              </td>
              <td>
                <select aria-label={`${m.name} ${text.role}`} value={m.role} onChange={(e) => form.handle(() => update(m.id, { role: e.target.value as TeamMember['role'] }))()}>
                  <option value="operator">{text.roles.operator}</option>
                  <option value="supervisor">{text.roles.supervisor}</option>
                  <option value="administrator">{text.roles.administrator}</option>
                </select>
              </td>
              <td>
                <input
                  aria-label={`${m.name} ${text.capacity}`}
                  type="number"
                  min={0}
                  max={100}
                  defaultValue={m.capacity}
                  onBlur={(e) => Number(e.target.value) !== m.capacity && form.handle(() => update(m.id, { capacity: Number(e.target.value) }))()}
                />
              </td>
              <td>
                <input aria-label={`${m.name} ${text.training}`} type="checkbox" checked={m.training} onChange={(e) => form.handle(() => update(m.id, { training: e.target.checked }))()} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>{text.inviteCode}</h3>
      <p className="code">{inviteCode}</p>
      {inviteCode && <code className="embed">{`${location.origin}/app/join?code=${encodeURIComponent(inviteCode)}`}</code>}
    </section>
  );
}
