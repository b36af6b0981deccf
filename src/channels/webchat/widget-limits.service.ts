import { Inject, Injectable } from '@nestjs/common';
import { HUB_CONFIG } from '../../common/config/config.js';
import type { HubConfig, WidgetLimits } from '../../common/config/config.js';
import { DomainError } from '../../common/errors/domain-error.js';
import { RATE_LIMITER } from '../../common/rate-limit/rate-limiter.js';
import type { RateLimit, RateLimiter } from '../../common/rate-limit/rate-limiter.js';
import { TeamsService } from '../../teams/index.js';
import type { ChannelAccount } from '../channel-adapter.js';

/** Typing previews are worth a couple a second; more is a script fanning frames out to every agent's screen. */
const TYPING: RateLimit = { name: 'widget.typing.visitor', points: 2, perSeconds: 1, what: 'typing frames' };
/** Many visitor ids from one address (a script drops its id each time) share this: an office of typists rarely tops it. */
const TYPING_PER_ADDRESS: RateLimit = { name: 'widget.typing.address', points: 5, perSeconds: 1, what: 'typing frames from your network' };

/**
 * Frames that write a row (or notify supervisors) each time, per visitor and per client address per minute: far above
 * what a person does (a pre-chat form, a page view per click, one rating), well below a loop.
 */
const FRAME_BUDGETS = {
  // A claim row per address, a merge proposal and a supervisor notification when another contact holds it.
  identify: { points: 10, what: 'identify requests' },
  // A visitor_pages row each (the access log of a single-page shop).
  page: { points: 60, what: 'page changes' },
  rating: { points: 5, what: 'ratings' },
  // A ledger row per agreement (once per notice version): a person ticks the box once.
  consent: { points: 10, what: 'agreements' },
} as const;
export type BudgetedFrame = keyof typeof FRAME_BUDGETS;

/**
 * The widget's abuse limits, per client address and per visitor, counted per team with the team's own numbers
 * (settings.widgetLimits) or the operator's defaults. A refusal is 429 `rate_limited` with `retryAfterSeconds`.
 */
@Injectable()
export class WidgetLimitsService {
  constructor(
    @Inject(RATE_LIMITER) private readonly limiter: RateLimiter,
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
    private readonly teams: TeamsService,
  ) {}

  /** Any handshake from this client address, to any team: counted before its channel is looked up. */
  async handshake(address: string): Promise<void> {
    const points = this.config.widgetHandshakesPerMinute;
    await this.limiter.consume({ name: 'widget.handshake.address', points, perSeconds: 60, what: 'chat connections from your network' }, address);
  }

  /** A new widget session (a handshake) from this client address. */
  async session(channel: ChannelAccount, address: string): Promise<void> {
    const { sessionsPerMinute } = await this.limits(channel.teamId);
    await this.limiter.consume({ name: 'widget.session.address', points: sessionsPerMinute, perSeconds: 60, what: 'new chats from your network' }, `${channel.teamId}:${address}`);
  }

  /** A message (or a message form) from this visitor, and from this address across all its visitors. */
  async message(channel: ChannelAccount, visitorId: string, address: string): Promise<void> {
    const { messagesPerMinute } = await this.limits(channel.teamId);
    await this.limiter.consume({ name: 'widget.message.visitor', points: messagesPerMinute, perSeconds: 60, what: 'messages' }, `${channel.id}:${visitorId}`);
    await this.limiter.consume({ name: 'widget.message.address', points: messagesPerMinute, perSeconds: 60, what: 'messages from your network' }, `${channel.teamId}:${address}`);
  }

  /** An identify, page or rating frame from this visitor, and from this address across all its visitors. */
  async frame(frame: BudgetedFrame, channel: ChannelAccount, visitorId: string, address: string): Promise<void> {
    const { points, what } = FRAME_BUDGETS[frame];
    await this.limiter.consume({ name: `widget.${frame}.visitor`, points, perSeconds: 60, what }, `${channel.id}:${visitorId}`);
    await this.limiter.consume({ name: `widget.${frame}.address`, points, perSeconds: 60, what: `${what} from your network` }, `${channel.teamId}:${address}`);
  }

  /** false: drop this typing frame (silently: the visitor's widget has nothing to show for it). */
  async typing(channel: ChannelAccount, visitorId: string, address: string): Promise<boolean> {
    try {
      await this.limiter.consume(TYPING, `${channel.id}:${visitorId}`);
      await this.limiter.consume(TYPING_PER_ADDRESS, `${channel.teamId}:${address}`);
      return true;
    } catch (error) {
      if (error instanceof DomainError && error.kind === 'too_many_requests') return false;
      throw error;
    }
  }

  /** Read on every message: the team's profile is cached (see TeamsService.profile). */
  private async limits(teamId: string): Promise<WidgetLimits> {
    return { ...this.config.widgetLimits, ...(await this.teams.profile(teamId))?.settings.widgetLimits };
  }
}
