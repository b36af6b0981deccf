import { describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

// Each table belongs to one module (docs/architecture.md, "Tables belong to their module"): the schema names it
// with a `/// owner: <folder>` line above the model, and only that folder of src/ writes it. Others ask the owner
// through its face, so the owner's rules (a merge moves every identity, an erasure leaves a suppression) live in
// one place.

const root = process.cwd();
const srcDir = join(root, 'src');

interface Model {
  name: string;
  /** The Prisma client's delegate: `contactIdentity` for `ContactIdentity`. */
  delegate: string;
  /** The table (`@@map`), as raw SQL names it. */
  table: string;
  owner: string | undefined;
}

interface Write {
  file: string;
  line: number;
  model: string;
  how: string;
}

const WRITE_CALLS = ['create', 'createMany', 'createManyAndReturn', 'update', 'updateMany', 'upsert', 'delete', 'deleteMany'];

function modelsOf(schema: string): Model[] {
  return [...schema.matchAll(/((?:^\/\/\/.*\n)*)^model (\w+) \{([\s\S]*?)^\}/gm)].map(([, docs, name, body]) => ({
    name,
    delegate: name[0].toLowerCase() + name.slice(1),
    table: /@@map\("([^"]+)"\)/.exec(body)?.[1] ?? name,
    owner: /^\/\/\/ owner: (\S+)/m.exec(docs)?.[1],
  }));
}

const lineAt = (text: string, index: number) => text.slice(0, index).split('\n').length;

/** The SQL handed to `$executeRaw` / `$queryRaw` (tagged or `Unsafe`), `${...}` holes included. */
function rawSqlOf(source: string): { sql: string; at: number }[] {
  const found: { sql: string; at: number }[] = [];
  for (const call of source.matchAll(/\$(?:execute|query)Raw(?:Unsafe)?(?:<[^>]*>)?\s*(`|\()/g)) {
    const start = call.index + call[0].length;
    const end = call[1] === '`' ? source.indexOf('`', start) : closingParen(source, start);
    found.push({ sql: source.slice(start, end < 0 ? undefined : end), at: call.index });
  }
  return found;
}

function closingParen(source: string, from: number): number {
  let depth = 1;
  for (let i = from; i < source.length; i++) {
    if (source[i] === '(') depth++;
    if (source[i] === ')' && --depth === 0) return i;
  }
  return -1;
}

/** Every write to a model in one source file: Prisma delegate calls and raw INSERT / UPDATE / DELETE. */
function writesIn(file: string, source: string, models: Model[]): Write[] {
  const writes: Write[] = [];
  for (const model of models) {
    // `tx.contact.update(`, `this.db.contact.update(`, and the same split over lines.
    const call = new RegExp(`\\.${model.delegate}\\s*\\.\\s*(${WRITE_CALLS.join('|')})\\s*\\(`, 'g');
    for (const match of source.matchAll(call)) {
      writes.push({ file, line: lineAt(source, match.index), model: model.name, how: match[1] });
    }
    const sqlWrite = new RegExp(`\\b(INSERT\\s+INTO|UPDATE|DELETE\\s+FROM)\\s+"?${model.table}"?(?![\\w"])`, 'gi');
    for (const { sql, at } of rawSqlOf(source)) {
      for (const match of sql.matchAll(sqlWrite)) {
        writes.push({ file, line: lineAt(source, at), model: model.name, how: match[1].replace(/\s+/g, ' ').toUpperCase() });
      }
    }
  }
  return writes;
}

function productionFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return path === join(srcDir, 'generated') ? [] : productionFiles(path);
    return /\.ts$/.test(entry.name) && !/\.(spec|int-spec|browser-spec|contract)\.ts$/.test(entry.name) ? [path] : [];
  });
}

/** The module a file of src/ belongs to: its first folder (`contacts` for src/contacts/...), or '' at the root. */
const moduleOf = (file: string) => (file.includes('/') ? file.slice(0, file.indexOf('/')) : '');

const models = modelsOf(readFileSync(join(root, 'prisma', 'schema.prisma'), 'utf8'));

describe('Table ownership', () => {
  it('names one owning module folder for every model of the schema', () => {
    expect(models.length).toBeGreaterThan(0);
    expect(models.filter((model) => !model.owner).map((model) => model.name)).toEqual([]);
    expect(models.filter((model) => !existsSync(join(srcDir, model.owner ?? ''))).map((model) => `${model.name}: ${model.owner}`)).toEqual([]);
  });

  // Guards the review finding "table ownership is a comment": routing wrote conversations and members, a merge in
  // conversations rewrote contacts' identities, consent events and invitations.
  it('finds every write to a table inside its owner’s folder', () => {
    const owners = new Map(models.map((model) => [model.name, model.owner]));
    const outside = productionFiles(srcDir).flatMap((path) => {
      const file = relative(srcDir, path).split('\\').join('/');
      return writesIn(file, readFileSync(path, 'utf8'), models)
        .filter((write) => owners.get(write.model) !== moduleOf(file))
        .map((write) => `src/${write.file}:${write.line} ${write.how} ${write.model} (owner: ${owners.get(write.model)})`);
    });
    expect(outside).toEqual([]);
  });

  describe('the scan', () => {
    const sample = modelsOf(['/// owner: contacts', 'model ContactIdentity {', '  id String @id', '  @@map("contact_identities")', '}'].join('\n'));

    it('reads the owner and the table from the schema', () => {
      expect(sample).toEqual([{ name: 'ContactIdentity', delegate: 'contactIdentity', table: 'contact_identities', owner: 'contacts' }]);
    });

    it('sees delegate writes on any client, split over lines, and raw SQL writes', () => {
      const source = [
        'await tx.contactIdentity.updateMany({ where });',
        'await this.db.contactIdentity',
        '  .create({ data });',
        'await db.$executeRaw`DELETE FROM contact_identities WHERE id = ${id}`;',
        'await this.db.$queryRaw<{ id: string }[]>`INSERT INTO "contact_identities" (id) VALUES (${id}) RETURNING id`;',
        "await db.$executeRawUnsafe('UPDATE contact_identities SET kind = $1', kind);",
      ].join('\n');
      expect(writesIn('x.ts', source, sample).map((write) => `${write.line} ${write.how}`)).toEqual([
        '1 updateMany',
        '2 create',
        '4 DELETE FROM',
        '5 INSERT INTO',
        '6 UPDATE',
      ]);
    });

    it('leaves reads, row locks and other tables alone', () => {
      const source = [
        'await tx.contactIdentity.findMany({ where });',
        'await tx.$queryRaw`SELECT id FROM contact_identities WHERE id = ${id} FOR UPDATE`;',
        'await tx.$executeRaw`UPDATE contact_identities_archive SET x = 1`;',
        'await tx.contactIdentityKind.update({ where });',
      ].join('\n');
      expect(writesIn('x.ts', source, sample)).toEqual([]);
    });
  });
});
