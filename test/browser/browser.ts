import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

/** Debian's Chromium (`apt-get install chromium`): playwright-core drives it, nothing is downloaded. */
const EXECUTABLE = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const SCREENSHOTS = join(process.cwd(), 'test-artifacts', 'screenshots');

/** The widths every screen is shot at: a desk and a phone. */
export const WIDTHS = [
  { name: 'desktop', options: { viewport: { width: 1280, height: 860 }, locale: 'ja-JP' } },
  { name: 'phone', options: { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'ja-JP' } },
] as const;

/** `args`: flags a suite needs besides these, such as a fake camera (`fakeCamera`). */
/**
 * Flags for video calls: a fake camera and microphone (a test pattern and a beep) granted without a prompt, peer
 * connections allowed on loopback, and host candidates as plain addresses rather than mDNS names, which nothing
 * resolves offline.
 */
export const FAKE_MEDIA_ARGS = [
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--allow-loopback-in-peer-connection',
  '--disable-features=WebRtcHideLocalIpsWithMdns',
];

export async function launchBrowser(options: { args?: string[] } = {}): Promise<Browser> {
  await mkdir(SCREENSHOTS, { recursive: true });
  // playwright-core gives the browser a fresh profile directory of its own (the user-data-dir the flags ask for).
  return chromium.launch({
    executablePath: EXECUTABLE,
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', ...(options.args ?? []),
    ],
  });
}

/** Chromium's camera plays `video` (a .y4m file) in a loop, and every page may use it without being asked. */
export function fakeCamera(video: string): string[] {
  return ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${video}`];
}

/** A page that fails the test on any dialog (alert from injected script) and records console errors. */
export async function openPage(context: BrowserContext, url: string): Promise<Page & { dialogs: string[] }> {
  const page = (await context.newPage()) as Page & { dialogs: string[] };
  page.dialogs = [];
  page.on('dialog', (dialog) => {
    page.dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await page.goto(url);
  return page;
}

export async function logIn(page: Page, email: string, password = 'correct horse'): Promise<void> {
  await page.getByLabel('メールアドレス').fill(email);
  await page.getByLabel('パスワード').fill(password);
  await page.getByRole('button', { name: 'ログイン' }).click();
  await page.getByRole('tablist', { name: '表示' }).waitFor();
}

/** Opens the widget on the demo page and agrees to the data notice. */
export async function openWidget(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'チャットで問い合わせる' }).click();
  await page.getByRole('checkbox').check();
}

