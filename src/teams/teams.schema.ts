import { z } from 'zod';
import { teamSettingsSchema } from './team-settings.schema.js';

const email = z.string().trim().max(254).pipe(z.email({ error: 'must be an email address' }));
const password = z.string().min(8, 'must be at least 8 characters').max(200);
const name = z.string().trim().min(1).max(100);

export const loginBody = z.strictObject({ email: z.string().max(254), password: z.string().max(200) });
export const signupBody = z.strictObject({ inviteCode: z.string().trim().min(1).max(20), email, password, name });
export const passwordResetBody = z.strictObject({ email: z.string().max(254) });
export const passwordResetConfirmBody = z.strictObject({ email: z.string().max(254), code: z.string().max(20), password });

export const createTeamBody = z.strictObject({
  name,
  timeZone: z.string().optional(),
  admin: z.strictObject({ email, password, name }),
});

const timeZone = z.string().refine((zone) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}, 'must be an IANA time zone such as Asia/Tokyo');

export const updateTeamBody = z.strictObject({
  name: name.optional(),
  timeZone: timeZone.optional(),
  settings: teamSettingsSchema.partial().optional(),
});

export const createApiKeyBody = z.strictObject({ name });

export const updateMemberBody = z.strictObject({
  role: z.enum(['operator', 'supervisor', 'administrator']).optional(),
  capacity: z.number().int().min(0).max(100).optional(),
  training: z.boolean().optional(),
  name: name.optional(),
  groupIds: z.array(z.uuid()).max(100).optional(),
});

const memberIds = z.array(z.uuid()).max(1000);
export const createGroupBody = z.strictObject({ name, memberIds: memberIds.optional() });
export const updateGroupBody = z.strictObject({ name: name.optional(), memberIds: memberIds.optional() });

export const renameSelfBody = z.strictObject({ name });
export const changePasswordBody = z.strictObject({ currentPassword: z.string().max(200), newPassword: password });
export const emailChangeBody = z.strictObject({ email });
export const emailChangeConfirmBody = z.strictObject({ code: z.string().max(20) });

export const memberStatusBody = z.strictObject({ status: z.enum(['online', 'break', 'offline']) });
