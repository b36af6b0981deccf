import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';

// Documents that lived outside the repository once; the code cited them and a reader could not follow. Spelled in
// parts so that this file does not name them itself.
const OUTSIDE = ['API', 'DESIGN', 'STYLE', 'MISSION', 'FEASIBILITY', 'SERVICES'].map((name) => `${name}\\.md`);

describe('Documentation', () => {
  // Guards the review finding "docs outside the repo": the schema header, the OpenAPI description and comments cited
  // documents nobody who cloned the repository could open. What they held is in docs/ and README.md now.
  it('names no document outside the repository in any tracked file', () => {
    let found = '';
    try {
      found = execFileSync('git', ['grep', '-n', '-I', '-E', `\\b(${OUTSIDE.join('|')})`], { cwd: process.cwd(), encoding: 'utf8' });
    } catch (error) {
      // git grep answers 1 when nothing matches; anything else (no git, not a checkout) must not pass silently.
      if ((error as { status?: number }).status !== 1) throw error;
    }
    expect(found.split('\n').filter(Boolean)).toEqual([]);
  });
});
