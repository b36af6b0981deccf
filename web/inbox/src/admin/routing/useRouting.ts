import { answer, hub } from '../../api';
import type { RequestBody, Views } from '../../api';
import { useResource } from '../../shared/useResource';

export type Group = Views['ChannelGroup'] & { channelId: string };
export type Target = Views['ReportTarget'];
export type CannedReply = Views['CannedReply'];

const loadRouting = async () => {
  const [channels, canned, targets] = await Promise.all([answer(hub.GET('/api/channels')), answer(hub.GET('/api/canned-replies')), answer(hub.GET('/api/teams/current/report-targets'))]);
  // Reports go to LINE groups the bot has joined: the groups of every LINE channel are the choices.
  const lines = channels.items.filter((c) => c.type === 'line');
  const groups = await Promise.all(lines.map((c) => answer(hub.GET('/api/channels/{id}/groups', { params: { path: { id: c.id } } })).then((page) => page.items.map((g) => ({ ...g, channelId: c.id })))));
  return { canned: canned.items, targets, groups: groups.flat() };
};

/** Where reports go, and the team's canned replies. */
export function useRouting() {
  const { data, reload } = useResource(loadRouting);
  const saveTargets = async (targets: RequestBody<'/api/teams/current/report-targets', 'put'>) => {
    await answer(hub.PUT('/api/teams/current/report-targets', { body: targets }));
    await reload();
  };
  const addCanned = async (body: RequestBody<'/api/canned-replies', 'post'>) => {
    await answer(hub.POST('/api/canned-replies', { body }));
    await reload();
  };
  return { canned: data?.canned ?? [], targets: data?.targets ?? {}, groups: data?.groups ?? [], saveTargets, addCanned };
}
