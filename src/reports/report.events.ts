import { DomainEvents } from '../common/events/domain-events.js';
import type { ReportView } from './report.views.js';

/** Emitted after commit; `teamId` scopes who may hear them. */
export interface ReportEventMap {
  [name: string]: unknown;
  /** A report was written, sent, failed, or is being retried. */
  'report.updated': { teamId: string; report: ReportView };
  /** The bot left a group that reports were mapped to: administrators must choose another. */
  'report-target.gone': { teamId: string; channelId: string; groupId: string; name: string | null; purposes: string[] };
}

export class ReportEvents extends DomainEvents<ReportEventMap> {}

/** The event log's consumer name for the reports module; its interest changes with the team's report targets. */
export const REPORTS_CONSUMER = 'reports';
