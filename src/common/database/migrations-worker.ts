// The pending migrations, applied in a worker thread (see `applyMigrationsApart` in migrations.ts): the schema
// engine is compiled, run and thrown away with the thread, instead of staying in the hub's memory for good.
import { parentPort, workerData } from 'node:worker_threads';
import { MigrationError, applyMigrations } from './migrations.js';

const { connectionString } = workerData as { connectionString: string };
try {
  parentPort!.postMessage({ applied: await applyMigrations(connectionString) });
} catch (error) {
  const failure = error instanceof Error ? error : new Error(String(error));
  parentPort!.postMessage({ failed: { name: failure.name, message: failure.message, migrationName: failure instanceof MigrationError ? failure.migrationName : undefined } });
}
