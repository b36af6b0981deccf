import { Module } from '@nestjs/common';
import { TeamsModule } from '../teams/index.js';
import { CatalogController } from './catalog.controller.js';
import { CatalogSyncService } from './catalog-sync.service.js';
import { CatalogService } from './catalog.service.js';

/** The shop's catalog, imported from the feeds it publishes, and the search over it. */
@Module({
  imports: [TeamsModule],
  controllers: [CatalogController],
  providers: [CatalogService, CatalogSyncService],
  exports: [CatalogService],
})
export class CatalogModule {}
