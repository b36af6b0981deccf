/** One mail the hub itself sends (a password reset code, an invitation, an alert): plain text to one address. */
export interface SystemMail {
  to: string;
  subject: string;
  text: string;
}

/**
 * Mails the hub itself sends. `send` only takes the mail in: it is kept and handed to the operator's transport by a
 * job, outside the caller's transaction, and retried when the transport fails, so a request that sends mail never
 * waits on (or fails with) a relay.
 */
export interface Mailer {
  send(mail: SystemMail): Promise<void>;
}

export const MAILER = Symbol('Mailer');

/** Where the hub's mail leaves: an SMTP relay, SendGrid, or the log. Throwing means "try again later". */
export interface MailTransport {
  /** Said in the start-up lines and logs: `SMTP relay.example:587`, `SendGrid`, `the log`. */
  readonly description: string;
  deliver(mail: SystemMail): Promise<void>;
  close?(): Promise<void>;
}
