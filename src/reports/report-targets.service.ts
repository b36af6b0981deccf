import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { DATABASE } from '../common/database/database.js';
import type { Db, Tx } from '../common/database/database.js';
import { DomainError } from '../common/errors/domain-error.js';
import { EventLog } from '../common/events/event-log.js';
import type { ErrorDetail } from '../common/errors/domain-error.js';
import { ChannelEvents } from '../channels/index.js';
import { REPORTS_CONSUMER, ReportEvents } from './report.events.js';

export interface ReportTargetView {
  channelId: string;
  groupId: string;
  /** The group's name from LINE's group summary, once known. */
  name: string | null;
  /** `gone`: the bot was removed from the group; reports for this purpose fail until another is chosen. */
  status: 'active' | 'gone';
}

/** Which LINE group each report purpose is posted to (`PUT /api/teams/current/report-targets`). */
@Injectable()
export class ReportTargetsService implements OnModuleInit {
  constructor(
    @Inject(DATABASE) private readonly db: Db,
    private readonly channelEvents: ChannelEvents,
    private readonly events: ReportEvents,
    private readonly eventLog: EventLog,
  ) {}

  onModuleInit(): void {
    this.channelEvents.on('group.left', async ({ teamId, channelId, groupId, name }) => {
      const mapped = await this.db.reportTarget.findMany({ where: { teamId, channelId, groupId }, select: { purpose: true } });
      // A group nobody mapped is only marked gone in the channel's group list; administrators are told when reports
      // would have gone there.
      if (mapped.length > 0) this.events.emit('report-target.gone', { teamId, channelId, groupId, name, purposes: mapped.map((m) => m.purpose) });
    });
  }

  async read(teamId: string): Promise<Record<string, ReportTargetView>> {
    const targets = await this.db.reportTarget.findMany({ where: { teamId }, orderBy: { purpose: 'asc' } });
    const groups = await this.db.channelGroup.findMany({ where: { teamId, OR: targets.map((t) => ({ channelId: t.channelId, groupId: t.groupId })) } });
    const view: Record<string, ReportTargetView> = {};
    for (const target of targets) {
      const group = groups.find((g) => g.channelId === target.channelId && g.groupId === target.groupId);
      view[target.purpose] = { channelId: target.channelId, groupId: target.groupId, name: group?.name ?? null, status: group?.status ?? 'gone' };
    }
    return view;
  }

  /** Replaces the whole mapping. Each group must be one the team's LINE channel's bot is in now. */
  async replace(teamId: string, mapping: Record<string, { channelId: string; groupId: string }>): Promise<Record<string, ReportTargetView>> {
    const details: ErrorDetail[] = [];
    for (const [purpose, target] of Object.entries(mapping)) {
      const channel = await this.db.channel.findFirst({ where: { id: target.channelId, teamId }, select: { type: true } });
      if (!channel) {
        details.push({ field: `${purpose}.channelId`, message: 'is not a channel of your team' });
        continue;
      }
      if (channel.type !== 'line') {
        details.push({ field: `${purpose}.channelId`, message: `is a ${channel.type} channel; reports go to LINE groups` });
        continue;
      }
      const group = await this.db.channelGroup.findUnique({ where: { channelId_groupId: { channelId: target.channelId, groupId: target.groupId } } });
      if (!group) details.push({ field: `${purpose}.groupId`, message: 'is not a group this channel’s bot has joined' });
      else if (group.status === 'gone') details.push({ field: `${purpose}.groupId`, message: 'is a group the bot has left; invite it back first' });
    }
    if (details.length > 0) throw new DomainError('invalid', 'invalid_report_target', 'Some report targets are not LINE groups the bot is in.', details);
    await this.db.$transaction(async (tx: Tx) => {
      await tx.reportTarget.deleteMany({ where: { teamId, purpose: { notIn: Object.keys(mapping) } } });
      for (const [purpose, target] of Object.entries(mapping)) {
        await tx.reportTarget.upsert({
          where: { teamId_purpose: { teamId, purpose } },
          create: { teamId, purpose, channelId: target.channelId, groupId: target.groupId },
          update: { channelId: target.channelId, groupId: target.groupId },
        });
      }
    });
    // Whether the team's resolutions are logged for their reports follows whether it reports anywhere.
    await this.eventLog.interestChanged(REPORTS_CONSUMER, teamId);
    return this.read(teamId);
  }

  /** Where a purpose posts now, or null when nothing is mapped to it. */
  async targetOf(teamId: string, purpose: string): Promise<{ channelId: string; groupId: string } | null> {
    const target = await this.db.reportTarget.findUnique({ where: { teamId_purpose: { teamId, purpose } } });
    return target ? { channelId: target.channelId, groupId: target.groupId } : null;
  }

  /** A team that mapped no purpose at all does not report to LINE. */
  async reports(teamId: string): Promise<boolean> {
    return (await this.db.reportTarget.count({ where: { teamId } })) > 0;
  }
}
