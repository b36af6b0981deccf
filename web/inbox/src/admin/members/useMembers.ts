import { answer, hub } from '../../api';
import type { Views } from '../../api';
import { useResource } from '../../shared/useResource';

export type TeamMember = Views['Member'];

const loadMembers = async () => {
  const [members, team] = await Promise.all([answer(hub.GET('/api/members')), answer(hub.GET('/api/teams/current'))]);
  return { members: members.items, inviteCode: team.inviteCode ?? '' };
};

/** The team's members and its invite code, and the changes an administrator makes to a member. */
export function useMembers() {
  const { data, reload } = useResource(loadMembers);
  const update = async (id: string, body: { role?: TeamMember['role']; capacity?: number; training?: boolean }) => {
    await answer(hub.PATCH('/api/members/{id}', { params: { path: { id } }, body }));
    await reload();
  };
  return { members: data?.members ?? [], inviteCode: data?.inviteCode ?? '', update };
}
