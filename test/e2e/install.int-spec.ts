import { describe, expect, it } from '@jest/globals';
import { createRequire } from 'node:module';
import { join } from 'node:path';

describe('npm install', () => {
  // Regression guard: whatsapp-web.js brings puppeteer, whose install script downloads Chrome unless told not
  // to. The project's .puppeteerrc.cjs tells it (the hub drives the system's Chromium, CHROMIUM_PATH).
  it('tells puppeteer to download no browser, by the project’s own configuration file', async () => {
    const require = createRequire(import.meta.url);
    expect(require(join(process.cwd(), '.puppeteerrc.cjs'))).toEqual({ skipDownload: true });
    const saved = process.env.PUPPETEER_SKIP_DOWNLOAD;
    delete process.env.PUPPETEER_SKIP_DOWNLOAD;
    try {
      // The configuration puppeteer's install script reads, found from the project root as npm runs it.
      const { getConfiguration } = (await import('puppeteer/internal/getConfiguration.js')) as { getConfiguration: () => { chrome?: { skipDownload?: boolean }; 'chrome-headless-shell'?: { skipDownload?: boolean } } };
      const configuration = getConfiguration();
      expect(configuration.chrome?.skipDownload).toBe(true);
      expect(configuration['chrome-headless-shell']?.skipDownload).toBe(true);
    } finally {
      if (saved !== undefined) process.env.PUPPETEER_SKIP_DOWNLOAD = saved;
    }
  });
});
