import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { gzipSync } from 'node:zlib';
import { TestHub, createTeam, createWebchat, startTestHub } from '../support/test-hub.js';

/** What the widget may weigh on a shop's page, socket client included. */
const WIDGET_BUDGET_GZIPPED = 40 * 1024;
/** What `/app` may fetch before any click: the entry and what it imports statically (92 KB when charts came). */
const APP_START_BUDGET_GZIPPED = 150 * 1024;
/** Text only the chart library holds (its class registry's error), to tell where its code ended up. */
const CHART_LIBRARY_MARK = ' is not a registered ';

/** The chunks a script imports statically (`import ... from "./x.js"`, `import "./x.js"`), not its `import()`s. */
function staticImports(script: string): string[] {
  return [...script.matchAll(/(?:^|[;}\s])(?:import|export)\s*(?:[\w$*{},\s]*?from\s*)?["']\.\/([\w.-]+\.js)["']/g)].map((match) => match[1]);
}

describe('The web inbox, the widget script and the demo page, as the hub serves them', () => {
  let hub: TestHub;

  beforeAll(async () => {
    hub = await startTestHub();
  });

  afterAll(async () => {
    await hub?.stop();
  });

  it('serves /widget.js under 40 KB gzipped, socket client included', async () => {
    const response = await hub.http.get('/widget.js').buffer(true).parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => done(null, Buffer.concat(chunks)));
    }).expect(200);
    expect(response.headers['content-type']).toMatch(/^application\/javascript/);
    const script = response.body as Buffer;
    // The socket.io client is inside: it connects to the /widget namespace itself.
    expect(script.toString('utf8')).toContain('/widget');
    expect(script.length).toBeGreaterThan(10_000);
    expect(gzipSync(script, { level: 9 }).length).toBeLessThan(WIDGET_BUDGET_GZIPPED);
  });

  it('serves the inbox at /app, its assets, and its own routes as the app page', async () => {
    const page = await hub.http.get('/app').expect(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    const script = /src="(\/app\/assets\/[^"]+\.js)"/.exec(page.text)?.[1];
    expect(script).toBeDefined();
    const asset = await hub.http.get(script!).expect(200);
    expect(asset.headers['cache-control']).toContain('immutable');
    // Every address of the app's router answers its page, so a reload keeps the place.
    for (const address of ['/app/conversations/123', '/app/reports?from=2026-11-01&to=2026-11-30', '/app/admin/channels', '/app/admin/members', '/app/admin/hours', '/app/admin/routing', '/app/supervision', '/app/sales', '/app/account', '/app/join?code=ABCDEF2345', '/app/forgot-password', '/app/login']) {
      const answer = await hub.http.get(address).expect(200);
      expect(answer.headers['content-type']).toMatch(/^text\/html/);
      expect(answer.text).toBe(page.text);
    }
    await hub.http.get('/app/../package.json').expect((response) => expect(response.text).not.toContain('"name": "tsunagi"'));
  });

  // Each area is its own chunk: an operator's first load carries no admin screen.
  it('loads each area as a chunk of its own, fetched only when its address is opened', async () => {
    const page = await hub.http.get('/app').expect(200);
    const entry = (await hub.http.get(/src="(\/app\/assets\/[^"]+\.js)"/.exec(page.text)![1]).expect(200)).text;
    for (const area of ['InboxArea', 'SupervisionArea', 'ReportsArea', 'SalesArea', 'ContactsArea', 'AdminArea', 'AccountPage', 'JoinPage', 'ForgotPasswordPage']) {
      const chunk = new RegExp(`import\\(\\W\\.\\/(${area}-[\\w-]+\\.js)`).exec(entry)?.[1];
      expect(chunk).toBeDefined();
      await hub.http.get(`/app/assets/${chunk}`).expect(200);
    }
    // The channels screen's QR image text lives in the admin chunk only.
    expect(entry).not.toContain('WhatsApp Web QR');
  });

  // Charts are for the reports screen: the chart library is a chunk of its own, and what /app loads first stays light.
  it('keeps the chart library in a chunk of its own, out of what /app loads before any click, which stays under 150 KB gzipped', async () => {
    const asset = async (name: string) => (await hub.http.get(`/app/assets/${name}`).expect(200)).text;
    const page = (await hub.http.get('/app').expect(200)).text;
    const entryName = /src="\/app\/assets\/([^"]+\.js)"/.exec(page)![1];
    // The entry, its static imports and theirs (and any chunk index.html preloads): fetched before anything is clicked.
    const first = new Map<string, string>();
    const queue = [entryName, ...[...page.matchAll(/rel="modulepreload"[^>]*href="\/app\/assets\/([^"]+\.js)"/g)].map((match) => match[1])];
    while (queue.length > 0) {
      const name = queue.shift()!;
      if (first.has(name)) continue;
      const script = await asset(name);
      first.set(name, script);
      queue.push(...staticImports(script));
    }
    const gzipped = [...first.values()].reduce((sum, script) => sum + gzipSync(script, { level: 9 }).length, 0);
    expect(gzipped).toBeLessThan(APP_START_BUDGET_GZIPPED);
    for (const script of first.values()) expect(script).not.toContain(CHART_LIBRARY_MARK);

    // The reports and sales screens fetch the chart library with import() when they draw their first chart; neither
    // screen's own chunks (the chart component they share included) hold it.
    const entry = first.get(entryName)!;
    for (const screen of ['ReportsArea', 'SalesArea']) {
      const areaName = new RegExp(`import\\(\\W\\.\\/(${screen}-[\\w-]+\\.js)`).exec(entry)![1];
      const own = [areaName, ...staticImports(await asset(areaName)).filter((name) => !first.has(name))];
      const scripts = await Promise.all(own.map(asset));
      for (const script of scripts) expect(script).not.toContain(CHART_LIBRARY_MARK);
      expect(own.some((name) => name.startsWith('chart-library'))).toBe(false);
      const chartName = scripts.map((script) => /import\(\W\.\/(chart-library-[\w-]+\.js)/.exec(script)?.[1]).find(Boolean);
      expect(chartName).toBeDefined();
      const chunk = [await asset(chartName!), ...(await Promise.all(staticImports(await asset(chartName!)).filter((name) => !first.has(name)).map(asset)))].join('\n');
      expect(chunk).toContain(CHART_LIBRARY_MARK);
    }
  });

  it('serves the demo shop with the widget of the chosen (or the oldest) web chat', async () => {
    const empty = await hub.http.get('/demo').expect(404);
    expect(empty.body.code).toBe('no_webchat_channel');
    const team = await createTeam(hub);
    const first = await createWebchat(hub, team.admin);
    const second = await createWebchat(hub, team.admin);
    expect((await hub.http.get('/demo').expect(200)).text).toContain(`data-channel="${first}"`);
    expect((await hub.http.get('/demo').query({ channel: second }).expect(200)).text).toContain(`data-channel="${second}"`);
  });
});
