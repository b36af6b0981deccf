// Builds the agents' inbox (web/inbox -> web/dist/app) and the embeddable widget (web/widget -> web/dist/widget.js)
// with Vite, and copies the demo shop page. The hub serves web/dist at /app, /widget.js and /demo.
import { build } from 'vite';
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';

const web = new URL('../web', import.meta.url).pathname;
const out = join(web, 'dist');
const quiet = { logLevel: 'warn', configFile: false };
// JSX through Vite's own transform: no Babel plugin needed for React's automatic runtime.
const jsx = { jsx: { runtime: 'automatic' } };

await build({
  ...quiet,
  root: join(web, 'inbox'),
  base: '/app/',
  oxc: jsx,
  build: { outDir: join(out, 'app'), emptyOutDir: true, sourcemap: true },
});

await build({
  ...quiet,
  root: web,
  build: {
    outDir: out,
    emptyOutDir: false,
    sourcemap: false,
    minify: true,
    lib: { entry: join(web, 'widget', 'widget.ts'), formats: ['iife'], name: 'TsunagiWidget', fileName: () => 'widget.js' },
  },
});

await mkdir(join(out, 'demo'), { recursive: true });
await copyFile(join(web, 'demo', 'index.html'), join(out, 'demo', 'index.html'));
