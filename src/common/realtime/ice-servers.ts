import { createHmac } from 'node:crypto';
import type { CallConfig } from '../config/config.js';
import type { CallIceServer } from './events/call.events.js';

/**
 * The ICE servers one side of a video call is handed: the STUN URLs as they are, and the TURN URLs with credentials
 * of the TURN REST API that coturn checks with its `static-auth-secret` (`use-auth-secret`): the username is
 * `<expiry, unix seconds>:<who>` and the credential base64(HMAC-SHA1(secret, username)). The relay checks both
 * without asking the hub, and refuses the username once its expiry has passed.
 */
export function iceServersFor(config: CallConfig, who: string, now: Date): CallIceServer[] {
  const servers: CallIceServer[] = [];
  if (config.stunUrls.length > 0) servers.push({ urls: config.stunUrls });
  if (config.turnUrls.length > 0 && config.turnSecret) {
    const username = `${Math.floor(now.getTime() / 1000) + config.turnTtlSeconds}:${who}`;
    servers.push({ urls: config.turnUrls, username, credential: turnCredential(config.turnSecret, username) });
  }
  return servers;
}

/** coturn's long-term credential for a REST API username (the same sum `turnserver --use-auth-secret` makes). */
export function turnCredential(secret: string, username: string): string {
  return createHmac('sha1', secret).update(username).digest('base64');
}
