// Preloaded into a hub process (`node --import`) by tests that check what the hub loads: every module the process
// loads through the ES module loader (its own files, and the packages they import, CommonJS ones included) is
// appended, one URL a line, to the file named by MODULE_LOG_FILE.
import { register } from 'node:module';

register('./module-log.hooks.mjs', import.meta.url, { data: { file: process.env.MODULE_LOG_FILE } });
