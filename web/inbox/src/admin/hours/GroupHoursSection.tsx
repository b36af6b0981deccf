import { useCallback, useId, useState } from 'react';
import { fill, useWords } from '../../i18n';
import { useResource } from '../../shared/useResource';
import { HoursForm } from './HoursSection';
import { PreviewSentence } from './HoursPreview';
import { draftOf } from './hours-draft';
import { groupShiftPreview, loadGroupHours, loadGroups, saveGroupHours } from './useBusinessHours';
import { hoursWords } from './words';

/**
 * Each member group's shift: pick a group, and edit its own hours with the team's editor (or let it follow the
 * team's). The team's hours still bound every group (README, "Shifts per group"), so the saved shift's state is the
 * hub's answer for the two together.
 */
export function GroupHoursSection({ timeZone }: { timeZone: string }) {
  const words = useWords(hoursWords);
  const { data: groups } = useResource(loadGroups);
  const [groupId, setGroupId] = useState('');
  const pickerId = useId();
  const group = groups?.find((g) => g.id === groupId);
  return (
    <section aria-label={words.groupShifts}>
      <h2>{words.groupShifts}</h2>
      <p className="hint">{words.groupShiftsHint}</p>
      {groups && groups.length === 0 && <p className="hint">{words.noGroups}</p>}
      {groups && groups.length > 0 && (
        <p>
          <label htmlFor={pickerId}>{words.group}</label>{' '}
          <select id={pickerId} value={groupId} onChange={(e) => setGroupId(e.target.value)}>
            <option value="">{words.pickGroup}</option>
            {groups.map((g) => (
              <option key={g.id} value={g.id}>
                {g.name}
              </option>
            ))}
          </select>
        </p>
      )}
      {group && <GroupHours key={group.id} id={group.id} name={group.name} timeZone={timeZone} />}
    </section>
  );
}

function GroupHours({ id, name, timeZone }: { id: string; name: string; timeZone: string }) {
  const words = useWords(hoursWords);
  const { data: saved, reload } = useResource(useCallback(() => Promise.all([loadGroupHours(id), groupShiftPreview(id)]), [id]));
  if (!saved) return null;
  const [hours, preview] = saved;
  return (
    <>
      <p role="status" aria-label={fill(words.groupShiftNow, { name })}>
        {fill(words.groupShiftNow, { name })}: <PreviewSentence preview={preview} />
      </p>
      <HoursForm
        title={fill(words.groupShiftOf, { name })}
        initial={draftOf(hours.businessHours, timeZone)}
        save={async (next) => {
          await saveGroupHours(id, next);
          await reload();
        }}
        field="businessHours"
        withoutHours={{ label: words.followTeam, hint: words.followTeamHint }}
      />
    </>
  );
}
