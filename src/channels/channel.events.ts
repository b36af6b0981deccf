import { DomainEvents } from '../common/events/domain-events.js';

/** Emitted after the change is stored; `teamId` scopes who may hear them. */
export interface ChannelEventMap {
  [name: string]: unknown;
  /** The bot joined a LINE group or room (a place reports can go). */
  'group.joined': { teamId: string; channelId: string; groupId: string };
  /** The bot was removed from a group or room it was in: reports mapped to it cannot be posted any more. */
  'group.left': { teamId: string; channelId: string; groupId: string; name: string | null };
}

export class ChannelEvents extends DomainEvents<ChannelEventMap> {}
