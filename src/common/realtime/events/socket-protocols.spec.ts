import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inboxCatalog } from './inbox.events.js';
import { widgetCatalog } from './widget.events.js';
import type { NamespaceCatalog } from './socket.events.js';

const DOCUMENT = join(process.cwd(), 'docs', 'socket-protocols.md');
const catalogs: NamespaceCatalog<unknown, unknown>[] = [inboxCatalog, widgetCatalog];

/** The document's text between a heading matching `start` and the next heading of the same level or higher. */
function section(text: string, level: number, title: string): string | null {
  const lines = text.split('\n');
  const begin = lines.findIndex((line) => line.trim() === `${'#'.repeat(level)} ${title}`);
  if (begin === -1) return null;
  const end = lines.findIndex((line, index) => index > begin && new RegExp(`^#{1,${level}} `).test(line));
  return lines.slice(begin + 1, end === -1 ? undefined : end).join('\n');
}

/** The event names a section documents: one `#### \`name\`` heading each. */
function eventsIn(text: string | null): string[] {
  return [...(text ?? '').matchAll(/^#### `([^`]+)`\s*$/gm)].map((match) => match[1]).sort();
}

// The document is written by hand; this keeps it and the shared event map naming the same events, both ways: an
// event added to the map without its paragraph fails here, and so does a paragraph about an event the hub dropped.
describe('docs/socket-protocols.md', () => {
  const text = readFileSync(DOCUMENT, 'utf8');

  it('has a section for each namespace of the map and for no other', () => {
    const documented = [...text.matchAll(/^## `(\/[^`]*)`\s*$/gm)].map((match) => match[1]).sort();
    expect(documented).toEqual(catalogs.map((catalog) => catalog.namespace).sort());
  });

  describe.each(catalogs.map((catalog) => [catalog.namespace, catalog] as const))('%s', (namespace, catalog) => {
    const body = section(text, 2, `\`${namespace}\``) ?? '';

    it('documents every client-to-server frame of the map, and no other', () => {
      expect(eventsIn(section(body, 3, 'Client to server'))).toEqual(Object.keys(catalog.clientToServer).sort());
    });

    it('documents every server-to-client event of the map, and no other', () => {
      expect(eventsIn(section(body, 3, 'Server to client'))).toEqual(Object.keys(catalog.serverToClient).sort());
    });

    it('gives every client frame its acknowledgement', () => {
      const frames = section(body, 3, 'Client to server') ?? '';
      const missing = Object.keys(catalog.clientToServer).filter((event) => !/\*\*Ack\*\*/.test(section(frames, 4, `\`${event}\``) ?? ''));
      expect(missing).toEqual([]);
    });
  });
});

// The browser clients share the map but must not bundle it: its schemas would pull zod into the widget, whose whole
// budget is 40 KB gzipped. `import type` is erased by the build, so it is the only way in.
describe('the browser clients', () => {
  const web = join(process.cwd(), 'web');
  const sources = [
    ...readdirSync(join(web, 'widget')).map((name) => join(web, 'widget', name)),
    ...readdirSync(join(web, 'inbox', 'src')).map((name) => join(web, 'inbox', 'src', name)),
    // What both clients share (the video call's peer): bundled into each, so held to the same rule.
    ...readdirSync(join(web, 'shared')).map((name) => join(web, 'shared', name)),
  ].filter((path) => /\.tsx?$/.test(path));

  it('take the shared event map with `import type` (or `export type`) only', () => {
    const imports = sources.flatMap((path) =>
      [...readFileSync(path, 'utf8').matchAll(/^(?:import|export)\b[^;]*?from '([^']*realtime\/events[^']*)'/gms)].map((match) => ({ path, statement: match[0] })),
    );
    expect(imports.length).toBeGreaterThan(0);
    expect(imports.filter(({ statement }) => !/^(import|export) type /.test(statement))).toEqual([]);
  });
});
