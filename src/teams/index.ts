/** Teams, members, roles and sign-in: what other modules may use. */
export { TeamsModule } from './teams.module.js';
export { AuthGuard, CurrentMember, RequireRole, authenticate, authenticateSession, bearerToken, hasRole, sessionStillValid } from './auth.guard.js';
export type { AuthMember, Role } from './auth.guard.js';
export { ACCESS_TOKENS, AccessTokens } from './access-tokens.js';
export { TeamsService, normalizeEmail } from './teams.service.js';
export type { TeamProfile } from './teams.service.js';
export { REPORT_PLACEHOLDERS, readTeamSettings } from './team-settings.schema.js';
export { describeOpening, isOpen, nextChange, nextOpening, openMillisBetween } from './business-hours.js';
export type { BusinessHours } from './business-hours.js';
export type { TeamSettings } from './team-settings.schema.js';
export { MembersService } from './members.service.js';
export { MemberActivity, MemberDevices, deviceKindOf } from './member-devices.js';
export type { ConnectedDevice } from './member-devices.js';
export { GroupsService } from './groups.service.js';
export type { GroupView, TeamShifts } from './groups.service.js';
export { memberOnShift, memberSwitchedByShift, nextShiftEdge } from './group-shifts.js';
export { TeamEvents } from './team.events.js';
export type { TeamEventMap } from './team.events.js';
