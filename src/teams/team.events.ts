import { DomainEvents } from '../common/events/domain-events.js';

export interface TeamEventMap {
  [name: string]: unknown;
  'presence.updated': { teamId: string; memberId: string; status: 'online' | 'break' | 'offline'; reason?: string };
  /** A supervisor or administrator switched the member's status, with a reason: the member's devices are told. */
  'presence.set': { teamId: string; memberId: string; status: 'online' | 'break' | 'offline'; reason: string; by: { id: string; name: string }; at: Date };
  /** Name, time zone or settings changed (business hours among them), or a group's hours or members: shifts may differ. */
  'team.updated': { teamId: string };
  /**
   * Tokens below `tokenVersion` are retired (password change, deactivation, "log out everywhere"): devices still connected with one are
   * signed out.
   */
  'member.tokens_revoked': { teamId: string; memberId: string; tokenVersion: number; reason: 'password_changed' | 'member_deactivated' | 'session_revoked' };
  /** An administrator deactivated the member: what they held goes back to the team. */
  'member.deactivated': { teamId: string; memberId: string };
}

export class TeamEvents extends DomainEvents<TeamEventMap> {}
