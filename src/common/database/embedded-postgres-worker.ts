// The embedded database in a thread of its own (see `startEmbeddedPostgres`): PGlite and the socket that serves it
// run here, so PostgreSQL's work no longer takes turns with the hub's on one event loop.
import { parentPort, workerData } from 'node:worker_threads';
import { serveEmbedded } from './embedded-postgres.js';
import type { EmbeddedRequest, EmbeddedWorkerData } from './embedded-postgres.js';

const { path, image } = workerData as EmbeddedWorkerData;
try {
  const served = await serveEmbedded(path, image ? new Blob([image]) : undefined);
  parentPort!.on('message', (request: EmbeddedRequest) => {
    void (async () => {
      try {
        if (request.kind === 'dump') {
          const bytes = await (await served.dumpImage()).arrayBuffer();
          parentPort!.postMessage({ id: request.id, image: bytes }, [bytes]);
        } else if (request.kind === 'idle') {
          await served.waitForNoConnections();
          parentPort!.postMessage({ id: request.id });
        } else {
          await served.stop();
          parentPort!.postMessage({ id: request.id });
          parentPort!.close();
        }
      } catch (error) {
        parentPort!.postMessage({ id: request.id, failed: error instanceof Error ? error.message : String(error) });
      }
    })();
  });
  parentPort!.postMessage({ ready: served.connectionString });
} catch (error) {
  parentPort!.postMessage({ failed: error instanceof Error ? error.message : String(error) });
}
