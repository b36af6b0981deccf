import { useCallback } from 'react';
import { answer, ApiError, hub, session } from '../api';
import type { Views } from '../api';
import { saveFile } from '../shared/download';
import { useResource } from '../shared/useResource';

export type TeamReport = Views['TeamReport'];
export type ReportGroup = Views['TeamReportGroup'];
export type MemberDay = TeamReport['members'][number];
/** Which rows a section shows: the same names the hub's `breakdown` takes for the CSV. */
export type Breakdown = 'day' | 'member' | 'category' | 'channel' | 'store';
export interface Period {
  from: string;
  to: string;
}

/**
 * The team report of a period (days in the team's time zone), read from `GET /api/reports/team`: the charts, the
 * tables and the CSV downloads all come from that one route, so what a chart draws is what the CSV holds.
 */
export function useTeamReport(period: Period) {
  const load = useCallback(async (): Promise<TeamReport | ApiError> => {
    try {
      const report = await answer(hub.GET('/api/reports/team', { params: { query: { from: period.from, to: period.to } } }));
      // The route answers text only when asked for `format=csv`.
      if (typeof report === 'string') throw new Error('The hub answered the report as text.');
      return report;
    } catch (failure) {
      // A refusal (a period the hub does not take) is shown beside the dates; anything else is the error boundary's.
      if (failure instanceof ApiError) return failure;
      throw failure;
    }
  }, [period.from, period.to]);
  const { data } = useResource(load);
  return { report: data instanceof ApiError ? null : data, refusal: data instanceof ApiError ? data : null };
}

/**
 * The CSV of one breakdown, fetched with the member's token (a plain link would carry none) and handed to the
 * browser as a download under the name the hub gave it.
 */
export async function downloadCsv(period: Period, breakdown: Breakdown): Promise<void> {
  const query = new URLSearchParams({ from: period.from, to: period.to, format: 'csv', breakdown });
  const response = await fetch(`/api/reports/team?${query}`, { headers: { authorization: `Bearer ${session.token ?? ''}` } });
  if (!response.ok) {
    const refusal = (await response.json().catch(() => ({}))) as { code?: string; message?: string };
    throw new ApiError(response.status, refusal.code ?? 'error', refusal.message ?? response.statusText);
  }
  const name = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? `report-${breakdown}.csv`;
  saveFile(await response.blob(), name);
}
