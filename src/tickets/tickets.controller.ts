import { Controller, Get, Param, Patch, Post, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { Answers, SendsAnswer } from '../common/http/answers.js';
import { ValidBody, ValidQuery } from '../common/http/zod-params.js';
import { AuthGuard, CurrentMember, RequireRole } from '../teams/index.js';
import type { AuthMember } from '../teams/index.js';
import { TicketReportService, ticketReportCsv } from './ticket-report.service.js';
import { TicketsService } from './tickets.service.js';
import {
  commentBody,
  conversationTicketBody,
  createTicketBody,
  ticketCommentView,
  ticketDetailView,
  ticketItems,
  ticketListView,
  ticketReportQuery,
  ticketReportView,
  ticketsQuery,
  ticketView,
  updateTicketBody,
} from './tickets.schema.js';

@ApiTags('tickets')
@ApiBearerAuth()
@Controller('api')
@UseGuards(AuthGuard)
export class TicketsController {
  constructor(
    private readonly tickets: TicketsService,
    private readonly reports: TicketReportService,
  ) {}

  /** Mine, my groups', overdue, or the team's (`view`), filtered by status, priority and assignee; by due time. */
  @Answers(ticketListView)
  @Get('tickets')
  list(@CurrentMember() member: AuthMember, @ValidQuery(ticketsQuery) query: z.output<typeof ticketsQuery>) {
    return this.tickets.list(member, query);
  }

  /** A ticket by hand (with a contact) or from a conversation; assigned to its maker unless said otherwise. */
  @Answers(ticketView)
  @Post('tickets')
  create(@CurrentMember() member: AuthMember, @ValidBody(createTicketBody) body: z.output<typeof createTicketBody>) {
    return this.tickets.create(member, body);
  }

  /** Tickets opened, solved and gone overdue per day; `format=csv` for a spreadsheet. Supervisors and above. */
  @SendsAnswer({ 'application/json': ticketReportView, 'text/csv': 'text' }, 'JSON, or with `format=csv` a spreadsheet.')
  @Get('reports/tickets')
  @RequireRole('supervisor')
  @ApiProduces('application/json', 'text/csv')
  async report(@CurrentMember() member: AuthMember, @ValidQuery(ticketReportQuery) query: z.output<typeof ticketReportQuery>, @Res() reply: FastifyReply) {
    const report = await this.reports.report(member, query);
    if (query.format === 'json') return void (await reply.send(report));
    await reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="tickets-${report.from}-${report.to}.csv"`)
      .send(ticketReportCsv(report));
  }

  /** The ticket's page: the ticket, its comments, its history and the customer's replies that joined it. */
  @Answers(ticketDetailView)
  @Get('tickets/:id')
  detail(@CurrentMember() member: AuthMember, @Param('id') id: string) {
    return this.tickets.detail(member, id);
  }

  /** Status, priority, assignee or group, due and reminder time, title: what is given changes, null clears. */
  @Answers(ticketView)
  @Patch('tickets/:id')
  update(@CurrentMember() member: AuthMember, @Param('id') id: string, @ValidBody(updateTicketBody) body: z.output<typeof updateTicketBody>) {
    return this.tickets.update(member, id, body);
  }

  /** An internal comment (never sent to the customer). */
  @Answers(ticketCommentView)
  @Post('tickets/:id/comments')
  comment(@CurrentMember() member: AuthMember, @Param('id') id: string, @ValidBody(commentBody) body: z.output<typeof commentBody>) {
    return this.tickets.comment(member, id, body.body);
  }

  /** The conversation's tickets: made from it, or joined by its customer's replies. */
  @Answers(ticketItems)
  @Get('conversations/:id/tickets')
  forConversation(@CurrentMember() member: AuthMember, @Param('id') id: string) {
    return this.tickets.forConversation(member, id);
  }

  /** "チケットにする": a ticket from the conversation, its contact and history linked. */
  @Answers(ticketView)
  @Post('conversations/:id/tickets')
  fromConversation(@CurrentMember() member: AuthMember, @Param('id') id: string, @ValidBody(conversationTicketBody) body: z.output<typeof conversationTicketBody>) {
    return this.tickets.fromConversation(member, id, body);
  }

  /** The contact's tickets, most recently changed first. */
  @Answers(ticketItems)
  @Get('contacts/:id/tickets')
  forContact(@CurrentMember() member: AuthMember, @Param('id') id: string) {
    return this.tickets.forContact(member, id);
  }
}
