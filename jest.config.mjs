import { availableParallelism } from 'node:os';
// Jest in ESM mode (NestJS 12 is ESM-only): run through `node --experimental-vm-modules`.
const transform = {
  '^.+\\.ts$': ['@swc/jest', {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'es6' },
  }],
};
// Node 20 can require() an ES module; jest's module runtime cannot. A few CommonJS dependencies
// (@fastify/static -> content-disposition) require ESM-only packages: compile just those to CommonJS.
const esmOnlyRequiredFromCommonJs = ['content-disposition'];
const common = {
  transform: {
    ...transform,
    [`node_modules/(${esmOnlyRequiredFromCommonJs.join('|')})/.+\\.js$`]: ['@swc/jest', { module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnlyRequiredFromCommonJs.join('|')})/)`],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: {
    '^(\\.{1,2}/.*)\\.js$': '$1',
    // Its ES build imports JSON without an import attribute, which jest's ESM loader is about to refuse.
    '^libphonenumber-js$': '<rootDir>/node_modules/libphonenumber-js/index.cjs',
  },
  testEnvironment: 'node',
};
export default {
  // A hub test waits on sockets, timers and the database about half of its time: one worker more than there are
  // cores keeps the cores busy (jest's default, one fewer, left a 2-core machine half idle).
  maxWorkers: availableParallelism() + 1,
  // A suite starts a hub on a fresh embedded database (a few seconds on 2 cores) before its first test.
  testTimeout: 60_000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts'] },
    // Services driven directly against the embedded database, without HTTP or sockets: one application context per file.
    { ...common, displayName: 'medium', testMatch: ['<rootDir>/test/medium/**/*.medium-spec.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.int-spec.ts'] },
    // The attack suite: each case is an abuse that once worked (or would have), run against the whole hub.
    { ...common, displayName: 'security', testMatch: ['<rootDir>/test/security/**/*.int-spec.ts'] },
    { ...common, displayName: 'services', testMatch: ['<rootDir>/test/services/**/*.int-spec.ts'] },
    // Three hub processes behind nginx on PostgreSQL and a Redis of their own, under faults (`npm run test:cluster`).
    { ...common, displayName: 'cluster', testMatch: ['<rootDir>/test/cluster/**/*.int-spec.ts'] },
    // The same topology under a steady mixed load for minutes (`npm run soak -- --minutes N`).
    { ...common, displayName: 'soak', testMatch: ['<rootDir>/test/soak/**/*.int-spec.ts'] },
    // A real browser (Debian's Chromium through playwright-core) against a hub serving the built inbox and widget.
    { ...common, displayName: 'browser', testMatch: ['<rootDir>/test/browser/**/*.browser-spec.ts'] },
  ],
};
