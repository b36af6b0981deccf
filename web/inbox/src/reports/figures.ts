import type { ChartSpec } from '../shared/chart-library';
import type { Breakdown, MemberDay, ReportGroup } from './useTeamReport';

/** The figures a group row and a member's day share. */
export type Figures = Pick<ReportGroup, 'conversations' | 'missed' | 'handled' | 'unhandled' | 'firstResponse' | 'handleTime' | 'ratings' | 'cannedReplyUses' | 'sales'>;

/** Each figure a chart can draw, in the CSV's column order (the amount, one per currency, is in the table only). */
export const METRICS = {
  conversations: (row: Figures) => row.conversations,
  missed: (row: Figures) => row.missed,
  handled: (row: Figures) => row.handled,
  unhandled: (row: Figures) => row.unhandled,
  firstResponseMedian: (row: Figures) => row.firstResponse.medianSeconds,
  firstResponseP90: (row: Figures) => row.firstResponse.p90Seconds,
  handleTimeMedian: (row: Figures) => row.handleTime.medianSeconds,
  handleTimeP90: (row: Figures) => row.handleTime.p90Seconds,
  ratings: (row: Figures) => row.ratings.count,
  ratingAverage: (row: Figures) => row.ratings.average,
  cannedReplyUses: (row: Figures) => row.cannedReplyUses,
  sales: (row: Figures) => row.sales.count,
} satisfies Record<string, (row: Figures) => number | null>;

export type Metric = keyof typeof METRICS;
export const METRIC_NAMES = Object.keys(METRICS) as Metric[];

/** One row of a section's table: its label(s) and its figures. */
export interface SectionRow {
  key: string;
  labels: string[];
  figures: Figures;
  /** A member's day: whose line it is on (by id: two members may share a name). */
  series?: { id: string; name: string };
}

export function groupRows(groups: ReportGroup[], none: string, label: (key: string) => string = (key) => key): SectionRow[] {
  return groups.map((group) => ({ key: group.key, labels: [group.key === '' ? none : label(group.key)], figures: group }));
}

export function memberRows(members: MemberDay[]): SectionRow[] {
  return members.map((row) => ({ key: `${row.day}|${row.memberId}`, labels: [row.day, row.memberName], figures: row, series: { id: row.memberId, name: row.memberName } }));
}

/**
 * What a section's chart draws: the days and the members' days as lines over the days (one line per member), the
 * other groups as bars. Every point is a row of the section's table, unchanged.
 */
export function chartSpec(breakdown: Breakdown, rows: SectionRow[], metric: Metric, metricName: string): ChartSpec {
  const value = METRICS[metric];
  if (breakdown === 'member') {
    const days = [...new Set(rows.map((row) => row.labels[0]))].sort();
    const members = new Map(rows.flatMap((row) => (row.series ? [[row.series.id, row.series.name] as const] : [])));
    return {
      kind: 'line',
      labels: days,
      datasets: [...members].map(([id, name]) => ({
        label: name,
        data: days.map((day) => {
          const row = rows.find((candidate) => candidate.labels[0] === day && candidate.series?.id === id);
          return row ? value(row.figures) : null;
        }),
      })),
    };
  }
  return {
    kind: breakdown === 'day' ? 'line' : 'bar',
    labels: rows.map((row) => row.labels[0]),
    datasets: [{ label: metricName, data: rows.map((row) => value(row.figures)) }],
  };
}
