import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from './common/config/config.js';
import { undescribedAnswers } from './common/http/answers.js';
import { createHub, openApiDocument } from './hub.js';

/**
 * `npm run openapi` writes the HTTP API's OpenAPI document to `openapi.json` at the repository root;
 * `npm run openapi:check` fails when the committed file differs from what the code describes. Both refuse a document
 * with an operation whose success answer has no schema (a route without `@Answers` or `@SendsAnswer`).
 * The document comes from a hub started in memory on a free port, so nothing here needs a database.
 */
async function main(): Promise<void> {
  const check = process.argv.includes('--check');
  const target = join(process.cwd(), 'openapi.json');
  const dataDir = await mkdtemp(join(tmpdir(), 'tsunagi-openapi-'));
  try {
    const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', HUB_DATA_DIR: dataDir, NODE_ENV: 'test' });
    const hub = await createHub(config, { memoryDatabase: true, bootstrap: false, startJobs: false });
    const described = openApiDocument(hub.app);
    const document = `${JSON.stringify(described, null, 2)}\n`;
    await hub.close();
    const undescribed = undescribedAnswers(described);
    if (undescribed.length > 0) {
      process.stderr.write(`${undescribed.length} operations do not describe their answer (add @Answers or @SendsAnswer):\n${undescribed.map((line) => `  ${line}\n`).join('')}`);
      process.exitCode = 1;
      return;
    }
    if (!check) {
      await writeFile(target, document);
      process.stdout.write(`openapi.json written (${Object.keys(JSON.parse(document).paths).length} paths)\n`);
      return;
    }
    const committed = await readFile(target, 'utf8').catch(() => '');
    if (committed !== document) {
      process.stderr.write('openapi.json is not current: run `npm run openapi` and commit the result.\n');
      process.exitCode = 1;
      return;
    }
    process.stdout.write('openapi.json is current\n');
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
