import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** What a source file imports, static and dynamic, re-exports included. */
function importsOf(source: string): string[] {
  const specifiers = [
    ...source.matchAll(/^\s*(?:import|export)\b[^'"]*?\bfrom\s+['"]([^'"]+)['"]/gm),
    ...source.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm),
    ...source.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g),
  ];
  return specifiers.map((match) => match[1]);
}

describe('hub.ts', () => {
  // Guards the review finding "the composition root knows too much": hub.ts took up six services' work by hand and
  // reached into channels and teams. Features now reach it through common's contracts (resumable work, the webhook
  // admission, the first team), so a new feature never touches it.
  it('imports nothing from a feature folder but the app module', () => {
    const local = importsOf(readFileSync(join(process.cwd(), 'src', 'hub.ts'), 'utf8')).filter((specifier) => specifier.startsWith('.'));
    expect(local).toContain('./app.module.js');
    expect(local.filter((specifier) => specifier !== './app.module.js' && !specifier.startsWith('./common/'))).toEqual([]);
  });

  it('reads imports of every form', () => {
    const source = [
      "import 'reflect-metadata';",
      "import { A } from './a.js';",
      "import type { B } from './b.js';",
      'import {',
      '  C,',
      "} from './c.js';",
      "export { D } from './d.js';",
      "const e = await import('./e.js');",
    ].join('\n');
    expect(importsOf(source)).toEqual(['./a.js', './b.js', './c.js', './d.js', 'reflect-metadata', './e.js']);
  });
});
