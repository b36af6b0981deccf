import { Module } from '@nestjs/common';
import { ConversationsModule } from '../conversations/index.js';
import { TeamsModule } from '../teams/index.js';
import { CannedRepliesController } from './canned-replies.controller.js';
import { CannedRepliesService } from './canned-replies.service.js';
import { CategoriesController, ConversationCategoryController } from './categories.controller.js';
import { CategoriesService } from './categories.service.js';
import { ConversationExportService } from './conversation-export.service.js';
import { DraftsController } from './drafts.controller.js';
import { DraftsService } from './drafts.service.js';
import { ExportsController } from './exports.controller.js';
import { MessageSearchService } from './message-search.service.js';
import { RatingsController } from './ratings.controller.js';
import { RatingsService } from './ratings.service.js';
import { TeamReportsController } from './team-reports.controller.js';
import { TeamReportsService } from './team-reports.service.js';

@Module({
  imports: [ConversationsModule, TeamsModule],
  controllers: [CategoriesController, ConversationCategoryController, CannedRepliesController, DraftsController, ExportsController, RatingsController, TeamReportsController],
  providers: [CategoriesService, CannedRepliesService, DraftsService, MessageSearchService, ConversationExportService, RatingsService, TeamReportsService],
  exports: [CategoriesService, CannedRepliesService, RatingsService],
})
export class SupervisionModule {}
