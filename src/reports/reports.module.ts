import { Module } from '@nestjs/common';
import { ChannelsModule } from '../channels/index.js';
import { ConversationsModule } from '../conversations/index.js';
import { TeamsModule } from '../teams/index.js';
import { ReportEvents } from './report.events.js';
import { ReportTargetsService } from './report-targets.service.js';
import { ReportTriggersService } from './report-triggers.service.js';
import { ConversationReportsController, ReportTargetsController, ReportsController } from './reports.controller.js';
import { ReportsService } from './reports.service.js';
import { StoresService } from './stores.service.js';
import { ReportContacts } from './report-contacts.service.js';
import { ResolutionReports } from './resolution-reports.service.js';

@Module({
  imports: [ChannelsModule, ConversationsModule, TeamsModule],
  controllers: [ReportTargetsController, ReportsController, ConversationReportsController],
  providers: [ReportContacts, ResolutionReports, ReportEvents, ReportTargetsService, ReportsService, ReportTriggersService, StoresService],
  exports: [ReportEvents, ReportsService],
})
export class ReportsModule {}
