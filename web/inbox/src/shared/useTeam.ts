import { answer, hub } from '../api';
import { useResource } from './useResource';

const loadTeam = () => answer(hub.GET('/api/teams/current'));

/** The member's team: its name, time zone and settings (the defaults a member's own choices start from). */
export function useTeam() {
  return useResource(loadTeam).data;
}
