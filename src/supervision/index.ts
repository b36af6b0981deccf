/** Supervision: trainee drafts, canned replies, categories, ratings, search and CSV exports, team reports. */
export { SupervisionModule } from './supervision.module.js';
export { CannedRepliesService } from './canned-replies.service.js';
export type { CannedReplyView } from './canned-replies.service.js';
export { CategoriesService } from './categories.service.js';
export { RatingsService } from './ratings.service.js';
