import { Injectable } from '@nestjs/common';
import type { Namespace } from 'socket.io';
import type { InboxMemberNotice, InboxServerEvents } from '../common/realtime/events/index.js';
import { NotificationsService } from './notifications.service.js';
import { PushDeliveriesService } from './push/push-deliveries.service.js';
import type { PushNews } from './push/push-deliveries.service.js';

/** The rooms the gateway puts sockets in: written here too so that news reaches the same sockets. */
const teamRoom = (teamId: string) => `team:${teamId}`;
const memberRoom = (memberId: string) => `member:${memberId}`;

type Rooms = Pick<Namespace, 'to'>;

/**
 * How a module the inbox does not know of (tickets) reaches agents: a frame to the team's sockets, or a notice kept
 * for members' bells, heard live on each of their devices and pushed to their phones. The gateway hands in its
 * namespace when it starts; through the Redis adapter a frame reaches sockets on every process.
 */
@Injectable()
export class MemberNews {
  private rooms: Rooms | null = null;

  constructor(
    private readonly bells: NotificationsService,
    private readonly pushes: PushDeliveriesService,
  ) {}

  /** Called by the gateway once its namespace is up. */
  attach(rooms: Rooms): void {
    this.rooms = rooms;
  }

  /** A frame to every agent of the team. */
  toTeam<E extends keyof InboxServerEvents>(teamId: string, event: E, ...payload: Parameters<InboxServerEvents[E]>): void {
    this.rooms?.to(teamRoom(teamId)).emit(event, ...payload);
  }

  /**
   * A notice for each member named: kept for their bell first (a member who reloads still finds it), then heard live,
   * then pushed (a push waits in its row while the push service is down).
   */
  async tell(teamId: string, memberIds: string[], notice: InboxMemberNotice, push?: PushNews): Promise<void> {
    for (const { memberId, view } of await this.bells.keep(teamId, memberIds, notice)) this.rooms?.to(memberRoom(memberId)).emit('notification.added', view);
    if (push && memberIds.length > 0) await this.pushes.push(memberIds, push);
  }
}
