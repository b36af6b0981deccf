import { SignJWT, jwtVerify } from 'jose';
import { derive } from '../common/crypto/secret-box.js';

export interface AccessClaims {
  memberId: string;
  teamId: string;
  /** The member's token version when issued: a password change bumps it and retires older tokens. */
  version: number;
}

const ISSUER = 'tsunagi';
const LIFETIME = '12h';

/** Access tokens: HS256 JWTs signed with a key derived from HUB_SECRET_KEY, so every process accepts them. */
export class AccessTokens {
  private readonly key: Uint8Array;

  constructor(masterKey: Buffer) {
    this.key = new Uint8Array(derive(masterKey, 'tsunagi:access-token'));
  }

  sign(claims: AccessClaims): Promise<string> {
    return new SignJWT({ team: claims.teamId, ver: claims.version })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(claims.memberId)
      .setIssuer(ISSUER)
      .setIssuedAt()
      .setExpirationTime(LIFETIME)
      .sign(this.key);
  }

  /** The claims of a valid token, or null for anything else (expired, forged, malformed). */
  async verify(token: string): Promise<AccessClaims | null> {
    try {
      const { payload } = await jwtVerify(token, this.key, { issuer: ISSUER, algorithms: ['HS256'] });
      if (typeof payload.sub !== 'string' || typeof payload.team !== 'string' || typeof payload.ver !== 'number') return null;
      return { memberId: payload.sub, teamId: payload.team, version: payload.ver };
    } catch {
      return null;
    }
  }
}

export const ACCESS_TOKENS = Symbol('AccessTokens');
