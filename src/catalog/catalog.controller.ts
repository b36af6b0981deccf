import { Controller, Get, HttpCode, Param, Patch, Post, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { Answers } from '../common/http/answers.js';
import { ValidBody, ValidQuery } from '../common/http/zod-params.js';
import { AuthGuard, CurrentMember, RequireRole } from '../teams/index.js';
import type { AuthMember } from '../teams/index.js';
import { CatalogService } from './catalog.service.js';
import { createSourceBody, productListView, productSearchQuery, productView, sourceListView, sourceView, syncListView, syncView, updateSourceBody } from './catalog.schema.js';

const feedForm = { type: 'object', required: ['file'], properties: { file: { type: 'string', format: 'binary' } } };

/**
 * The team's catalog: administrators set up its sources (a Google Merchant Center feed, a Shopify products.json) and
 * sync them; every member searches its products.
 */
@ApiTags('catalog')
@ApiBearerAuth()
@Controller('api/catalog')
@UseGuards(AuthGuard)
export class CatalogController {
  constructor(private readonly catalog: CatalogService) {}

  @Answers(sourceListView)
  @Get('sources')
  @RequireRole('administrator')
  async sources(@CurrentMember() member: AuthMember) {
    return { items: await this.catalog.sources(member.teamId) };
  }

  /** A source, fetched from `url` every `syncEveryHours` (daily unless set), or fed by uploads when it has none. */
  @Answers(sourceView)
  @Post('sources')
  @RequireRole('administrator')
  create(@CurrentMember() member: AuthMember, @ValidBody(createSourceBody) body: z.output<typeof createSourceBody>) {
    return this.catalog.create(member.teamId, body);
  }

  @Answers(sourceView)
  @Get('sources/:id')
  @RequireRole('administrator')
  source(@CurrentMember() member: AuthMember, @Param('id') id: string) {
    return this.catalog.source(member.teamId, id);
  }

  @Answers(sourceView)
  @Patch('sources/:id')
  @RequireRole('administrator')
  update(@CurrentMember() member: AuthMember, @Param('id') id: string, @ValidBody(updateSourceBody) body: z.output<typeof updateSourceBody>) {
    return this.catalog.update(member.teamId, id, body);
  }

  /**
   * "Sync now": the feed is fetched from the source's URL in the background; the answer is the sync, `running`, to
   * follow at `GET .../syncs/:syncId`. 409 `catalog_sync_running` while one runs, `catalog_source_has_no_url`.
   */
  @Answers(syncView, 'The sync, started.')
  @Post('sources/:id/sync')
  @RequireRole('administrator')
  @HttpCode(202)
  syncNow(@CurrentMember() member: AuthMember, @Param('id') id: string) {
    return this.catalog.syncNow(member.teamId, id);
  }

  /** The feed as a file (`multipart/form-data`, part `file`, up to 200 MB), synced in the background as "sync now" is. */
  @Answers(syncView, 'The sync, started.')
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: feedForm })
  @Post('sources/:id/feed')
  @RequireRole('administrator')
  @HttpCode(202)
  upload(@CurrentMember() member: AuthMember, @Param('id') id: string, @Req() request: FastifyRequest & { rawBody?: Buffer }) {
    return this.catalog.upload(member.teamId, id, request.rawBody, request.headers['content-type']);
  }

  /** The source's last 20 syncs, newest first: what each added, updated, marked unavailable and refused (with why). */
  @Answers(syncListView)
  @Get('sources/:id/syncs')
  @RequireRole('administrator')
  syncs(@CurrentMember() member: AuthMember, @Param('id') id: string) {
    return this.catalog.syncHistory(member.teamId, id);
  }

  @Answers(syncView)
  @Get('sources/:id/syncs/:syncId')
  @RequireRole('administrator')
  sync(@CurrentMember() member: AuthMember, @Param('id') id: string, @Param('syncId') syncId: string) {
    return this.catalog.sync(member.teamId, id, syncId);
  }

  /** Products by words (any width, katakana or hiragana), barcode, category and availability; in stock first. */
  @Answers(productListView)
  @Get('products')
  search(@CurrentMember() member: AuthMember, @ValidQuery(productSearchQuery) query: z.output<typeof productSearchQuery>) {
    return this.catalog.search(member.teamId, query);
  }

  @Answers(productView)
  @Get('products/:id')
  product(@CurrentMember() member: AuthMember, @Param('id') id: string) {
    return this.catalog.product(member.teamId, id);
  }
}
