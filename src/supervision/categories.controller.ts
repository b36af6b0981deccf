import { Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { ValidBody } from '../common/http/zod-params.js';
import { ConversationsService } from '../conversations/index.js';
import { AuthGuard, CurrentMember, RequireRole } from '../teams/index.js';
import type { AuthMember } from '../teams/index.js';
import { CategoriesService } from './categories.service.js';
import { categoryListView, categoryView, conversationCategoryBody, createCategoryBody, updateCategoryBody } from './supervision.schema.js';
import { Answers } from '../common/http/answers.js';
import { inboxConversationView } from '../common/realtime/events/index.js';

@ApiTags('supervision')
@ApiBearerAuth()
@Controller('api/categories')
@UseGuards(AuthGuard)
export class CategoriesController {
  constructor(private readonly categories: CategoriesService) {}

  @Answers(categoryListView)
  @Get()
  async list(@CurrentMember() member: AuthMember) {
    return { items: await this.categories.list(member.teamId), nextCursor: null };
  }

  @Answers(categoryView)
  @Post()
  @RequireRole('administrator')
  create(@CurrentMember() member: AuthMember, @ValidBody(createCategoryBody) body: z.output<typeof createCategoryBody>) {
    return this.categories.create(member.teamId, body);
  }

  @Answers(categoryView)
  @Patch(':id')
  @RequireRole('administrator')
  update(@CurrentMember() member: AuthMember, @Param('id') id: string, @ValidBody(updateCategoryBody) body: z.output<typeof updateCategoryBody>) {
    return this.categories.update(member.teamId, id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireRole('administrator')
  async remove(@CurrentMember() member: AuthMember, @Param('id') id: string) {
    await this.categories.remove(member.teamId, id);
  }
}

@ApiTags('conversations')
@ApiBearerAuth()
@Controller('api/conversations')
@UseGuards(AuthGuard)
export class ConversationCategoryController {
  constructor(
    private readonly categories: CategoriesService,
    private readonly conversations: ConversationsService,
  ) {}

  /** Its agent (or a supervisor) files the conversation under one of the team's categories; null clears it. */
  @Answers(inboxConversationView)
  @Put(':id/category')
  async set(@CurrentMember() member: AuthMember, @Param('id') id: string, @ValidBody(conversationCategoryBody) body: z.output<typeof conversationCategoryBody>) {
    if (body.categoryId) await this.categories.require(member.teamId, body.categoryId, 'categoryId');
    return this.conversations.setCategory(member, id, body.categoryId);
  }
}
