import { answer, hub } from '../../api';
import type { RequestBody } from '../../api';
import { useResource } from '../../shared/useResource';

export type TeamSettings = NonNullable<RequestBody<'/api/teams/current', 'patch'>['settings']>;

const loadTeam = () => answer(hub.GET('/api/teams/current'));

/** The team's business hours as the hub keeps them in its settings, and saving them back. */
export function useBusinessHours() {
  const { data: team, reload } = useResource(loadTeam);
  const save = async (businessHours: TeamSettings['businessHours']) => {
    await answer(hub.PATCH('/api/teams/current', { body: { settings: { businessHours } } }));
    await reload();
  };
  return { team, businessHours: team?.settings.businessHours ?? null, save };
}
