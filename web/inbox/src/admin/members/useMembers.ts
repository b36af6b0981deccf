import { answer, hub } from '../../api';
import type { RequestBody, Views } from '../../api';
import { useResource } from '../../shared/useResource';

export type TeamMember = Views['MemberWithDevices'];
export type TeamGroup = Views['Group'];
export type StatusChange = Views['PresenceChange'];
export type MemberPatch = RequestBody<'/api/members/{id}', 'patch'>;
export type StatusSwitch = RequestBody<'/api/members/{id}/status', 'put'>;

const loadMembers = async () => {
  const [members, groups, team] = await Promise.all([answer(hub.GET('/api/members')), answer(hub.GET('/api/groups')), answer(hub.GET('/api/teams/current'))]);
  return { members: members.items, groups: groups.items, invite: { code: team.inviteCode ?? '', expiresAt: team.inviteCodeExpiresAt ?? null } };
};

/**
 * The team's members, groups and invite code, and every change an administrator makes to them; each change reads the
 * whole list again, so a change the hub made alongside (a group's members, a status) shows at once.
 */
export function useMembers() {
  const { data, reload } = useResource(loadMembers);
  const after = async (call: Promise<unknown>) => {
    await call;
    await reload();
  };
  const path = (id: string) => ({ params: { path: { id } } });
  return {
    members: data?.members ?? [],
    groups: data?.groups ?? [],
    invite: data?.invite ?? null,
    reload,
    update: (id: string, body: MemberPatch) => after(answer(hub.PATCH('/api/members/{id}', { ...path(id), body }))),
    switchStatus: (id: string, body: StatusSwitch) => after(answer(hub.PUT('/api/members/{id}/status', { ...path(id), body }))),
    deactivate: (id: string) => after(answer(hub.DELETE('/api/members/{id}', path(id)))),
    reactivate: (id: string) => after(answer(hub.POST('/api/members/{id}/reactivate', path(id)))),
    rotateInvite: () => after(answer(hub.POST('/api/teams/current/invite-code'))),
    createGroup: (name: string) => after(answer(hub.POST('/api/groups', { body: { name } }))),
    updateGroup: (id: string, body: RequestBody<'/api/groups/{id}', 'patch'>) => after(answer(hub.PATCH('/api/groups/{id}', { ...path(id), body }))),
    deleteGroup: (id: string) => after(answer(hub.DELETE('/api/groups/{id}', path(id)))),
  };
}

export type MembersActions = ReturnType<typeof useMembers>;

/** The statuses colleagues set for one member, latest first (read when their history is opened, and after a switch). */
export const loadStatusChanges = async (id: string) => (await answer(hub.GET('/api/members/{id}/status-changes', { params: { path: { id } } }))).items;
