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

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      // A second signal: the operator will not wait.
      logger.warn({ signal, stillRunning: hub.stopProgress() }, 'second signal while stopping; exiting at once');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal, timeoutSeconds: config.stopTimeoutSeconds }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error({ stillRunning: hub.stopProgress(), timeoutSeconds: config.stopTimeoutSeconds }, 'stop took too long; exiting anyway');
      process.exit(1);
    }, config.stopTimeoutSeconds * 1000);
    timer.unref();
    hub.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error, stillRunning: hub.stopProgress() }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(`Tsunagi could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  logger.debug({ err: error }, 'start failed');
  process.exit(1);
});
