import { Controller, Get, HttpCode, Param, Patch, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { IDENTITY_KINDS } from '../common/channel-types.js';
import { ValidBody, ValidQuery } from '../common/http/zod-params.js';
import { AuthGuard, CurrentMember } from '../teams/index.js';
import type { AuthMember } from '../teams/index.js';
import { ConsentService } from './consent.service.js';
import { ContactsService } from './contacts.service.js';
import { Answers } from '../common/http/answers.js';
import { contactEventListView, contactListView, contactView, mergeProposalListView } from './contacts.schema.js';

const contactListQuery = z.strictObject({
  q: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(64).optional(),
});

const createContactBody = z.strictObject({
  name: z.string().trim().min(1).max(200),
  email: z.string().max(320).optional(),
  phone: z.string().max(40).optional(),
  lineUserId: z.string().regex(/^U[0-9a-f]{32}$/, 'must be a LINE user id (U followed by 32 hex digits)').optional(),
});

const identityBody = z.strictObject({ kind: z.enum(IDENTITY_KINDS).exclude(['line_group', 'visitor']), address: z.string().min(1).max(320) });

const updateContactBody = z.strictObject({
  name: z.string().trim().min(1).max(200).optional(),
  /** Supervisors: move the contact to this member's list (null: nobody's). */
  ownerId: z.string().max(64).nullable().optional(),
});

@ApiTags('contacts')
@ApiBearerAuth()
@Controller('api/contacts')
@UseGuards(AuthGuard)
export class ContactsController {
  constructor(
    private readonly contacts: ContactsService,
    private readonly consent: ConsentService,
  ) {}

  @Answers(contactView)
  @Post()
  create(@CurrentMember() member: AuthMember, @ValidBody(createContactBody) body: z.output<typeof createContactBody>) {
    return this.contacts.create(member, body);
  }

  /** Supervisors: pairs of contacts the hub thinks are one person. */
  @Answers(mergeProposalListView)
  @Get('merge-proposals')
  mergeProposals(@CurrentMember() member: AuthMember) {
    return this.contacts.mergeProposals(member);
  }

  @Answers(contactListView)
  @Get()
  list(@CurrentMember() member: AuthMember, @ValidQuery(contactListQuery) query: z.output<typeof contactListQuery>) {
    return this.contacts.list(member, query);
  }

  @Answers(contactView)
  @Get(':id')
  get(@CurrentMember() member: AuthMember, @Param('id') id: string) {
    return this.contacts.get(member.teamId, id);
  }

  @Answers(contactView)
  @Patch(':id')
  update(@CurrentMember() member: AuthMember, @Param('id') id: string, @ValidBody(updateContactBody) body: z.output<typeof updateContactBody>) {
    return this.contacts.update(member, id, body);
  }

  /** 409 `duplicate_contact` with a merge proposal when the address belongs to another contact. */
  @Answers(contactView)
  @Post(':id/identities')
  addIdentity(@CurrentMember() member: AuthMember, @Param('id') id: string, @ValidBody(identityBody) body: z.output<typeof identityBody>) {
    return this.contacts.addIdentity(member, id, body);
  }

  /** Their messages are then kept but never shown or routed, and their widget stays closed. */
  @Answers(contactView)
  @Post(':id/block')
  @HttpCode(200)
  block(@CurrentMember() member: AuthMember, @Param('id') id: string) {
    return this.contacts.setBlocked(member, id, true);
  }

  @Answers(contactView)
  @Post(':id/unblock')
  @HttpCode(200)
  unblock(@CurrentMember() member: AuthMember, @Param('id') id: string) {
    return this.contacts.setBlocked(member, id, false);
  }

  /** The consent ledger: every follow, block, opt-out, opt-in and invitation, with its evidence, in order. */
  @Answers(contactEventListView)
  @Get(':id/events')
  async events(@CurrentMember() member: AuthMember, @Param('id') id: string) {
    await this.contacts.get(member.teamId, id);
    const rows = await this.consent.ledger(member.teamId, id);
    return { items: rows.map((row) => ({ ...row, occurredAt: row.occurredAt.toISOString() })) };
  }
}
