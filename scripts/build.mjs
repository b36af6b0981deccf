// Compiles src/ to dist/ with swc (decorator metadata included); type checking is `npm run typecheck`.
import { transformFile } from '@swc/core';
import { mkdir, readdir, readFile, rm, writeFile, copyFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const src = join(root, 'src');
const out = join(root, 'dist');
const swcrc = JSON.parse(await readFile(join(root, '.swcrc'), 'utf8'));
delete swcrc.$schema;

async function* walk(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else yield path;
  }
}

await rm(out, { recursive: true, force: true });
const jobs = [];
for await (const file of walk(src)) {
  const target = join(out, relative(src, file));
  jobs.push((async () => {
    await mkdir(dirname(target), { recursive: true });
    if (file.endsWith('.ts') && !file.endsWith('.d.ts')) {
      if (/\.(spec|int-spec)\.ts$/.test(file)) return;
      const { code, map } = await transformFile(file, { ...swcrc, swcrc: false, filename: file, sourceFileName: relative(dirname(target), file) });
      const js = target.replace(/\.ts$/, '.js');
      await writeFile(js, `${code}\n//# sourceMappingURL=${js.split('/').pop()}.map\n`);
      if (map) await writeFile(`${js}.map`, map);
    } else if (!file.endsWith('.d.ts')) {
      await copyFile(file, target);
    }
  })());
}
await Promise.all(jobs);
