import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import { derive } from './secret-box.js';

/**
 * Short codes sent by mail (password reset, proof of an address): stored only as a keyed hash, so a copy of the
 * database does not reveal a code that is still good, and compared in constant time.
 */
export class OneTimeCodes {
  private readonly key: Buffer;

  constructor(masterKey: Buffer, purpose: string) {
    // One key per purpose: a code issued to prove an address never doubles as a reset code.
    this.key = derive(masterKey, `tsunagi:one-time-code:${purpose}`);
  }

  /** A code of `digits` decimal digits, uniformly drawn. */
  generate(digits: number): string {
    return String(randomInt(0, 10 ** digits)).padStart(digits, '0');
  }

  /** The keyed hash to store, hex. The code is read as typed on a phone: full-width digits and spaces allowed. */
  hash(code: string): string {
    return createHmac('sha256', this.key).update(normalizeCode(code)).digest('hex');
  }

  matches(storedHash: string, typed: string): boolean {
    const stored = Buffer.from(storedHash, 'hex');
    const candidate = Buffer.from(this.hash(typed), 'hex');
    return stored.length === candidate.length && timingSafeEqual(stored, candidate);
  }
}

const normalizeCode = (code: string) => code.normalize('NFKC').replace(/\s+/g, '');
