/** Mails the hub itself sends (password reset codes, invitations): a port, so a provider can be plugged in. */
export interface Mailer {
  send(mail: { to: string; subject: string; text: string }): Promise<void>;
}

export const MAILER = Symbol('Mailer');
