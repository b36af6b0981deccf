import { EventEmitter } from 'node:events';
import { logger } from '../logging/logger.js';

/** Listeners still running, in every `DomainEvents` of the process: a stopping hub waits for them (their job adds). */
const listenersRunning = new Set<Promise<void>>();

/**
 * Resolves once no listener runs, those that listeners' own events started included. A hub that stops waits for
 * this before it closes the job queue, so the follow-up work a request or a job caused is enqueued, not refused.
 */
export async function domainListenersSettled(): Promise<void> {
  while (listenersRunning.size > 0) await Promise.allSettled([...listenersRunning]);
}

/**
 * Work a listener-like step runs in the background, after the answer it followed (the steps after an inbound
 * message): a stopping hub waits for it as for listeners, since it may still add jobs.
 */
export function trackBackgroundWork(work: Promise<unknown>): void {
  const running: Promise<void> = work.then(() => undefined, () => undefined).finally(() => listenersRunning.delete(running));
  listenersRunning.add(running);
}

/**
 * In-process domain events, emitted after the transaction that caused them has committed. Listeners run
 * in this process; what must reach other processes goes through socket.io's Redis adapter or a job.
 */
export class DomainEvents<Events extends { [name: string]: unknown }> {
  private readonly emitter = new EventEmitter({ captureRejections: false });

  constructor() {
    this.emitter.setMaxListeners(50);
  }

  on<K extends keyof Events & string>(name: K, listener: (payload: Events[K]) => void | Promise<void>): () => void {
    const wrapped = (payload: Events[K]) => {
      // A failing listener must not break the emitter nor the other listeners.
      const running: Promise<void> = Promise.resolve()
        .then(() => listener(payload))
        .catch((error: unknown) => logger.error({ err: error, event: name }, 'domain event listener failed'))
        .finally(() => listenersRunning.delete(running));
      listenersRunning.add(running);
    };
    this.emitter.on(name, wrapped);
    return () => this.emitter.off(name, wrapped);
  }

  emit<K extends keyof Events & string>(name: K, payload: Events[K]): void {
    this.emitter.emit(name, payload);
  }
}
