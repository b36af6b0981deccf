import { Injectable, OnModuleInit } from '@nestjs/common';
import type { Tx } from '../common/database/database.js';
import { DomainError } from '../common/errors/domain-error.js';
import { EventLog } from '../common/events/event-log.js';
import type { EventConsumer, LoggedEvent } from '../common/events/event-log.js';
import { logger } from '../common/logging/logger.js';
import { REPORTS_CONSUMER } from './report.events.js';
import { ReportTriggersService } from './report-triggers.service.js';

/**
 * A resolution's report from its logged event: the event is written in the resolution's transaction, so the report
 * outlives a process that dies right after the commit (an in-process listener would lose it). Teams that report to no
 * LINE group log nothing for it.
 */
@Injectable()
export class ResolutionReports implements OnModuleInit, EventConsumer {
  readonly name = REPORTS_CONSUMER;

  constructor(
    private readonly eventLog: EventLog,
    private readonly triggers: ReportTriggersService,
  ) {}

  onModuleInit(): void {
    this.eventLog.register(this);
  }

  async interestedTypes(teamId: string, db: Tx): Promise<Set<string>> {
    return new Set((await db.reportTarget.count({ where: { teamId } })) > 0 ? ['conversation.resolved'] : []);
  }

  async handle(event: LoggedEvent): Promise<void> {
    if (event.type !== 'conversation.resolved' || !event.conversationId) return;
    const { assigneeId, resolvedBy, outcome } = event.data as { assigneeId: string | null; resolvedBy: string; outcome: string | null };
    try {
      await this.triggers.resolved(event.conversationId, assigneeId ?? resolvedBy, outcome, event.occurredAt);
    } catch (error) {
      // Its conversation was erased since: there is nothing left to report, and nothing to try again.
      if (!(error instanceof DomainError)) throw error;
      logger.warn({ err: error, eventId: event.id }, 'resolution not reported');
    }
  }
}
