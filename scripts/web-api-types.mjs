// Writes the web app's API types (web/inbox/src/openapi-types.ts) from openapi.json with openapi-typescript; with
// --check, fails when the committed file is not what openapi.json gives, as `openapi-cli --check` does for the
// document. The inbox's client (openapi-fetch) is typed by them, so a route's answer cannot change under the page.
import openapiTS, { COMMENT_HEADER, astToString } from 'openapi-typescript';
import { readFile, writeFile } from 'node:fs/promises';

const root = new URL('..', import.meta.url);
const source = new URL('openapi.json', root);
const target = new URL('web/inbox/src/openapi-types.ts', root);

const ast = await openapiTS(JSON.parse(await readFile(source, 'utf8')));
const header = `${COMMENT_HEADER}// Generated from openapi.json by \`npm run openapi\`; \`npm run openapi:check\` fails when it is stale.\n\n`;
const types = header + astToString(ast);

if (process.argv.includes('--check')) {
  const committed = await readFile(target, 'utf8').catch(() => '');
  if (committed !== types) {
    process.stderr.write('web/inbox/src/openapi-types.ts is not current: run `npm run openapi` and commit the result.\n');
    process.exit(1);
  }
  process.stdout.write('web/inbox/src/openapi-types.ts is current\n');
} else {
  await writeFile(target, types);
  process.stdout.write('web/inbox/src/openapi-types.ts written\n');
}
