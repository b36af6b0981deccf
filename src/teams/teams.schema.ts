import { z } from 'zod';
import { businessHoursSchema } from './business-hours.js';
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

/** Each field of a settings shape optional and without its default. */
type PatchShape<S extends z.ZodRawShape> = { [K in keyof S]: z.ZodOptional<S[K] extends z.ZodDefault<infer Inner> ? Inner : S[K]> };

/**
 * The settings a PATCH names, and only those. Not `teamSettingsSchema.partial()`: zod fills a default even for an
 * optional key that is absent, so saving one setting would put every other defaulted one back to its default.
 */
function settingsPatch<S extends z.ZodRawShape>(schema: z.ZodObject<S>) {
  const fields = Object.entries(schema.shape).map(([key, field]) => [key, z.optional(field instanceof z.ZodDefault ? field.unwrap() : field)]);
  // Object.fromEntries loses the keys' types; PatchShape says what the loop above built.
  return z.strictObject(Object.fromEntries(fields) as PatchShape<S>);
}

export const updateTeamBody = z.strictObject({
  name: name.optional(),
  timeZone: timeZone.optional(),
  settings: settingsPatch(teamSettingsSchema).optional(),
});

/** Hours being edited, previewed before they are saved; the team's own time zone when `timeZone` is absent. */
export const hoursPreviewBody = z.strictObject({ businessHours: businessHoursSchema.nullable(), timeZone: timeZone.optional() });

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
/** A group's own shift; null: the group follows the team's business hours. */
export const groupHoursBody = z.strictObject({ businessHours: businessHoursSchema.nullable() });
export const groupHoursView = z.object({ businessHours: businessHoursSchema.nullable() }).meta({ id: 'GroupHours' });
/** The team's routing order: a new chat goes to the first group on shift with a member available, then the next. */
export const routingOrderBody = z.strictObject({ groupIds: z.array(z.string().min(1).max(100)).max(100) });
export const routingOrderView = z.object({ groupIds: z.array(z.string()) }).meta({ id: 'RoutingOrder' });

export const renameSelfBody = z.strictObject({ name });
export const changePasswordBody = z.strictObject({ currentPassword: z.string().max(200), newPassword: password });
export const emailChangeBody = z.strictObject({ email });
export const emailChangeConfirmBody = z.strictObject({ code: z.string().max(20) });

export const memberStatusBody = z.strictObject({ status: z.enum(['online', 'break', 'offline']) });
/** A colleague's status set by a supervisor or administrator: the reason is recorded and shown to the member. */
export const colleagueStatusBody = z.strictObject({ status: z.enum(['online', 'break', 'offline']), reason: z.string().trim().min(1, 'say why').max(200) });

// What the routes answer with (documented in openapi.json through @Answers, which holds each route to its view).

const role = z.enum(['operator', 'supervisor', 'administrator']);
const presence = z.enum(['online', 'break', 'offline']);

/** The member who signed in or up, as their own session sees them. */
export const signedInMemberView = z.object({ id: z.string(), teamId: z.string(), role, name: z.string(), email: z.string() }).meta({ id: 'SignedInMember' });
export const loginView = z.object({ accessToken: z.string(), member: signedInMemberView }).meta({ id: 'Login' });
/** The same answer whether the address is known or not, so the route does not tell who has an account. */
export const acceptedView = z.object({ accepted: z.boolean() }).meta({ id: 'Accepted' });
/** A fresh token for this device after a password change (every other device is signed out). */
export const accessTokenView = z.object({ accessToken: z.string() }).meta({ id: 'AccessToken' });
export const emailChangeView = z.object({ email: z.string(), expiresAt: z.string() }).meta({ id: 'EmailChange' });

/** A member as the team's lists show them. */
export const memberView = z
  .object({
    id: z.string(),
    name: z.string(),
    email: z.string(),
    role,
    status: presence,
    capacity: z.number(),
    training: z.boolean(),
    groupIds: z.array(z.string()),
    /** Set while an administrator has the member deactivated (no sign-in, no offers); null when active. */
    deactivatedAt: z.string().nullable(),
    /** When the member last used the hub (a request or a socket event from any device), to the minute; null: never. */
    lastActiveAt: z.string().nullable(),
  })
  .meta({ id: 'Member' });
/** A live `/inbox` connection of the member's, on any hub process: what the browser says it is, and since when. */
export const memberDeviceView = z
  .object({ kind: z.enum(['mobile', 'tablet', 'desktop', 'other']), userAgent: z.string().nullable(), connectedAt: z.string() })
  .meta({ id: 'MemberDevice' });
/** A status a colleague set for the member: what, why, who (`name` null when their row is gone) and when. */
export const presenceChangeView = z
  .object({ status: presence, reason: z.string(), by: z.object({ id: z.string(), name: z.string().nullable() }), at: z.string() })
  .meta({ id: 'PresenceChange' });
/** The latest first, at most 50. */
export const presenceChangeListView = z.object({ items: z.array(presenceChangeView), nextCursor: z.null() });

/**
 * A member in the team's list, with their connected devices: listed for supervisors and administrators; null for
 * operators, and when the devices cannot be known at the moment (a hub process did not answer).
 */
export const memberWithDevicesView = memberView.extend({ devices: z.array(memberDeviceView).nullable() }).meta({ id: 'MemberWithDevices' });
export const memberListView = z.object({ items: z.array(memberWithDevicesView), nextCursor: z.null() });

export const groupView = z.object({ id: z.string(), name: z.string(), memberIds: z.array(z.string()) }).meta({ id: 'Group' });
export const groupListView = z.object({ items: z.array(groupView), nextCursor: z.null() });

export const teamView = z
  .object({
    id: z.string(),
    name: z.string(),
    /** Administrators and supervisors only: whoever has the code can join the team. */
    inviteCode: z.string().optional(),
    inviteCodeExpiresAt: z.string().optional(),
    timeZone: z.string(),
    settings: teamSettingsSchema,
  })
  .meta({ id: 'Team' });
/** A team the server's operator created, and its first administrator. */
export const createdTeamView = z.object({
  team: z.object({ id: z.string(), name: z.string(), inviteCode: z.string() }),
  admin: z.object({ id: z.string(), email: z.string() }),
});

/** A new API key: `key` is shown this once (the hub keeps only its hash). */
export const createdApiKeyView = z.object({ id: z.string(), name: z.string(), key: z.string() }).meta({ id: 'CreatedApiKey' });
export const apiKeyView = z.object({ id: z.string(), name: z.string(), prefix: z.string(), createdAt: z.string(), revokedAt: z.string().nullable() }).meta({ id: 'ApiKey' });
export const apiKeyListView = z.object({ items: z.array(apiKeyView), nextCursor: z.null() });

/**
 * What the team's business hours say now, by the hub's clock ("open now until 13:00; next: 14:00"): instants in
 * ISO 8601 (UTC), to show in `timeZone`. `until`: when the open spell ends (null while closed, or always open);
 * `next`: the next opening after now (or after `until` while open); null when none within a year or always open.
 */
export const openingPreviewView = z
  .object({ openNow: z.boolean(), until: z.string().nullable(), next: z.string().nullable(), timeZone: z.string(), alwaysOpen: z.boolean() })
  .meta({ id: 'OpeningPreview' });
export type OpeningPreview = z.output<typeof openingPreviewView>;
