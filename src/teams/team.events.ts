import { DomainEvents } from '../common/events/domain-events.js';

export interface TeamEventMap {
  [name: string]: unknown;
  'presence.updated': { teamId: string; memberId: string; status: 'online' | 'break' | 'offline'; reason?: string };
  /** Name, time zone or settings changed (business hours among them). */
  'team.updated': { teamId: string };
}

export class TeamEvents extends DomainEvents<TeamEventMap> {}
