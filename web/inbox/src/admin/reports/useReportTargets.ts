import { answer, hub } from '../../api';
import type { RequestBody, Views } from '../../api';
import { useResource } from '../../shared/useResource';

export type Group = Views['ChannelGroup'] & { channelId: string };

const loadTargets = async () => {
  const [channels, targets] = await Promise.all([answer(hub.GET('/api/channels')), answer(hub.GET('/api/teams/current/report-targets'))]);
  // Reports go to LINE groups the bot has joined: the groups of every LINE channel are the choices.
  const lines = channels.items.filter((c) => c.type === 'line');
  const groups = await Promise.all(lines.map((c) => answer(hub.GET('/api/channels/{id}/groups', { params: { path: { id: c.id } } })).then((page) => page.items.map((g) => ({ ...g, channelId: c.id })))));
  return { targets, groups: groups.flat() };
};

/** Which LINE group each kind of report goes to, and the groups there are to choose from. */
export function useReportTargets() {
  const { data, reload } = useResource(loadTargets);
  const save = async (targets: RequestBody<'/api/teams/current/report-targets', 'put'>) => {
    await answer(hub.PUT('/api/teams/current/report-targets', { body: targets }));
    await reload();
  };
  return { targets: data?.targets ?? {}, groups: data?.groups ?? [], save };
}
