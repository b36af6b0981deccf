import { createContext, useContext } from 'react';
import type { Member } from '../api';
import type { Language } from '../i18n';

/** Who is signed in on this device, and the device's own preferences; the shell provides it to every area. */
export interface Session {
  member: Member;
  language: Language;
  setLanguage(language: Language): void;
  /** Replaces the stored member after the account page changed the name or the address. */
  updateMember(member: Member): void;
  /** Keeps the fresh token a password change answered (the older ones, other devices', are retired). */
  replaceToken(token: string): void;
  /** Forgets this device's token and member. */
  signOut(): void;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside of the signed-in shell');
  return session;
}

const MEMBER_KEY = 'tsunagi:member';

/** The member the last sign-in answered, kept with the token (the token's claims carry only ids). */
export const storedMember = {
  read(): Member | null {
    const stored = localStorage.getItem(MEMBER_KEY);
    return stored ? (JSON.parse(stored) as Member) : null;
  },
  write(member: Member | null): void {
    if (member) localStorage.setItem(MEMBER_KEY, JSON.stringify(member));
    else localStorage.removeItem(MEMBER_KEY);
  },
};

/** Enter sends (Shift+Enter breaks the line), or the other way round: this device's choice, else the team's default. */
export const enterSendsPreference = {
  read(teamDefault: boolean): boolean {
    const stored = localStorage.getItem('tsunagi:enterSends');
    return stored === null ? teamDefault : stored === 'true';
  },
  write(value: boolean): void {
    localStorage.setItem('tsunagi:enterSends', String(value));
  },
};
