import argon2 from 'argon2';

export const hashPassword = (password: string) => argon2.hash(password, { type: argon2.argon2id });

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

/** Verifying against this keeps an unknown email as slow as a wrong password, so timing tells nothing. */
export const DUMMY_HASH = await hashPassword('tsunagi-timing-equalizer');
