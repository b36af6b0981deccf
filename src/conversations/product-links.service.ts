import { Inject, Injectable } from '@nestjs/common';
import { DATABASE } from '../common/database/database.js';
import type { Db } from '../common/database/database.js';
import { CLOCK } from '../common/clock.js';
import type { Clock } from '../common/clock.js';
import { notFound } from '../common/errors/domain-error.js';
import { ConversationEvents } from './conversation.events.js';
import { toMessageView } from './conversation.views.js';
import { productCardOpened } from './delivery.repository.js';

/**
 * A product card's tracked link being opened: the customer goes on to the product page saved with the card, and
 * the card reads as opened in the agent's thread, at once (`message.updated`). A link-preview robot (LINE and
 * WhatsApp fetch a link to draw its preview) goes on too, and counts for nothing.
 */
@Injectable()
export class ProductLinksService {
  constructor(
    @Inject(DATABASE) private readonly db: Db,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly events: ConversationEvents,
  ) {}

  /** The product page the link leads to; 404 `not_found` for a token this hub never gave (or a withdrawn card's). */
  async open(token: string, opener: { robot: boolean }): Promise<string> {
    if (opener.robot) {
      const link = await this.db.productLink.findUnique({ where: { token }, select: { targetUrl: true } });
      if (!link) throw notFound('The product link');
      return link.targetUrl;
    }
    const opened = await productCardOpened(this.db, token, this.clock.now());
    if (!opened) throw notFound('The product link');
    if (opened.message) {
      // The first opening of this card: its message now says so, live on every agent's screen.
      this.events.emit('message.updated', { teamId: opened.teamId, message: toMessageView(opened.message) });
    }
    return opened.targetUrl;
  }
}
