import { z } from 'zod';
import { CHANNEL_TYPES } from '../common/channel-types.js';

export const createChannelBody = z.strictObject({
  type: z.enum(CHANNEL_TYPES),
  provider: z.string().min(1).max(40),
  name: z.string().trim().min(1).max(100),
  config: z.record(z.string(), z.unknown()).default({}),
});

export const updateChannelBody = z.strictObject({
  name: z.string().trim().min(1).max(100).optional(),
  active: z.boolean().optional(),
  /** Merged into the current config: send only what changes (a secret left out is kept). */
  config: z.record(z.string(), z.unknown()).optional(),
});

/** Every channel's config accepts this: the SDK is pointed at it (tests, regional endpoints). */
export const apiBaseUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional();
