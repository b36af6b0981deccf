import { Inject, Injectable } from '@nestjs/common';
import { CLOCK } from '../common/clock.js';
import type { Clock } from '../common/clock.js';
import { DATABASE } from '../common/database/database.js';
import type { Db } from '../common/database/database.js';
import { CustomerNotices } from '../channels/index.js';
import { ConversationsService, claimAwayNotice } from '../conversations/index.js';
import { TeamsService, describeOpening, nextOpening, readTeamSettings } from '../teams/index.js';

/** Why a customer waits: the team is closed, nobody is online, or everyone online is busy. */
export type WaitingReason = 'closed' | 'unavailable' | 'busy';

const DEFAULT_REPLIES = {
  closed: 'お問い合わせありがとうございます。ただいま営業時間外です。{opensAt}以降、順番にご返信いたします。',
  unavailable: 'お問い合わせありがとうございます。ただいま担当者が対応できません。順番にご返信いたします。',
};

/**
 * Tells a waiting customer why nobody answers yet (README, "Routing: presence, hours, offers"): a channel that shows
 * notices (the widget) shows it with the message form at once; other channels get one automatic reply per
 * conversation until the team opens again, so a customer who writes five lines at night gets one answer, not five.
 */
@Injectable()
export class AwayNoticeService {
  constructor(
    @Inject(DATABASE) private readonly db: Db,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly teams: TeamsService,
    private readonly notices: CustomerNotices,
    private readonly replies: ConversationsService,
  ) {}

  /** Nobody was offered the conversation: says why, to the customer. */
  async tell(conversationId: string): Promise<WaitingReason> {
    const now = this.clock.now();
    const conversation = await this.db.conversation.findUniqueOrThrow({ where: { id: conversationId }, include: { team: true } });
    const { open, opensAt, timeZone } = await this.teams.openingAt(conversation.teamId, now);
    const reason: WaitingReason = !open ? 'closed' : (await this.db.member.count({ where: { teamId: conversation.teamId, status: 'online' } })) === 0 ? 'unavailable' : 'busy';
    // A channel that shows notices (the widget) is told at once, with the message form; the others get a reply.
    if (await this.notices.notify(conversation, { type: 'waiting', conversationId, reason, opensAt, form: reason !== 'busy' })) return reason;
    if (reason === 'busy') return reason;
    const settings = readTeamSettings(conversation.team.settings);
    const template = settings.awayReplies?.[reason] === undefined ? DEFAULT_REPLIES[reason] : settings.awayReplies[reason];
    if (!template) return reason;
    // Once per closed period: told before the last opening means told in an earlier one.
    const toldAt = conversation.awayNoticeAt;
    if (toldAt) {
      const openedSince = nextOpening(settings.businessHours, timeZone, toldAt);
      if (!openedSince || openedSince > now) return reason;
    }
    const body = template
      .replaceAll('{opensAt}', opensAt ? describeOpening(opensAt, timeZone) : '')
      .replaceAll('{team.name}', conversation.team.name);
    // Asked before the claim, so a notice the send policy refuses (the customer opted out) is not used up.
    if (!(await this.replies.systemSendability(conversationId, body, 'automatic', now)).ok) return reason;
    // The conditional update is the claim: two messages arriving together send one notice.
    if (!(await claimAwayNotice(this.db, conversationId, toldAt, now))) return reason;
    await this.replies.systemReply(conversationId, body, 'automatic', now);
    return reason;
  }
}
