import type { ChartSpec } from '../shared/chart-library';
import type { Breakdown, MemberDay, ReportGroup } from './useTeamReport';

/** The figures a group row and a member's day share. */
export type Figures = Pick<ReportGroup, 'conversations' | 'missed' | 'handled' | 'unhandled' | 'firstResponse' | 'handleTime' | 'ratings' | 'cannedReplyUses' | 'sales'>;
/** A day's, category's, channel's or store's figures: a member's day counts no product cards and no calls. */
export type GroupFigures = Figures & Pick<ReportGroup, 'productCards' | 'calls'>;

/** Each figure a chart can draw for every row, in the CSV's column order (the amount, one per currency, is in the table only). */
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

/** The figures only a group's row has, after the sales amount, in the CSV's column order. */
export const GROUP_METRICS = {
  productCardsSent: (row: GroupFigures) => row.productCards.sent,
  productCardsOpened: (row: GroupFigures) => row.productCards.opened,
  productCardsBought: (row: GroupFigures) => row.productCards.bought,
  videoCalls: (row: GroupFigures) => row.calls.count,
  // Rounded as the CSV's `video_call_minutes`, so the table and the chart show the file's number.
  videoCallMinutes: (row: GroupFigures) => Math.round(row.calls.seconds / 6) / 10,
} satisfies Record<string, (row: GroupFigures) => number | null>;

export type Metric = keyof typeof METRICS | keyof typeof GROUP_METRICS;
export const METRIC_NAMES = Object.keys(METRICS) as (keyof typeof METRICS)[];
export const GROUP_METRIC_NAMES = Object.keys(GROUP_METRICS) as (keyof typeof GROUP_METRICS)[];

/** One row of a section's table: its label(s) and its figures. */
export interface SectionRow {
  key: string;
  labels: string[];
  /** Each figure of the row by metric: a member's day has none of `GROUP_METRICS`. */
  values: Partial<Record<Metric, number | null>>;
  /** Sales credited, per currency in minor units. */
  amounts: Figures['sales']['amounts'];
  /** A member's day: whose line it is on (by id: two members may share a name). */
  series?: { id: string; name: string };
}

function valuesOf<Row>(metrics: Record<string, (row: Row) => number | null>, row: Row): SectionRow['values'] {
  return Object.fromEntries(Object.entries(metrics).map(([name, value]) => [name, value(row)]));
}

export function groupRows(groups: ReportGroup[], none: string, label: (key: string) => string = (key) => key): SectionRow[] {
  return groups.map((group) => ({
    key: group.key,
    labels: [group.key === '' ? none : label(group.key)],
    values: valuesOf<GroupFigures>({ ...METRICS, ...GROUP_METRICS }, group),
    amounts: group.sales.amounts,
  }));
}

export function memberRows(members: MemberDay[]): SectionRow[] {
  return members.map((row) => ({
    key: `${row.day}|${row.memberId}`,
    labels: [row.day, row.memberName],
    values: valuesOf<Figures>(METRICS, row),
    amounts: row.sales.amounts,
    series: { id: row.memberId, name: row.memberName },
  }));
}

/**
 * What a section's chart draws: the days and the members' days as lines over the days (one line per member), the
 * other groups as bars. Every point is a row of the section's table, unchanged.
 */
export function chartSpec(breakdown: Breakdown, rows: SectionRow[], metric: Metric, metricName: string): ChartSpec {
  const value = (row: SectionRow) => row.values[metric] ?? null;
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
          return row ? value(row) : null;
        }),
      })),
    };
  }
  return {
    kind: breakdown === 'day' ? 'line' : 'bar',
    labels: rows.map((row) => row.labels[0]),
    datasets: [{ label: metricName, data: rows.map(value) }],
  };
}
