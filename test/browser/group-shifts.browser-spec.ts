import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { TestHub, createTeam, startTestHub } from '../support/test-hub.js';
import { launchBrowser, logIn, openPage } from './browser.js';

// Issue 23, shifts per group: an administrator gives the call center and the evening group their shifts and sets the
// routing order in the pages, and reads all of it back after a reload (and from the API, which routing reads).
describe('Group shifts and routing order in a real browser', () => {
  let browser: Browser;
  let hub: TestHub;
  let team: Awaited<ReturnType<typeof createTeam>>;
  let context: BrowserContext;
  let page: Page;
  let callCenter: string;
  let evening: string;

  const open = async (section: string) => {
    await page.goto(`${hub.url}/app/admin/${section}`);
    await page.waitForLoadState('networkidle');
  };
  const pickGroup = async (name: string) => {
    await page.getByRole('region', { name: 'グループのシフト' }).getByLabel('グループ', { exact: true }).selectOption({ label: name });
    return page.getByRole('form', { name: `${name}のシフト` });
  };
  const hoursOf = async (id: string) => (await hub.http.get(`/api/groups/${id}/hours`).set(team.admin.auth).expect(200)).body.businessHours;

  beforeAll(async () => {
    browser = await launchBrowser();
    hub = await startTestHub({ PUBLIC_URL: 'https://hub.example.test' });
    team = await createTeam(hub, '時短クリニック');
    await hub.http.put('/api/members/me/status').set(team.admin.auth).send({ status: 'offline' }).expect(200);
    callCenter = (await hub.http.post('/api/groups').set(team.admin.auth).send({ name: 'コールセンター' }).expect(201)).body.id;
    evening = (await hub.http.post('/api/groups').set(team.admin.auth).send({ name: '夜間' }).expect(201)).body.id;
    context = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'ja-JP' });
    page = await openPage(context, `${hub.url}/app/login`);
    await logIn(page, team.admin.email);
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await hub?.stop();
  });

  it('sets the call center to 10:00–18:00 and the evening group to 18:00–24:00 on weekdays, and keeps them over a reload', async () => {
    await open('hours');
    const callForm = await pickGroup('コールセンター');
    await callForm.getByLabel('チームの営業時間に従う').uncheck();
    await callForm.getByLabel('月曜日 時間帯1 開始').fill('10:00');
    await callForm.getByLabel('月曜日 時間帯1 終了').fill('18:00');
    await callForm.getByRole('button', { name: '月曜日の時間を火〜金曜日にも使う' }).click();
    await callForm.getByRole('button', { name: '保存' }).click();
    await callForm.getByRole('status').filter({ hasText: '保存しました' }).waitFor();

    const eveningForm = await pickGroup('夜間');
    await eveningForm.getByLabel('チームの営業時間に従う').uncheck();
    await eveningForm.getByLabel('月曜日 時間帯1 開始').fill('18:00');
    // The time input cannot say 24:00: 23:59 is midnight.
    await eveningForm.getByLabel('月曜日 時間帯1 終了').fill('23:59');
    await eveningForm.getByRole('button', { name: '月曜日の時間を火〜金曜日にも使う' }).click();
    await eveningForm.getByLabel('日本の祝日は休業').check();
    await eveningForm.getByRole('button', { name: '保存' }).click();
    await eveningForm.getByRole('status').filter({ hasText: '保存しました' }).waitFor();

    const weekdays = (open: string, close: string) => ['mon', 'tue', 'wed', 'thu', 'fri'].map((day) => ({ days: [day], open, close }));
    expect(await hoursOf(callCenter)).toMatchObject({ weekly: weekdays('10:00', '18:00'), nationalHolidays: null, switchMembers: true });
    expect(await hoursOf(evening)).toMatchObject({ weekly: weekdays('18:00', '24:00'), nationalHolidays: 'JP', switchMembers: true });

    await page.reload();
    await page.waitForLoadState('networkidle');
    const callAgain = await pickGroup('コールセンター');
    expect(await callAgain.getByLabel('チームの営業時間に従う').isChecked()).toBe(false);
    expect(await callAgain.getByLabel('金曜日 時間帯1 開始').inputValue()).toBe('10:00');
    expect(await callAgain.getByLabel('金曜日 時間帯1 終了').inputValue()).toBe('18:00');
    expect(await callAgain.getByLabel('土曜日 時間帯1 開始').count()).toBe(0);
    const eveningAgain = await pickGroup('夜間');
    expect(await eveningAgain.getByLabel('水曜日 時間帯1 開始').inputValue()).toBe('18:00');
    expect(await eveningAgain.getByLabel('水曜日 時間帯1 終了').inputValue()).toBe('23:59');
    expect(await eveningAgain.getByLabel('日本の祝日は休業').isChecked()).toBe(true);
    // The team's own hours stay as they were: always open.
    expect((await hub.http.get('/api/teams/current').set(team.admin.auth).expect(200)).body.settings.businessHours).toBeNull();
  });

  it('puts the groups in the routing order with the arrows, and keeps it over a reload', async () => {
    await open('routing');
    const form = page.getByRole('form', { name: 'グループの順番' });
    await form.getByLabel('夜間を順番に入れる').check();
    await form.getByLabel('コールセンターを順番に入れる').check();
    // Put in evening first: the arrow brings the call center ahead of it.
    await form.getByRole('button', { name: 'コールセンターを上へ' }).click();
    await form.getByRole('button', { name: '保存' }).click();
    await form.getByRole('status').filter({ hasText: '保存しました' }).waitFor();
    expect((await hub.http.get('/api/routing/group-order').set(team.admin.auth).expect(200)).body).toEqual({ groupIds: [callCenter, evening] });

    await page.reload();
    await page.waitForLoadState('networkidle');
    const rows = form.getByRole('listitem');
    await rows.first().filter({ hasText: 'コールセンター' }).waitFor();
    expect(await rows.allInnerTexts()).toEqual([expect.stringMatching(/コールセンター.*1番目/s), expect.stringMatching(/夜間.*2番目/s)]);

    // Taken out of the order, the evening group is no longer offered chats by its shift.
    await form.getByLabel('夜間を順番に入れる').uncheck();
    await form.getByRole('button', { name: '保存' }).click();
    await form.getByRole('status').filter({ hasText: '保存しました' }).waitFor();
    expect((await hub.http.get('/api/routing/group-order').set(team.admin.auth).expect(200)).body).toEqual({ groupIds: [callCenter] });
  });
});
