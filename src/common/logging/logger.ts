import { pino } from 'pino';

/**
 * Structured logs. Ids go in logs; message text, email addresses and phone numbers do not at info level,
 * and credentials are redacted wherever they appear.
 */
export const logger = pino({
  level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === 'test' ? 'silent' : 'info'),
  redact: {
    paths: ['password', '*.password', 'authorization', '*.authorization', 'headers.authorization', 'token', '*.token', 'config', '*.config', 'secrets'],
    censor: '***',
  },
});

export type Logger = typeof logger;
