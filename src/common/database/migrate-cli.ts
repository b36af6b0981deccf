// `node dist/common/database/migrate-cli.js deploy` applies pending migrations; `... create NAME` writes a new
// one from the difference between the migrated database and prisma/schema.prisma. With DATABASE_URL set they
// work on that server, otherwise on the embedded database the hub itself would open.
import { join, relative } from 'node:path';
import { startEmbeddedPostgres } from './embedded-postgres.js';
import { applyMigrations, createMigration } from './migrations.js';

const USAGE = 'usage: migrate-cli deploy | migrate-cli create NAME';

async function main(args: string[]): Promise<void> {
  const [command, name, ...extra] = args;
  if (extra.length || !(command === 'deploy' ? name === undefined : command === 'create' && name)) {
    throw new Error(USAGE);
  }
  const databaseUrl = process.env.DATABASE_URL?.trim() || null;
  // The same directory openDatabase() uses, so this migrates the database the hub will open.
  const embedded = databaseUrl ? null : await startEmbeddedPostgres(join(process.env.HUB_DATA_DIR ?? './data', 'db'));
  const connectionString = databaseUrl ?? embedded!.connectionString;
  try {
    if (command === 'deploy') {
      const applied = await applyMigrations(connectionString);
      for (const migration of applied) console.log(`applied ${migration}`);
      if (!applied.length) console.log('no pending migrations');
    } else {
      const folder = await createMigration(connectionString, name!);
      console.log(folder ? `created ${relative(process.cwd(), folder)}` : 'no changes: the database already matches the schema');
    }
  } finally {
    await embedded?.stop();
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  console.error(`migrate: ${message.split('\n')[0]}`);
  process.exitCode = 1;
});
