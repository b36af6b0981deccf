import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHANNEL_IDENTITY, CHANNEL_TYPES, CONSENT_CHANNELS, IDENTITY_KINDS, isChannelType } from './channel-types.js';

const schema = readFileSync(join(process.cwd(), 'prisma', 'schema.prisma'), 'utf8');

/** The values of an enum of the Prisma schema, comments left out. */
function prismaEnum(name: string): string[] {
  const body = new RegExp(`enum ${name} \\{([^}]*)\\}`).exec(schema)?.[1] ?? '';
  return body
    .split('\n')
    .map((line) => line.replace(/\/\/.*/, '').trim())
    .filter(Boolean);
}

describe('channel types', () => {
  // The database keeps its own enums; a type added to the list needs its migration too.
  it('are the values of the database’s ChannelType and IdentityKind enums', () => {
    expect([...CHANNEL_TYPES].sort()).toEqual(prismaEnum('ChannelType').sort());
    expect([...IDENTITY_KINDS].sort()).toEqual(prismaEnum('IdentityKind').sort());
  });

  it('keep consent for every type whose customers have an address of their own', () => {
    expect([...CONSENT_CHANNELS].sort()).toEqual(['email', 'line', 'sms', 'whatsapp']);
    expect(CHANNEL_IDENTITY.webchat).toBe('visitor');
    expect(isChannelType('sms')).toBe(true);
    expect(isChannelType('toString')).toBe(false);
  });
});
