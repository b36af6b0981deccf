import { isOpen, nextChange } from './business-hours.js';
import type { BusinessHours } from './business-hours.js';

/**
 * Shifts per member group (README, "Shifts per group"). The team's hours say when the team takes chats at all (what
 * customers are told, who may go online); a group's own hours are its shift inside them. So a group is on shift when
 * the team is open and, if it has hours of its own, they are open too: whatever closes the team (its holidays, its
 * national holidays) closes every group, and a group may close on more days itself. A group without hours is on
 * shift whenever the team is open.
 */
export interface TeamSchedule {
  hours: BusinessHours | null;
  timeZone: string;
}

export function groupOnShift(team: TeamSchedule, groupHours: BusinessHours | null, now: Date): boolean {
  return isOpen(team.hours, team.timeZone, now) && (groupHours === null || isOpen(groupHours, team.timeZone, now));
}

/**
 * A member is on shift when any of their groups is (the union of their shifts); a member in no group follows the
 * team's hours.
 */
export function memberOnShift(team: TeamSchedule, groupsHours: Array<BusinessHours | null>, now: Date): boolean {
  if (groupsHours.length === 0) return isOpen(team.hours, team.timeZone, now);
  return groupsHours.some((hours) => groupOnShift(team, hours, now));
}

/**
 * Whether the hub switches the member on and off by their shift: each schedule they follow (a group's own hours, or
 * the team's for a group without hours or a member in none) may say so, and one that does is enough.
 */
export function memberSwitchedByShift(team: TeamSchedule, groupsHours: Array<BusinessHours | null>): boolean {
  const followed = groupsHours.length === 0 ? [team.hours] : groupsHours.map((hours) => hours ?? team.hours);
  return followed.some((hours) => hours?.switchMembers === true);
}

/**
 * The next instant after `now` at which the team or any of these groups opens or closes: every change of any shift
 * happens at one of these edges. Null: nothing ever changes.
 */
export function nextShiftEdge(team: TeamSchedule, groupsHours: Array<BusinessHours | null>, now: Date): Date | null {
  const edges = [team.hours, ...groupsHours]
    .map((hours) => nextChange(hours, team.timeZone, now))
    .filter((edge): edge is Date => edge !== null);
  return edges.length === 0 ? null : new Date(Math.min(...edges.map((edge) => edge.getTime())));
}

/** How many edges a preview walks at most: a year of two shifts a day with a lunch break is well inside. */
const PREVIEW_EDGES = 3000;

/**
 * A group's shift as the team's opening preview reads: on shift now or not, until when, and the next start after
 * that. `until` and `next` are null when there is no such change within the hours' horizon.
 */
export function groupShiftPreview(team: TeamSchedule, groupHours: BusinessHours | null, now: Date): { openNow: boolean; until: Date | null; next: Date | null } {
  const onShift = (at: Date) => groupOnShift(team, groupHours, at);
  const openNow = onShift(now);
  const flip = (from: Date, wanted: boolean): Date | null => {
    let at = from;
    for (let step = 0; step < PREVIEW_EDGES; step++) {
      const edge = nextShiftEdge(team, [groupHours], at);
      if (!edge) return null;
      if (onShift(edge) === wanted) return edge;
      at = edge;
    }
    return null;
  };
  const until = openNow ? flip(now, false) : null;
  const next = openNow && !until ? null : flip(until ?? now, true);
  return { openNow, until, next };
}
