import { beforeAll, describe, expect, it } from '@jest/globals';
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory, SqlResultSet } from '@prisma/driver-adapter-utils';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  checkEngineInternals,
  ENGINE_PACKAGE,
  ENGINE_VERSION,
  ENGINE_WASM_FILE,
  EngineInternalsMoved,
  EnginePanic,
  callEngine,
  readEnginePackage,
  withSchemaEngine,
  type EngineInternals,
} from './schema-engine.js';

// The engine is a prerelease whose wasm-bindgen glue the loader patches by name. A new build renames those
// internals (their names carry hashes) or drops them, and a patch that no longer applies fails nowhere near its
// cause: a timer that keeps the process alive, a panic that hangs a deploy. These cases make a version bump fail here.
describe('schema engine', () => {
  let installed: EngineInternals;

  /** The installed engine with `change` applied: a stand-in for a future build whose internals moved. */
  function movedEngine(change: (engine: EngineInternals) => void): EngineInternals {
    const engine = { ...installed, glue: { ...installed.glue }, imports: [...installed.imports], exports: [...installed.exports] };
    change(engine);
    return engine;
  }

  function problemsOf(engine: EngineInternals): string[] {
    try {
      checkEngineInternals(engine);
    } catch (error) {
      expect(error).toBeInstanceOf(EngineInternalsMoved);
      return (error as EngineInternalsMoved).problems;
    }
    return [];
  }

  /** Renames the glue export and the engine import starting with `prefix`, as a rebuild with a new hash would. */
  function renamed(prefix: string, to: string) {
    return (engine: EngineInternals) => {
      for (const name of Object.keys(engine.glue).filter((one) => one.startsWith(prefix))) {
        engine.glue[name.replace(prefix, to)] = engine.glue[name];
        delete engine.glue[name];
      }
      engine.imports = engine.imports.map((one) => ({ ...one, name: one.name.replace(prefix, to) }));
    };
  }

  beforeAll(async () => {
    ({ internals: installed } = await readEnginePackage());
  }, 30_000);

  it('is pinned in package.json to exactly the version the loader was checked against, and installed', async () => {
    const manifest = JSON.parse(await readFile(new URL('../../../package.json', import.meta.url), 'utf8')) as { dependencies: Record<string, string> };
    // A range (a caret) would let npm install another prerelease build, with other internals, on a fresh clone.
    expect(manifest.dependencies[ENGINE_PACKAGE]).toBe(ENGINE_VERSION);
    expect(installed.version).toBe(ENGINE_VERSION);
  });

  it('finds every internal the loader patches or relies on in the installed engine', () => {
    expect(problemsOf(installed)).toEqual([]);
  });

  it('names the glue export that hands the engine its instance when it is gone', () => {
    expect(problemsOf(movedEngine((engine) => delete engine.glue.__wbg_set_wasm))).toEqual([
      expect.stringContaining('__wbg_set_wasm'),
    ]);
  });

  it('names the SchemaEngine method the commands call when it is gone', () => {
    class WithoutDiff {
      static new() {}
      applyMigrations() {}
      free() {}
    }
    expect(problemsOf(movedEngine((engine) => (engine.glue.SchemaEngine = WithoutDiff)))).toEqual([
      'SchemaEngine.prototype.diff is missing',
    ]);
  });

  it.each([
    ['__wbg_setTimeout_', 'unref'],
    ['__wbg_queueMicrotask_', 'panic in the engine'],
    ['__wbg_set_message_', 'reports a panic'],
  ])('names the patched import %s* when a rebuild renames it', (prefix, patch) => {
    const problems = problemsOf(movedEngine(renamed(prefix, '__wbg_renamed_')));
    expect(problems).toEqual([expect.stringContaining(`no engine import ${prefix}*`)]);
    expect(problems[0]).toContain(patch);
  });

  it('names the patched import whose glue no longer calls what the patch wraps', () => {
    const name = Object.keys(installed.glue).find((one) => one.startsWith('__wbg_set_message_'))!;
    // Reports the panic somewhere else than the global the loader sets up.
    const elsewhere = (message: string) => console.error(message);
    expect(problemsOf(movedEngine((engine) => (engine.glue[name] = elsewhere)))).toEqual([
      expect.stringContaining('PRISMA_WASM_PANIC_REGISTRY.set_message('),
    ]);
  });

  it('names the module the engine imports its glue as when it changed', () => {
    const moved = movedEngine((engine) => {
      engine.imports = engine.imports.map((one) => ({ ...one, module: './schema_engine.js' }));
    });
    expect(problemsOf(moved)).toContain('the engine imports from ./schema_engine.js, not only from ./schema_engine_bg.js');
  });

  it('names the start export the loader calls once the glue has the instance', () => {
    const moved = movedEngine((engine) => {
      engine.exports = engine.exports.filter((one) => one.name !== '__wbindgen_start');
    });
    expect(problemsOf(moved)).toEqual([expect.stringContaining('__wbindgen_start')]);
  });

  it('names the moved internals and both versions in one message', () => {
    expect(() => checkEngineInternals(movedEngine((engine) => {
      engine.version = '8.2.0';
      delete engine.glue.__wbg_set_wasm;
    }))).toThrow(
      new RegExp(`^${ENGINE_PACKAGE}@8\\.2\\.0 has moved internals .* \\(checked against ${ENGINE_VERSION.replace(/\./g, '\\.')}\\): .*__wbg_set_wasm`),
    );
  });

  it('names the compiled engine when it is no longer beside the entry', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'schema-engine-spec-'));
    try {
      await writeFile(join(dir, 'package.json'), JSON.stringify({ name: ENGINE_PACKAGE, version: '8.2.0' }));
      await expect(readEnginePackage(dir)).rejects.toThrow(
        new RegExp(`${ENGINE_PACKAGE}@8\\.2\\.0 has moved internals .*${ENGINE_WASM_FILE.replace('.', '\\.')} is not beside`),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  // Last in the file: after a panic the engine refuses every call, as the process would. The panic is reported
  // through the global registry the loader installs and trapped in a microtask the engine queued; were either
  // patch lost, the call would never settle and the trap would surface as an uncaught exception instead.
  it('fails the pending call with the Rust message when the engine panics, and refuses every later call', async () => {
    let answer: SqlResultSet = { columnNames: [], columnTypes: [], rows: [] };
    const connection: SqlDriverAdapter = {
      provider: 'postgres',
      adapterName: 'fake',
      queryRaw: async () => answer,
      executeRaw: async () => 0,
      executeScript: async () => {},
      startTransaction: () => Promise.reject(new Error('no transactions here')),
      dispose: async () => {},
    };
    const database: SqlMigrationAwareDriverAdapterFactory = {
      provider: 'postgres',
      adapterName: 'fake',
      connect: async () => connection,
      connectToShadowDb: async () => connection,
    };

    const crash = withSchemaEngine(database, undefined, (engine) => {
      // A row with more values than the result has columns: the engine indexes past the column list and panics.
      answer = { columnNames: [], columnTypes: [], rows: [['16.4']] };
      return callEngine(() => engine.version());
    });

    await expect(crash).rejects.toThrow(EnginePanic);
    await expect(crash).rejects.toThrow(/^The schema engine crashed: panicked at .*index out of bounds/s);
    await expect(withSchemaEngine(database, undefined, async () => 'unreachable')).rejects.toThrow(
      /crashed: panicked at .*\(earlier in this process; restart it\)$/s,
    );
  }, 30_000);
});
