/**
 * Reports to LINE groups: report targets (purposes mapped to the groups the bot is in), the texts and triggers
 * (taking a chat, handoff, resolution, end of shift), store detection, and delivery with LINE's retry key.
 */
export { ReportsModule } from './reports.module.js';
export { ReportsService } from './reports.service.js';
export { ReportEvents } from './report.events.js';
export type { ReportEventMap } from './report.events.js';
export type { ReportView } from './report.views.js';
