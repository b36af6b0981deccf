import { Controller, Get, HttpCode, Param, Post, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { ValidQuery } from '../common/http/zod-params.js';
import { AuthGuard, CurrentMember, RequireRole } from '../teams/index.js';
import type { AuthMember } from '../teams/index.js';
import { ShopperEventsService } from './shopper-events.service.js';
import { figuresQuery, reportQuery, saleListView, salesFigureListView, salesQuery, salesReportView, saleView, shopperActivityView } from './sales.schema.js';
import { SalesService, reportCsv } from './sales.service.js';
import { Answers, SendsAnswer } from '../common/http/answers.js';

@ApiTags('sales')
@ApiBearerAuth()
@Controller('api')
@UseGuards(AuthGuard)
export class SalesController {
  constructor(
    private readonly sales: SalesService,
    private readonly shopper: ShopperEventsService,
  ) {}

  /** An agent's own credited sales; supervisors see the team's (`attributed=false`: the unattributed ones). */
  @Answers(saleListView)
  @Get('sales')
  list(@CurrentMember() member: AuthMember, @ValidQuery(salesQuery) query: z.output<typeof salesQuery>) {
    return this.sales.list(member, query);
  }

  /** The panel figure: today's chats, today's sales (count, amount per currency) and the attribution window. */
  @Answers(salesFigureListView)
  @Get('sales/figures')
  figures(@CurrentMember() member: AuthMember, @ValidQuery(figuresQuery) query: z.output<typeof figuresQuery>) {
    return this.sales.panel(member, query.memberId);
  }

  /** Sales per day and member, attributed and unattributed; `format=csv` for a spreadsheet. */
  @SendsAnswer({ 'application/json': salesReportView, 'text/csv': 'text' }, 'JSON, or with `format=csv` a spreadsheet.')
  @Get('sales/report')
  @RequireRole('supervisor')
  @ApiProduces('application/json', 'text/csv')
  async report(@CurrentMember() member: AuthMember, @ValidQuery(reportQuery) query: z.output<typeof reportQuery>, @Res() reply: FastifyReply) {
    const report = await this.sales.report(member, query);
    if (query.format === 'json') return void (await reply.send(report));
    await reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="sales-${report.from}-${report.to}.csv"`)
      .send(reportCsv(report));
  }

  /** The credited agent opened the sale: no longer shown as new. */
  @Answers(saleView)
  @Post('sales/:id/seen')
  @HttpCode(200)
  seen(@CurrentMember() member: AuthMember, @Param('id') id: string) {
    return this.sales.markSeen(member, id);
  }

  /** What the shopper behind the conversation is looking at, has viewed and has in the cart. */
  @Answers(shopperActivityView)
  @Get('conversations/:id/shopper-activity')
  activity(@CurrentMember() member: AuthMember, @Param('id') id: string) {
    return this.shopper.activity(member.teamId, id);
  }
}
