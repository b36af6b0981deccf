import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { ValidQuery } from '../common/http/zod-params.js';
import { AuthGuard, CurrentMember } from '../teams/index.js';
import type { AuthMember } from '../teams/index.js';
import { ContactsService } from './contacts.service.js';

const contactListQuery = z.strictObject({
  q: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(64).optional(),
});

@ApiTags('contacts')
@ApiBearerAuth()
@Controller('api/contacts')
@UseGuards(AuthGuard)
export class ContactsController {
  constructor(private readonly contacts: ContactsService) {}

  @Get()
  list(@CurrentMember() member: AuthMember, @ValidQuery(contactListQuery) query: z.output<typeof contactListQuery>) {
    return this.contacts.list(member.teamId, query);
  }

  @Get(':id')
  get(@CurrentMember() member: AuthMember, @Param('id') id: string) {
    return this.contacts.get(member.teamId, id);
  }

  /** What the contact did on the channels besides writing: follows, blocks, opt-outs, in order. */
  @Get(':id/events')
  async events(@CurrentMember() member: AuthMember, @Param('id') id: string) {
    await this.contacts.get(member.teamId, id);
    const rows = await this.contacts.events(member.teamId, id);
    return { items: rows.map((row) => ({ ...row, occurredAt: row.occurredAt.toISOString() })) };
  }
}
