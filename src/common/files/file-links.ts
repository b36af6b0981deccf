import { createHmac, timingSafeEqual } from 'node:crypto';
import { DomainError } from '../errors/domain-error.js';
import { derive } from '../crypto/secret-box.js';

/** What a link opens: one stored file of one message, or its preview. */
export interface LinkedFile {
  messageId: string;
  index: number;
  variant: 'file' | 'thumbnail';
}

/**
 * Links to a message's file for those who cannot sign in: Twilio and LINE fetch a photo from a URL, LINE's customer
 * opens a PDF from one. Each link names the file and when it stops working, signed with HMAC-SHA256 under a key
 * derived from the hub's master key (HUB_SECRET_KEY, or the one kept in the data directory): nobody can make one up
 * or stretch its time, and every hub process behind a load balancer reads the others'.
 */
export class FileLinks {
  private readonly key: Buffer;

  constructor(masterKey: Buffer) {
    this.key = derive(masterKey, 'tsunagi:file-link');
  }

  /** The path and query of a link valid until `expiresAt` (whole seconds). */
  path(file: LinkedFile, expiresAt: Date): string {
    const expires = Math.floor(expiresAt.getTime() / 1000);
    const variant = file.variant === 'thumbnail' ? '&variant=thumbnail' : '';
    return `/files/${file.messageId}/${file.index}?expires=${expires}${variant}&signature=${this.signature(file, expires)}`;
  }

  /** Throws `link_invalid` (403) for a link not made here or changed, `link_expired` (404) after its time. */
  verify(file: LinkedFile, expires: number, signature: string, now: Date): void {
    const expected = Buffer.from(this.signature(file, expires));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new DomainError('forbidden', 'link_invalid', 'This link to a file was not made by this hub, or was changed.');
    }
    if (expires * 1000 <= now.getTime()) throw new DomainError('not_found', 'link_expired', 'This link to a file has expired; ask for the file again.');
  }

  private signature(file: LinkedFile, expires: number): string {
    return createHmac('sha256', this.key).update(`${file.messageId}/${file.index}/${file.variant}/${expires}`).digest('base64url');
  }
}

export const FILE_LINKS = Symbol('FileLinks');
