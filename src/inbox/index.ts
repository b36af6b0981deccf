/** The agents' inbox: its socket, bells and pushes; other modules reach agents through `MemberNews`. */
export { InboxModule } from './inbox.module.js';
export { MemberNews } from './member-news.service.js';
export type { PushNews } from './push/push-deliveries.service.js';
export type { PushPayload } from './push/push.schema.js';
