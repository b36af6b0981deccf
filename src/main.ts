import { ConfigError, loadConfig } from './common/config/config.js';
import { logger } from './common/logging/logger.js';

/** `npm start`: the hub on its configuration, or on the embedded default with no configuration at all. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  // Loaded only once the configuration holds: a mistake in it is reported at once, without loading the whole hub.
  const { createHub } = await import('./hub.js');
  const hub = await createHub(config);
  const base = config.publicUrl.startsWith('http://localhost') ? hub.url : config.publicUrl;
  const lines = [
    '',
    `  Tsunagi is running on ${config.databaseUrl ? 'PostgreSQL' : `the embedded database (${config.dataDir})`}${config.redisUrl ? ' with Redis' : ''}.`,
    `  Inbox:    ${base}/app`,
    `  Demo shop with the chat widget: ${base}/demo (once a web chat channel exists)`,
    `  API docs: ${base}/api/docs`,
    config.mail.transport === 'log'
      ? '  Mail:     written to the log (password reset codes too); set HUB_SMTP_URL or HUB_SENDGRID_API_KEY to send it'
      : `  Mail:     sent through ${hub.mailTransport} from ${config.mail.from}`,
  ];
  if (hub.login) {
    lines.push(
      hub.login.password
        ? `  Log in:   ${hub.login.email} / ${hub.login.password}`
        : `  Log in:   ${hub.login.email} with the password you set${config.admin ? ' (HUB_ADMIN_PASSWORD)' : ''}`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n\n`);

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down');
    hub.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(`Tsunagi could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  logger.debug({ err: error }, 'start failed');
  process.exit(1);
});
