// Loads Prisma's schema engine compiled to WebAssembly (the engine behind `prisma migrate`), which replaces the
// native engine Prisma downloads from outside the npm registry. Node cannot load the package as published, and its
// JavaScript glue needs three patches to behave in a server; all of them touch wasm-bindgen internals whose names
// carry build hashes. So package.json pins the package exactly, and `checkEngineInternals` refuses to start an
// engine whose internals moved, naming the one that did, instead of letting a patch silently stop applying.
import {
  bindMigrationAwareSqlAdapterFactory,
  type SqlMigrationAwareDriverAdapterFactory,
} from '@prisma/driver-adapter-utils';
import * as engineGlue from '@prisma/schema-engine-wasm/schema_engine_bg';
import type { SchemaEngine } from '@prisma/schema-engine-wasm/schema_engine_bg';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export type { MigrationList, SchemaEngine, SchemaFilter } from '@prisma/schema-engine-wasm/schema_engine_bg';

export const ENGINE_PACKAGE = '@prisma/schema-engine-wasm';
/**
 * The version whose internals the patches below were checked against; package.json pins exactly this one.
 * Moving to another: re-read the package's schema_engine_bg.js against each patch, then change both.
 */
export const ENGINE_VERSION = '8.1.0-2.59be4fda12412a79eeb9c2ae727b6aa723593323';

/** The compiled engine, inside the package beside its entry. */
export const ENGINE_WASM_FILE = 'schema_engine_bg.wasm';
/** The module the compiled engine imports its JavaScript glue as. */
const GLUE_MODULE = './schema_engine_bg.js';
/** The global the glue reports a Rust panic's message to (see `__wbg_set_message_*`). */
const PANIC_REGISTRY = 'PRISMA_WASM_PANIC_REGISTRY';

/** The engine's panic, with the Rust message it reported. No engine call is safe after one. */
export class EnginePanic extends Error {
  constructor(message: string) {
    super(`The schema engine crashed: ${message}`);
    this.name = 'EnginePanic';
  }
}

// ---- what the loader relies on, checked before it is used ----

interface WasmImport {
  module: string;
  name: string;
  kind: string;
}
interface WasmExport {
  name: string;
  kind: string;
}

/** The engine package as the loader sees it: the glue's exports and the compiled engine's imports and exports. */
export interface EngineInternals {
  version: string;
  glue: Record<string, unknown>;
  imports: WasmImport[];
  exports: WasmExport[];
}

/** Thrown when the installed engine no longer has an internal the loader patches or relies on. */
export class EngineInternalsMoved extends Error {
  constructor(
    version: string,
    readonly problems: string[],
  ) {
    super(
      `${ENGINE_PACKAGE}@${version} has moved internals that src/common/database/schema-engine.ts patches or relies ` +
        `on (checked against ${ENGINE_VERSION}): ${problems.join('; ')}`,
    );
    this.name = 'EngineInternalsMoved';
  }
}

/**
 * Throws `EngineInternalsMoved` listing every internal that is missing or changed shape: the glue's exports the
 * loader calls or wraps, what those wrapped functions call, and the compiled engine's imports and exports.
 */
export function checkEngineInternals(engine: EngineInternals): void {
  const { glue, imports, exports } = engine;
  const problems: string[] = [];
  const isFunction = (name: string) => typeof glue[name] === 'function';
  /** The glue functions the engine imports under `prefix` + a build hash. */
  const imported = (prefix: string) =>
    imports
      .filter((one) => one.module === GLUE_MODULE && one.name.startsWith(prefix) && isFunction(one.name))
      .map((one) => glue[one.name] as () => unknown);

  if (!isFunction('__wbg_set_wasm')) problems.push('the glue export __wbg_set_wasm (hands it the instance) is missing');
  if (!isFunction('SchemaEngine')) {
    problems.push('the glue export SchemaEngine is missing');
  } else {
    const schemaEngine = glue.SchemaEngine as { new?: unknown; prototype?: Record<string, unknown> };
    if (typeof schemaEngine.new !== 'function') problems.push('SchemaEngine.new is missing');
    for (const method of ['applyMigrations', 'diff', 'free']) {
      if (typeof schemaEngine.prototype?.[method] !== 'function') problems.push(`SchemaEngine.prototype.${method} is missing`);
    }
  }

  const foreign = imports.filter((one) => one.module !== GLUE_MODULE);
  if (foreign.length) {
    const modules = [...new Set(foreign.map((one) => one.module))].join(', ');
    problems.push(`the engine imports from ${modules}, not only from ${GLUE_MODULE}`);
  }
  const unprovided = imports.filter((one) => one.module === GLUE_MODULE && !(one.name in glue)).map((one) => one.name);
  if (unprovided.length) problems.push(`the glue does not export what the engine imports: ${unprovided.join(', ')}`);
  if (!exports.some((one) => one.name === '__wbindgen_start' && one.kind === 'function')) {
    problems.push('the engine export __wbindgen_start (run once the glue has the instance) is missing');
  }

  // Each patch wraps an import found by its name's prefix; what the wrapper assumes is what the original calls.
  const patched: [prefix: string, calls: string, patch: string][] = [
    ['__wbg_setTimeout_', 'setTimeout(', "unrefs the engine's timers"],
    ['__wbg_queueMicrotask_', 'queueMicrotask(', "catches a panic in the engine's microtasks"],
    ['__wbg_set_message_', `${PANIC_REGISTRY}.set_message(`, 'reports a panic'],
  ];
  for (const [prefix, calls, patch] of patched) {
    if (!imported(prefix).some((fn) => String(fn).includes(calls))) {
      problems.push(`no engine import ${prefix}* calling ${calls}...) (through it the loader ${patch})`);
    }
  }
  if (problems.length) throw new EngineInternalsMoved(engine.version, problems);
}

/** The bits of the WebAssembly API used here (the project's lib settings carry no WebAssembly typings). */
interface WasmRuntime {
  compile(bytes: Uint8Array): Promise<WasmModule>;
  instantiate(module: WasmModule, imports: Record<string, Record<string, unknown>>): Promise<{ exports: Record<string, unknown> }>;
  Module: { imports(module: WasmModule): WasmImport[]; exports(module: WasmModule): WasmExport[] };
}
declare const wasmModule: unique symbol;
type WasmModule = { readonly [wasmModule]: true };

const wasmRuntime = () => (globalThis as unknown as { WebAssembly: WasmRuntime }).WebAssembly;

/** The installed package's folder, found from its entry (the package does not export its package.json). */
function packageDir(): string {
  return dirname(createRequire(import.meta.url).resolve(ENGINE_PACKAGE));
}

/**
 * Reads and compiles the engine from the package in `dir` (the installed one unless a test names another; the glue
 * is always the one imported above). The package's entry imports the .wasm file as a module, which Node does not
 * load without a flag: the loader instantiates it itself, as the entry would.
 */
export async function readEnginePackage(dir = packageDir()): Promise<{ module: WasmModule; internals: EngineInternals }> {
  const { version } = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as { version: string };
  const bytes = await readFile(join(dir, ENGINE_WASM_FILE)).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
    throw new EngineInternalsMoved(version, [`the compiled engine ${ENGINE_WASM_FILE} is not beside the package's entry`]);
  });
  const module = await wasmRuntime().compile(bytes);
  const { Module } = wasmRuntime();
  return { module, internals: { version, glue: { ...engineGlue }, imports: Module.imports(module), exports: Module.exports(module) } };
}

// ---- the engine's panics ----

/**
 * The engine reports a Rust panic by calling this global before it traps; without it the report itself
 * fails, and the panic surfaces as "Cannot read properties of undefined (reading 'set_message')".
 */
interface PanicRegistry {
  set_message(message: string): void;
}
let panicMessage: string | null = null;
const panicListeners = new Set<(error: EnginePanic) => void>();

function onPanic(error: unknown): void {
  const panic = new EnginePanic(panicMessage ?? (error instanceof Error ? error.message : String(error)));
  for (const listener of panicListeners) listener(panic);
}

/** Runs an engine call, failing it if the engine panics meanwhile (it would otherwise never settle). */
export async function callEngine<T>(call: () => Promise<T>): Promise<T> {
  if (panicMessage !== null) throw new EnginePanic(`${panicMessage} (earlier in this process; restart it)`);
  let listener: ((error: EnginePanic) => void) | undefined;
  const panicked = new Promise<never>((_, reject) => {
    listener = reject;
    panicListeners.add(reject);
  });
  try {
    return await Promise.race([call(), panicked]);
  } finally {
    if (listener) panicListeners.delete(listener);
  }
}

// ---- loading ----

/** The glue's imports for the engine, with the two patches Node needs. */
function patchedImports(glue: Record<string, unknown>): Record<string, unknown> {
  const imports: Record<string, unknown> = { ...glue };
  for (const [name, original] of Object.entries(glue)) {
    if (typeof original !== 'function') continue;
    const call = original as (...args: unknown[]) => unknown;
    if (name.startsWith('__wbg_setTimeout_')) {
      // The engine starts a 10 s timer while it takes the migration lock and never clears it: unref'd, it
      // cannot keep a test run or the process alive. Its other timers race database calls, which keep the loop up.
      imports[name] = (...args: unknown[]) => {
        const timer = call(...args);
        (timer as NodeJS.Timeout).unref();
        return timer;
      };
    } else if (name.startsWith('__wbg_queueMicrotask_')) {
      // A panic traps inside a microtask the engine queued: the pending call would never settle and the trap
      // would be an uncaught exception. Catch it there and fail the call instead (see `callEngine`).
      imports[name] = (arg: unknown) =>
        call(
          typeof arg === 'function'
            ? () => {
                try {
                  (arg as () => void)();
                } catch (error) {
                  onPanic(error);
                }
              }
            : arg,
        );
    }
  }
  return imports;
}

let engineLoaded: Promise<void> | null = null;

/** Instantiates the engine once per process. Its JS glue keeps the instance in module state. */
function loadEngine(): Promise<void> {
  engineLoaded ??= (async () => {
    (globalThis as unknown as Record<typeof PANIC_REGISTRY, PanicRegistry>)[PANIC_REGISTRY] = {
      set_message(message) {
        panicMessage = message;
      },
    };
    const { module, internals } = await readEnginePackage();
    checkEngineInternals(internals);
    const instance = await wasmRuntime().instantiate(module, { [GLUE_MODULE]: patchedImports(internals.glue) });
    engineGlue.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
  })();
  return engineLoaded;
}

/**
 * Runs `work` with an engine that reaches the database through `adapters`, then frees the engine (unless it
 * panicked: the trapped instance must not be touched again). Closing the adapters' connections is the caller's.
 */
export async function withSchemaEngine<T>(
  adapters: SqlMigrationAwareDriverAdapterFactory,
  datamodels: [path: string, content: string][] | undefined,
  work: (engine: SchemaEngine) => Promise<T>,
): Promise<T> {
  await loadEngine();
  const engine = await callEngine(() =>
    engineGlue.SchemaEngine.new({ datamodels }, () => {}, bindMigrationAwareSqlAdapterFactory(adapters)),
  );
  try {
    return await work(engine);
  } finally {
    if (panicMessage === null) engine.free();
  }
}
