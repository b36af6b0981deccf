import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { onDemand } from './on-demand.js';

describe(onDemand.name, () => {
  it('loads once, on the first call, and hands every caller the same result', async () => {
    let loads = 0;
    const load = onDemand(async () => ({ n: ++loads }));
    expect(loads).toBe(0);
    const [a, b] = await Promise.all([load(), load()]);
    expect(await load()).toBe(a);
    expect(b).toBe(a);
    expect(loads).toBe(1);
  });

  it('tries again after a failed load', async () => {
    let loads = 0;
    const load = onDemand(async () => {
      loads += 1;
      if (loads === 1) throw new Error('not installed');
      return loads;
    });
    await expect(load()).rejects.toThrow('not installed');
    expect(await load()).toBe(2);
  });
});

/** Every production source file under src/, with its path from the repository root. */
function productionSources(dir = join(process.cwd(), 'src')): { path: string; source: string }[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'generated' ? [] : productionSources(path);
    return entry.name.endsWith('.ts') && !/\.spec\.ts$/.test(entry.name) ? [{ path: relative(process.cwd(), path), source: readFileSync(path, 'utf8') }] : [];
  });
}

// The packages a hub loads only when a channel (or the mail configuration) needs them. A static import of any of
// them, anywhere, loads it at start again; `import type` and `import()` are fine. sanitize-html and html-to-text are
// imported by email-content.normalizer.ts alone, which is itself loaded on demand. (test/e2e/provider-sdks.int-spec.ts
// checks the running hub itself.)
const ON_DEMAND = ['twilio', '@sendgrid/', '@line/bot-sdk', 'mailparser', 'nodemailer', 'qrcode', 'whatsapp-web.js', './email-content.normalizer.js'];

describe('packages loaded on demand', () => {
  /** The specifiers of a source's static value imports and re-exports (not `import type`, not `import()`). */
  const staticImports = (source: string) =>
    [...source.matchAll(/^\s*(?:import|export)\s+(?!type\b)[^'";]*?\bfrom\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]/gm)].map((match) => match[1] ?? match[2]);
  const onDemand = (specifier: string) => ON_DEMAND.some((name) => (name.endsWith('/') ? specifier.startsWith(name) : specifier === name || specifier.startsWith(`${name}/`)));

  it('are never imported statically by production code', () => {
    const offenders = productionSources().flatMap(({ path, source }) => staticImports(source).filter(onDemand).map((specifier) => `${path}: ${specifier}`));
    expect(offenders).toEqual([]);
  });

  it('tells a static import from a type import and a dynamic one', () => {
    const source = [
      "import twilio from 'twilio';",
      "import type twilioTypes from 'twilio';",
      "import { Client } from '@sendgrid/client';",
      "import type { ClientRequest } from '@sendgrid/client/src/request.js';",
      "export { simpleParser } from 'mailparser';",
      "import 'qrcode';",
      "import { sanitizeEmailHtml } from './email-content.normalizer.js';",
      "const sdk = await import('@line/bot-sdk');",
      "import { z } from 'zod';",
    ].join('\n');
    expect(staticImports(source).filter(onDemand)).toEqual(['twilio', '@sendgrid/client', 'mailparser', 'qrcode', './email-content.normalizer.js']);
  });
});
