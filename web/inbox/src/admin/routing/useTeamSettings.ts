import { answer, hub } from '../../api';
import type { RequestBody, Views } from '../../api';
import { useResource } from '../../shared/useResource';

/** The team's settings as the hub answers them (defaults filled in). */
export type TeamSettings = Views['Team']['settings'];
/** What a settings form sends: only the keys it changes (the hub keeps the others). */
export type SettingsPatch = NonNullable<RequestBody<'/api/teams/current', 'patch'>['settings']>;

/** What a form of some of the settings is given: the settings as saved, and how to save its part of them. */
export interface SettingsFormProps {
  settings: TeamSettings;
  save: (patch: SettingsPatch) => Promise<void>;
}

const loadTeam = () => answer(hub.GET('/api/teams/current'));

/** The team's settings, and saving some of them back (the hub checks the whole result and names the field it refuses). */
export function useTeamSettings() {
  const { data: team, reload } = useResource(loadTeam);
  const save = async (settings: SettingsPatch) => {
    await answer(hub.PATCH('/api/teams/current', { body: { settings } }));
    await reload();
  };
  return { team, settings: team?.settings ?? null, save };
}

/**
 * A number typed in a form as the hub will read it: a blank or a non-number goes as `null` (NaN in JSON), so the hub's
 * refusal, not the page, says what is wrong with it.
 */
export const typedNumber = (text: string): number => (text.trim() === '' ? Number.NaN : Number(text));

/** A number for a setting that may be switched off: blank means off (null). */
export const numberOrOff = (text: string): number | null => (text.trim() === '' ? null : Number(text));
