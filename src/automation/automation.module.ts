import { Module } from '@nestjs/common';
import { ConversationsModule } from '../conversations/index.js';
import { ReportsModule } from '../reports/index.js';
import { TeamsModule } from '../teams/index.js';
import { AutomationController } from './automation.controller.js';
import { AutomationService } from './automation.service.js';

@Module({
  imports: [ConversationsModule, ReportsModule, TeamsModule],
  controllers: [AutomationController],
  providers: [AutomationService],
  exports: [AutomationService],
})
export class AutomationModule {}
