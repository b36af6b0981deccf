import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** One mail the server accepted: the envelope and the parsed message. */
export interface ReceivedMail {
  from: string;
  to: string[];
  subject: string;
  text: string;
}

export interface SmtpFake {
  /** `smtp://127.0.0.1:<port>`, for `HUB_SMTP_URL`. */
  url: string;
  mails: ReceivedMail[];
  /** Transactions answered with a temporary failure (451) instead of accepted, in order. */
  failNext(count: number): void;
  /** How many DATA commands were refused by failNext. */
  refused(): number;
  close(): Promise<void>;
}

/**
 * A local SMTP server (the `smtp-server` package, from the Nodemailer project) that keeps what it receives, so
 * mail tests read what a real relay would have been given. Plain text only: no STARTTLS, no authentication.
 */
export async function startSmtpFake(): Promise<SmtpFake> {
  const mails: ReceivedMail[] = [];
  let failures = 0;
  let refusedCount = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (failures > 0) {
          failures--;
          refusedCount++;
          callback(Object.assign(new Error('Try again later'), { responseCode: 451 }));
          return;
        }
        simpleParser(Buffer.concat(chunks)).then(
          (parsed) => {
            mails.push({
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              to: session.envelope.rcptTo.map((r) => r.address),
              subject: parsed.subject ?? '',
              text: parsed.text ?? '',
            });
            callback();
          },
          (error: Error) => callback(error),
        );
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    failNext: (count) => void (failures += count),
    refused: () => refusedCount,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
