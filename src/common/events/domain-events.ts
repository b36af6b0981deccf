import { EventEmitter } from 'node:events';
import { logger } from '../logging/logger.js';

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
      Promise.resolve()
        .then(() => listener(payload))
        .catch((error: unknown) => logger.error({ err: error, event: name }, 'domain event listener failed'));
    };
    this.emitter.on(name, wrapped);
    return () => this.emitter.off(name, wrapped);
  }

  emit<K extends keyof Events & string>(name: K, payload: Events[K]): void {
    this.emitter.emit(name, payload);
  }
}
