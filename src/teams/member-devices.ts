import { Inject, Injectable } from '@nestjs/common';
import { CLOCK } from '../common/clock.js';
import type { Clock } from '../common/clock.js';
import { DATABASE } from '../common/database/database.js';
import type { Db } from '../common/database/database.js';
import { logger } from '../common/logging/logger.js';

/** What kind of device a browser's user agent says it is, for the members list to show an icon. */
export type DeviceKind = 'mobile' | 'tablet' | 'desktop' | 'other';

/** One of a member's connected devices: one live `/inbox` socket, on whichever hub process holds it. */
export interface MemberDevice {
  kind: DeviceKind;
  userAgent: string | null;
  connectedAt: Date;
}

/** A device as the socket layer reports it, with the member it is signed in as. */
export type ConnectedDevice = MemberDevice & { memberId: string };

/** Reads a user agent coarsely: tablets first (an iPad or Android tablet also says "Mobile" at times). */
export function deviceKindOf(userAgent: string | null): DeviceKind {
  if (!userAgent) return 'other';
  if (/iPad|Tablet|Android(?!.*Mobile)/i.test(userAgent)) return 'tablet';
  if (/Mobi|iPhone|iPod|Android/i.test(userAgent)) return 'mobile';
  if (/Windows|Macintosh|Linux|X11|CrOS/i.test(userAgent)) return 'desktop';
  return 'other';
}

/**
 * The members' connected devices, as the socket layer knows them. The inbox gateway attaches the source when it
 * starts: it asks every hub process (socket.io's adapter), so the answer is the cluster's, not this process's.
 * Teams own the members list; the sockets belong to the inbox, which `teams` may not import.
 */
@Injectable()
export class MemberDevices {
  private source: ((teamId: string) => Promise<ConnectedDevice[]>) | null = null;

  attach(source: (teamId: string) => Promise<ConnectedDevice[]>): void {
    this.source = source;
  }

  /** The team's devices by member; null when they cannot be known now (no socket layer, a process not answering). */
  async ofTeam(teamId: string): Promise<Map<string, MemberDevice[]> | null> {
    if (!this.source) return null;
    try {
      const byMember = new Map<string, MemberDevice[]>();
      for (const { memberId, ...device } of await this.source(teamId)) byMember.set(memberId, [...(byMember.get(memberId) ?? []), device]);
      return byMember;
    } catch (error) {
      // Another process did not answer within the adapter's timeout: the list is still answered, without devices.
      logger.warn({ err: error, teamId }, 'connected devices could not be listed');
      return null;
    }
  }
}

/** A minute: how finely `lastActiveAt` is kept, so that a busy member costs one write a minute, not one a request. */
const ACTIVITY_RESOLUTION_MS = 60_000;

/** Records when a member last used the hub: any authenticated request, any socket event of theirs. */
@Injectable()
export class MemberActivity {
  /** When this process last wrote each member's activity. */
  private readonly written = new Map<string, number>();

  constructor(
    @Inject(DATABASE) private readonly db: Db,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async record(memberId: string): Promise<void> {
    const now = this.clock.now();
    const last = this.written.get(memberId);
    if (last !== undefined && now.getTime() - last < ACTIVITY_RESOLUTION_MS) return;
    this.written.set(memberId, now.getTime());
    // Conditional: several processes recording the same minute write once; an older time never overwrites a newer.
    await this.db.member.updateMany({
      where: { id: memberId, OR: [{ lastActiveAt: null }, { lastActiveAt: { lt: new Date(now.getTime() - ACTIVITY_RESOLUTION_MS) } }] },
      data: { lastActiveAt: now },
    });
  }
}
