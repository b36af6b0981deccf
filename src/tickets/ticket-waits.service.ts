import { Inject, Injectable } from '@nestjs/common';
import { CACHE_INVALIDATION } from '../common/cache/cache-invalidation.js';
import type { CacheInvalidation } from '../common/cache/cache-invalidation.js';
import { InvalidatedCache } from '../common/cache/invalidated-cache.js';
import { DATABASE } from '../common/database/database.js';
import type { Db } from '../common/database/database.js';

// Minutes: a change is published the moment a ticket starts or stops waiting; the TTL only bounds a lost publication.
const WAITS_CACHE = { ttlMs: 10 * 60_000, maxEntries: 10_000 };

/**
 * Which contacts of a team have a ticket waiting on them, cached per team: every customer's message asks, and most
 * teams have none, so the ingest's hot path costs no statement for it once the team's entry is read. Any process
 * that moves a ticket into or out of `pending_customer` publishes the team's change to every process.
 */
@Injectable()
export class TicketWaits {
  private readonly waiting: InvalidatedCache<ReadonlySet<string>>;

  constructor(
    @Inject(DATABASE) private readonly db: Db,
    @Inject(CACHE_INVALIDATION) invalidation: CacheInvalidation,
  ) {
    this.waiting = new InvalidatedCache(invalidation, 'tickets-waiting', WAITS_CACHE);
  }

  async isWaitedOn(teamId: string, contactId: string): Promise<boolean> {
    const contacts = await this.waiting.get(teamId, async () => {
      const rows = await this.db.ticket.findMany({ where: { teamId, status: 'pending_customer', contactId: { not: null } }, select: { contactId: true }, distinct: ['contactId'] });
      return new Set(rows.map((row) => row.contactId!));
    });
    return contacts.has(contactId);
  }

  /** After the commit of a ticket starting or stopping to wait on its customer. */
  changed(teamId: string): Promise<void> {
    return this.waiting.changed(teamId);
  }
}
