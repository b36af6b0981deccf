// `node dist/common/database/backup-cli.js backup FILE` writes a backup of the embedded database under HUB_DATA_DIR
// (through the running hub if one holds it); `... restore FILE` brings one back into an empty HUB_DATA_DIR;
// `... migrate-to-postgres DATABASE_URL` copies a stopped hub's embedded database into an empty PostgreSQL database.
import { resolve } from 'node:path';
import { writeBackup, restoreBackup } from './backup.js';
import { copyToPostgres } from './copy-to-postgres.js';

const USAGE = 'usage: backup-cli backup FILE | backup-cli restore FILE | backup-cli migrate-to-postgres DATABASE_URL';

async function main(args: string[]): Promise<void> {
  const [command, argument, ...extra] = args;
  if (extra.length || !argument || !['backup', 'restore', 'migrate-to-postgres'].includes(command)) throw new Error(USAGE);
  const dataDir = process.env.HUB_DATA_DIR?.trim() || './data';
  const keyFromEnvironment = Boolean(process.env.HUB_SECRET_KEY?.trim());
  // npm runs scripts in the project's folder: a file named from elsewhere is relative to where npm was run.
  const file = resolve(process.env.INIT_CWD ?? process.cwd(), argument);
  if (command !== 'migrate-to-postgres' && process.env.DATABASE_URL?.trim()) {
    throw new Error(`${command} covers the embedded database, and DATABASE_URL is set: back up PostgreSQL with its own tools`);
  }
  if (command === 'backup') {
    const summary = await writeBackup(dataDir, file, keyFromEnvironment);
    console.log(`wrote ${argument}: the database of ${dataDir} (${summary.hubPid ? `from the running hub, pid ${summary.hubPid}` : 'no hub running'}), ${summary.files} stored files`);
    console.log(
      summary.secretKey === 'included'
        ? 'the secret key is in the file: keep the file as safe as the key (it opens every channel credential)'
        : 'HUB_SECRET_KEY is not in the file: keep it separately, the restored hub needs the same value',
    );
  } else if (command === 'restore') {
    const summary = await restoreBackup(file, dataDir);
    console.log(`restored ${argument} into ${dataDir}: the database, ${summary.files} stored files${summary.secretKey === 'included' ? ' and the secret key' : ''}`);
    if (summary.secretKey === 'environment') console.log('the backup holds no secret key: start the hub with the HUB_SECRET_KEY it had');
  } else {
    if (!/^postgres(ql)?:\/\//.test(argument)) throw new Error(`the target must be a postgresql:// URL, not ${JSON.stringify(argument.split('@').pop())}`);
    const tables = await copyToPostgres(dataDir, argument, (line) => console.log(line));
    const rows = tables.reduce((sum, table) => sum + table.rows, 0);
    console.log(`copied ${rows} rows in ${tables.length} tables from ${dataDir}`);
    console.log(
      keyFromEnvironment
        ? 'start the hub with DATABASE_URL set to the target, the same HUB_SECRET_KEY, and the same HUB_DATA_DIR (stored files stay there)'
        : `start the hub with DATABASE_URL set to the target, HUB_SECRET_KEY set to the content of ${resolve(dataDir, 'secret.key')}, and the same HUB_DATA_DIR (stored files stay there)`,
    );
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const command = process.argv[2] ?? 'backup';
  const message = error instanceof Error ? error.message : String(error);
  console.error(`${command}: ${message.split('\n')[0]}`);
  process.exitCode = 1;
});
