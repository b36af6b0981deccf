/**
 * Background and delayed work: the {@link JobQueue} port, bound to {@link JOB_QUEUE}, with a
 * BullMQ adapter (Redis) and an in-process one (no Redis, nothing survives a restart). The BullMQ adapter is
 * imported from its own file, by the hub only when Redis is configured, so that a hub without Redis never loads it.
 */
export {
  DEFAULT_BACKOFF_MS,
  DEFAULT_CONCURRENCY,
  JOB_QUEUE,
  type JobContext,
  type JobHandler,
  type JobLogger,
  type JobOptions,
  type JobQueue,
  type JobQueueDepth,
  type RegisterOptions,
} from './job-queue.js';
export { InProcessJobQueue } from './in-process-job-queue.js';
