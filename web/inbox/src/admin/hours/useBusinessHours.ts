import { answer, hub } from '../../api';
import type { RequestBody, Views } from '../../api';
import { useResource } from '../../shared/useResource';

/** Business hours as the hub keeps them in the team's settings (null: always open). */
export type BusinessHours = NonNullable<RequestBody<'/api/business-hours/preview', 'post'>['businessHours']>;
export type OpeningPreview = Views['OpeningPreview'];

const loadTeam = () => answer(hub.GET('/api/teams/current'));

/** The team's business hours and time zone, saving both back, and what hours being edited would mean now. */
export function useBusinessHours() {
  const { data: team, reload } = useResource(loadTeam);
  const save = async (businessHours: BusinessHours | null, timeZone: string) => {
    await answer(hub.PATCH('/api/teams/current', { body: { timeZone, settings: { businessHours } } }));
    await reload();
  };
  return { team, save };
}

/** Open now or not, until when and the next opening, for hours not saved yet, by the hub's clock (nothing is stored). */
export const previewHours = (businessHours: BusinessHours | null, timeZone: string) =>
  answer(hub.POST('/api/business-hours/preview', { body: { businessHours, timeZone } }));

/** A member group's own shift (null: it follows the team's hours), saving it back, and what the saved one means now. */
export const loadGroupHours = (id: string) => answer(hub.GET('/api/groups/{id}/hours', { params: { path: { id } } }));
export const saveGroupHours = (id: string, businessHours: BusinessHours | null) =>
  answer(hub.PUT('/api/groups/{id}/hours', { params: { path: { id } }, body: { businessHours } }));
export const groupShiftPreview = (id: string) => answer(hub.GET('/api/groups/{id}/hours/preview', { params: { path: { id } } }));
export const loadGroups = async () => (await answer(hub.GET('/api/groups'))).items;
