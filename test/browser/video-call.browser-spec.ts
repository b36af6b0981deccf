import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, Locator, Page } from 'playwright-core';
import { join } from 'node:path';
import { TestHub, addMember, createTeam, createWebchat, startTestHub } from '../support/test-hub.js';
import { eventually } from '../support/eventually.js';
import { startTurnServer } from '../support/turn-server.js';
import type { TurnServer } from '../support/turn-server.js';
import { FAKE_MEDIA_ARGS, SCREENSHOTS, launchBrowser, logIn, openPage, openWidget } from './browser.js';

/** What the check reads of a `<video>` (the test code is compiled without the DOM's types). */
interface VideoElement {
  currentTime: number;
  videoWidth: number;
  requestVideoFrameCallback(callback: () => void): number;
}

/** The stream a local preview shows (its microphone's track is what mute turns off). */
interface PreviewElement {
  srcObject: { getAudioTracks(): Array<{ enabled: boolean }> } | null;
}

/** Whether the microphone a page sends is on, as its own preview's stream says. */
function microphoneOn(preview: Locator): Promise<boolean[]> {
  return preview.evaluate<boolean[], PreviewElement>((element: PreviewElement) => element.srcObject?.getAudioTracks().map((track) => track.enabled) ?? []);
}

/**
 * Whether a video element shows a live picture: it has a size, and new frames keep coming (requestVideoFrameCallback
 * fires for frames presented) while its clock advances. A frozen last frame passes the first check only.
 */
async function playing(video: Locator): Promise<{ width: number; frames: number; advanced: boolean }> {
  return video.evaluate<{ width: number; frames: number; advanced: boolean }, VideoElement>(
    (element: VideoElement) =>
      new Promise<{ width: number; frames: number; advanced: boolean }>((resolve) => {
        const startedAt = element.currentTime;
        let frames = 0;
        const report = () => resolve({ width: element.videoWidth, frames, advanced: element.currentTime > startedAt });
        const timer = setTimeout(report, 4_000);
        const tick = () => {
          frames += 1;
          if (frames >= 10) {
            clearTimeout(timer);
            report();
          } else element.requestVideoFrameCallback(tick);
        };
        element.requestVideoFrameCallback(tick);
      }),
  );
}

async function expectPlaying(video: Locator): Promise<void> {
  const seen = await eventually(() => playing(video), (result) => result.width > 0 && result.frames >= 10 && result.advanced, 20_000);
  expect(seen.width).toBeGreaterThan(0);
  expect(seen.frames).toBeGreaterThanOrEqual(10);
  expect(seen.advanced).toBe(true);
}

// Both browsers reach each other only through the relay (relay-only ICE): killing it cuts the call at the network
// level, as a real outage would, and only an ICE restart through the restarted relay brings the pictures back.
describe('A video call between the inbox and the widget in Chromium', () => {
  let browser: Browser;
  let hub: TestHub;
  let turn: TurnServer;
  let team: Awaited<ReturnType<typeof createTeam>>;
  let channelId: string;

  beforeAll(async () => {
    turn = await startTurnServer();
    browser = await launchBrowser({ args: FAKE_MEDIA_ARGS });
    hub = await startTestHub({ HUB_ICE_SERVERS: turn.url, HUB_TURN_SECRET: turn.secret, HUB_ICE_TRANSPORT_POLICY: 'relay' });
    team = await createTeam(hub, 'ビデオ通話の店');
    channelId = await createWebchat(hub, team.admin);
    await hub.http.put('/api/members/me/status').set(team.admin.auth).send({ status: 'offline' }).expect(200);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await hub?.stop();
    await turn?.stop();
  });

  /** A shopper's chat, accepted by a new agent: both pages, ready for a call. */
  async function chat(first: string): Promise<{ inbox: Page & { dialogs: string[] }; shop: Page & { dialogs: string[] } }> {
    const agent = await addMember(hub, team, { name: '佐藤 花子' });
    const inbox = await openPage(await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'ja-JP' }), `${hub.url}/app`);
    await logIn(inbox, agent.email);
    const shop = await openPage(await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'ja-JP' }), `${hub.url}/demo?channel=${channelId}`);
    await openWidget(shop);
    const input = shop.getByRole('textbox', { name: /メッセージを入力/ });
    await input.fill(first);
    await input.press('Enter');
    const offer = inbox.locator('.offer').filter({ hasText: first });
    await offer.getByRole('button', { name: '受ける' }).click({ timeout: 15_000 });
    await inbox.locator('.thread').getByText(first).waitFor();
    return { inbox, shop };
  }

  it('connects, comes back through an ICE restart after the relay is killed and restarted, ends, and leaves its events in the thread', async () => {
    const { inbox, shop } = await chat('商品の色を映像で見せてください');
    const call = inbox.getByRole('region', { name: 'ビデオ通話' });
    await call.getByRole('button', { name: 'ビデオ通話をかける' }).click();
    await call.getByText('お客様を呼び出しています…').waitFor();

    const ringing = shop.getByRole('alertdialog', { name: 'スタッフからビデオ通話です' });
    await ringing.getByText('佐藤 花子からビデオ通話です').waitFor({ timeout: 10_000 });
    await ringing.getByRole('button', { name: '応答する' }).click();

    // Connected: each side shows the other's camera, frames coming.
    await call.getByRole('status').getByText('通話中').waitFor({ timeout: 20_000 });
    const widgetCall = shop.getByRole('region', { name: 'ビデオ通話' });
    await widgetCall.getByRole('status').getByText('通話中').waitFor({ timeout: 20_000 });
    await expectPlaying(inbox.getByRole('region', { name: 'ビデオ通話' }).locator('video.call-remote'));
    await expectPlaying(widgetCall.locator('video.call-remote'));
    await inbox.screenshot({ path: join(SCREENSHOTS, 'video-call-inbox.png') });
    await shop.screenshot({ path: join(SCREENSHOTS, 'video-call-widget.png') });

    // The relay dies: the media path is gone, and both sides say they are reconnecting.
    await turn.kill();
    await call.getByRole('status').getByText('接続が切れました。つなぎ直しています…').waitFor({ timeout: 20_000 });
    await widgetCall.getByRole('status').getByText('接続が切れました。つなぎ直しています…').waitFor({ timeout: 20_000 });
    await turn.start();
    // Within the 30 seconds the caller keeps restarting ICE, the call is back, with pictures moving again.
    await call.getByRole('status').getByText('通話中').waitFor({ timeout: 30_000 });
    await widgetCall.getByRole('status').getByText('通話中').waitFor({ timeout: 20_000 });
    await expectPlaying(call.locator('video.call-remote'));
    await expectPlaying(widgetCall.locator('video.call-remote'));

    // Mute turns the microphone's track off on each side, and on again; the picture goes on.
    for (const region of [call, widgetCall]) {
      expect(await microphoneOn(region.locator('video.call-local'))).toEqual([true]);
      await region.getByRole('button', { name: 'マイクをオフ' }).click();
      await region.getByRole('button', { name: 'マイクをオン', pressed: true }).waitFor();
      expect(await microphoneOn(region.locator('video.call-local'))).toEqual([false]);
      await region.getByRole('button', { name: 'マイクをオン' }).click();
      expect(await microphoneOn(region.locator('video.call-local'))).toEqual([true]);
    }
    await expectPlaying(widgetCall.locator('video.call-remote'));

    // Leaving the page mid-call is asked about first.
    const asked = new Promise<string>((resolve) => shop.once('dialog', (dialog) => resolve(dialog.type())));
    await shop.close({ runBeforeUnload: true });
    expect(await asked).toBe('beforeunload');
    expect(shop.isClosed()).toBe(false);

    await call.getByRole('button', { name: '通話を終える' }).click();
    await call.getByText(/^ビデオ通話が終わりました（\d+分\d\d秒）。$/).waitFor();
    await shop.getByText('ビデオ通話が終わりました。チャットはこのまま続けられます。').waitFor({ timeout: 10_000 });
    expect(await widgetCall.isHidden()).toBe(true);

    // The thread has the call's start and end, with its length; the chat goes on after it.
    const thread = inbox.locator('.thread');
    await thread.getByText('ビデオ通話が始まりました').waitFor();
    await thread.getByText(/^ビデオ通話が終わりました（\d+分\d\d秒）$/).waitFor();
    const input = shop.getByRole('textbox', { name: /メッセージを入力/ });
    await input.fill('ありがとうございました');
    await input.press('Enter');
    await thread.getByText('ありがとうございました').waitFor({ timeout: 10_000 });

    const calls = await hub.infra.db.call.findMany({ where: { teamId: team.teamId } });
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ status: 'ended', endReason: 'hung_up', liveKey: null });
    const lasted = (calls[0].endedAt!.getTime() - calls[0].acceptedAt!.getTime()) / 1000;
    // It ran through the outage: well past the relay's death and return.
    expect(lasted).toBeGreaterThan(5);
    expect(inbox.dialogs).toEqual([]);
  }, 180_000);

  // The other half of the 30 seconds: a relay that stays down ends the call as lost, and the chat carries on.
  it('gives up after 30 seconds without the relay, writes the lost connection to the thread, and keeps the chat', async () => {
    const { inbox, shop } = await chat('通話が切れたらどうなりますか');
    const call = inbox.getByRole('region', { name: 'ビデオ通話' });
    await call.getByRole('button', { name: 'ビデオ通話をかける' }).click();
    await shop.getByRole('alertdialog', { name: 'スタッフからビデオ通話です' }).getByRole('button', { name: '応答する' }).click({ timeout: 10_000 });
    await call.getByRole('status').getByText('通話中').waitFor({ timeout: 20_000 });

    await turn.kill();
    const lostAt = Date.now();
    try {
      await call.locator('.call-notice').getByText('接続が切れ、30秒以内につなぎ直せませんでした。').waitFor({ timeout: 60_000 });
      // Not before its 30 seconds of trying (counted from the drop, which ICE notices a few seconds after the kill).
      expect(Date.now() - lostAt).toBeGreaterThanOrEqual(30_000);
      await shop.getByText('ビデオ通話が切れました。チャットはこのまま続けられ、写真や動画も送れます。').waitFor({ timeout: 10_000 });
      await inbox.locator('.thread').getByText('接続が切れ、30秒以内につなぎ直せませんでした。').waitFor();
    } finally {
      await turn.start();
    }
    const [lost] = await hub.infra.db.call.findMany({ where: { teamId: team.teamId, endReason: 'connection_lost' } });
    expect(lost).toMatchObject({ status: 'failed', liveKey: null });

    const input = shop.getByRole('textbox', { name: /メッセージを入力/ });
    await input.fill('写真を送ります');
    await input.press('Enter');
    await inbox.locator('.thread').getByText('写真を送ります').waitFor({ timeout: 10_000 });
  }, 180_000);

  // Guards the customer left "reconnecting" for good when the agent's browser closes mid-call without hanging up.
  it('ends the call on the shopper’s side when the agent’s browser goes away without hanging up', async () => {
    const { inbox, shop } = await chat('途中で切れても大丈夫ですか');
    const call = inbox.getByRole('region', { name: 'ビデオ通話' });
    await call.getByRole('button', { name: 'ビデオ通話をかける' }).click();
    await shop.getByRole('alertdialog', { name: 'スタッフからビデオ通話です' }).getByRole('button', { name: '応答する' }).click({ timeout: 10_000 });
    const widgetCall = shop.getByRole('region', { name: 'ビデオ通話' });
    await widgetCall.getByRole('status').getByText('通話中').waitFor({ timeout: 20_000 });
    const conversationId = (await hub.infra.db.call.findFirstOrThrow({ where: { teamId: team.teamId, status: 'active' } })).conversationId;

    await inbox.context().close();
    await widgetCall.getByRole('status').getByText('接続が切れました。つなぎ直しています…').waitFor({ timeout: 20_000 });
    await shop.getByText('ビデオ通話が切れました。チャットはこのまま続けられ、写真や動画も送れます。').waitFor({ timeout: 60_000 });
    expect(await widgetCall.isHidden()).toBe(true);
    const [lost] = await hub.infra.db.call.findMany({ where: { conversationId } });
    expect(lost).toMatchObject({ status: 'failed', endReason: 'connection_lost', liveKey: null });
    const events = await hub.infra.db.message.findMany({ where: { conversationId, kind: 'event' }, orderBy: { seq: 'asc' } });
    expect(events.map((event) => event.eventKey)).toEqual([`call:${lost.id}:started`, `call:${lost.id}:end`]);
  }, 180_000);
});
