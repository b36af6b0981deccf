import { useText } from '../../i18n';
import { useSession } from '../../shared/session';
import { useInboxEvent } from '../../shared/socket';
import { GroupsCard } from './GroupsCard';
import { InviteCard } from './InviteCard';
import { MemberCard } from './MemberCard';
import { useMembers } from './useMembers';
import './members.css';

/**
 * `/app/admin/members`: the invite, each member (role, capacity, training, status with its history, devices, last
 * activity, deactivation) and the groups.
 */
export function MembersSection() {
  const text = useText();
  const { member: me } = useSession();
  const actions = useMembers();
  // A status switched elsewhere (by the member, a colleague, or the hours) and the devices that come with it show at once.
  useInboxEvent('presence.updated', () => void actions.reload());
  // Active members first, then the deactivated ones, each in the hub's order.
  const members = [...actions.members].sort((a, b) => Number(a.deactivatedAt !== null) - Number(b.deactivatedAt !== null));

  return (
    <>
      <InviteCard invite={actions.invite} rotateInvite={actions.rotateInvite} />
      <section aria-label={text.members}>
        <h2>{text.members}</h2>
        <div className="member-cards">
          {members.map((member) => (
            <MemberCard key={member.id} member={member} groups={actions.groups} isSelf={member.id === me.id} actions={actions} />
          ))}
        </div>
      </section>
      <GroupsCard groups={actions.groups} members={actions.members} actions={actions} />
    </>
  );
}
