import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { readTeamSettings } from './team-settings.schema.js';

const src = join(process.cwd(), 'src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'generated' ? [] : sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

/**
 * A team's stored settings read as they are: a cast (`team.settings as {...}`), a fallback (`team?.settings ?? {}`)
 * or a property read (`team.settings.x`). Handing them on whole (to readTeamSettings, or to a function that calls
 * it) is not a read.
 */
const RAW_READ = /\bteam\??\.settings\)?\s*(as\b|\?\?|\?\.|\.[A-Za-z])/;
const THROUGH_READER = /readTeamSettings\([^()]*\)/g;

describe(readTeamSettings.name, () => {
  // Guards the three places that read team settings by hand (defaults and validation skipped, issue 24).
  it('is the only way src/ reads a team’s settings', () => {
    const reads = sources(src).flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .flatMap((line, index) => (RAW_READ.test(line.replace(THROUGH_READER, 'settings')) ? [`${relative(process.cwd(), file)}:${index + 1}: ${line.trim()}`] : [])),
    );
    expect(reads).toEqual([]);
  });

  it('fills the defaults of what is not stored and keeps what is', () => {
    expect(readTeamSettings(null)).toMatchObject({ defaultPhoneRegion: 'JP' });
    expect(readTeamSettings({ defaultPhoneRegion: 'US', invitationText: 'Hi {contact.name}, reply YES' })).toMatchObject({
      defaultPhoneRegion: 'US',
      invitationText: 'Hi {contact.name}, reply YES',
    });
  });
});
