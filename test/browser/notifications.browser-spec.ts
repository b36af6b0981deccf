import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser } from 'playwright-core';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { TestHub, addMember, createTeam, startTestHub } from '../support/test-hub.js';
import { SCREENSHOTS, launchBrowser, logIn, openPage } from './browser.js';

const WIDTHS = [
  { name: 'desktop', options: { viewport: { width: 1280, height: 860 }, locale: 'ja-JP' } },
  { name: 'phone', options: { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'ja-JP' } },
] as const;

// Issue 20: the bell shows what the hub told the member, live, read or unread, and keeps it over a reload.
describe('The notification bell in a real browser', () => {
  let browser: Browser;
  let hub: TestHub;
  let team: Awaited<ReturnType<typeof createTeam>>;

  beforeAll(async () => {
    browser = await launchBrowser();
    hub = await startTestHub();
    team = await createTeam(hub, 'つなぎ整骨院');
  });

  afterAll(async () => {
    await browser?.close();
    await hub?.stop();
  });

  for (const width of WIDTHS) {
    it(`rings when a colleague blocks a contact, opens it, and keeps it read after a reload (${width.name})`, async () => {
      const supervisor = await addMember(hub, team, { role: 'supervisor', name: `主任 ${width.name}` });
      const operator = await addMember(hub, team, { name: `担当 ${width.name}` });
      const context = await browser.newContext(width.options);
      const page = await openPage(context, `${hub.url}/app/login`);
      await logIn(page, supervisor.email);
      const bell = page.getByRole('button', { name: /^お知らせ/ });
      expect(await bell.getAttribute('aria-label')).toBe('お知らせ');

      const name = `迷惑 ${width.name}`;
      const contact = (await hub.http.post('/api/contacts').set(operator.auth).send({ name, email: `spam-${randomBytes(3).toString('hex')}@example.com` }).expect(201)).body.id as string;
      await hub.http.post(`/api/contacts/${contact}/block`).set(operator.auth).expect(200);
      await page.getByRole('button', { name: 'お知らせ 未読 1件' }).waitFor();

      await bell.click();
      const list = page.getByRole('region', { name: 'お知らせ' });
      const item = list.getByRole('button', { name: new RegExp(`${name} がブロックされました`) });
      await item.waitFor();
      await page.screenshot({ path: join(SCREENSHOTS, `notification-bell-${width.name}.png`) });

      // Opening it is reading it, and leads to the contact.
      await item.click();
      await page.getByRole('heading', { name }).waitFor();
      expect(page.url()).toBe(`${hub.url}/app/contacts/${contact}`);
      await page.getByRole('button', { name: 'お知らせ', exact: true }).waitFor();

      await page.reload();
      await page.getByRole('button', { name: 'お知らせ', exact: true }).click();
      const kept = page.getByRole('region', { name: 'お知らせ' }).getByRole('listitem');
      await kept.first().waitFor();
      expect(await kept.count()).toBe(1);
      expect(await kept.first().getAttribute('class')).toBe('read');
      expect(page.dialogs).toEqual([]);
      await context.close();
    });
  }
});
