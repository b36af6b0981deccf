// Module boundaries of src/ (docs/architecture.md, "Modules" and "The rules"), checked by `npm run lint`.
//
// Decisions this file encodes:
// - The composition root (src/main.ts, src/hub.ts, src/app.module.ts, src/openapi-cli.ts) may import anything, and
//   nothing else imports it.
// - `common` is infrastructure without a single face: its files may be imported directly from any
//   module (`../common/errors/domain-error.js`); it imports nothing else in src/ except the generated
//   Prisma client.
// - The generated Prisma client (src/generated/) is reached through common/database only, which
//   re-exports what modules need (`Prisma`, `PrismaClient`).
// - Every other folder is a module, reached from another module only through its `index.ts`; the
//   files of one module import each other freely.
// - Arrows point one way, as listed in `layers` below. A module may use only the modules listed for
//   it; a module not listed there at all is an error until it is given its place (closed world).
//   routing, reports, sales and supervision sit side by side: none imports another (they react
//   to the same domain events). If one ever needs another, decide the direction and add it here.
// - A channel folder (src/channels/<name>/) never imports another channel folder.
// - No cycles, no devDependencies in production code (only in *.spec.ts / *.contract.ts and other
//   test files), and production code never imports test code.

/** module -> the modules it may import (besides itself and common). */
const layers = {
  teams: [],
  channels: ['teams'],
  contacts: ['teams'],
  conversations: ['teams', 'channels', 'contacts'],
  routing: ['teams', 'channels', 'contacts', 'conversations'],
  reports: ['teams', 'channels', 'contacts', 'conversations'],
  sales: ['teams', 'channels', 'contacts', 'conversations'],
  supervision: ['teams', 'channels', 'contacts', 'conversations'],
  // The inbox turns catalog products into the product cards a reply carries.
  inbox: ['teams', 'channels', 'contacts', 'conversations', 'routing', 'reports', 'sales', 'supervision', 'catalog'],
  // The shop's catalog: its feeds and search stand on their own.
  catalog: ['teams'],
  // Follow-up work: a ticket links a conversation and its contact, and reaches agents through the inbox's news.
  // Nothing imports it but the composition root (and an automation module, through its index).
  tickets: ['teams', 'channels', 'contacts', 'conversations', 'routing', 'inbox'],
  // Outgoing webhooks: the hub's events, posted to the team's endpoints. Only the composition root (and, through its
  // index, automation) uses it.
  webhooks: ['teams', 'channels', 'contacts', 'conversations'],
  // Rules act through the other modules (assign, reply, report, ...); the inbox stays above them.
  automation: ['teams', 'channels', 'contacts', 'conversations', 'routing', 'reports', 'sales', 'supervision', 'catalog', 'webhooks', 'tickets'],
};

const modules = Object.keys(layers);
const compositionRoot = '^src/(main|hub|app\\.module|openapi-cli)\\.ts$';
const testCode = '\\.(spec|int-spec|browser-spec|contract)\\.ts$';
const oneOf = (names) => `(${names.join('|')})`;

const layerRules = modules.map((name) => ({
  name: `layer-${name}`,
  severity: 'error',
  comment: `${name} may import only ${['common', ...layers[name]].join(', ')} (dependencies run one way).`,
  from: { path: `^src/${name}/` },
  to: { path: `^src/${oneOf(modules)}/`, pathNot: `^src/${oneOf([name, ...layers[name]])}/` },
}));

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'common-is-domain-free',
      severity: 'error',
      comment: 'common is infrastructure: it imports nothing else in src/ except the generated Prisma client.',
      from: { path: '^src/common/' },
      to: { path: '^src/', pathNot: '^src/(common|generated)/' },
    },
    {
      name: 'prisma-client-through-common',
      severity: 'error',
      comment: 'The generated Prisma client is reached through common/database, which re-exports it.',
      from: { path: '^src/', pathNot: [`^src/(common|generated)/`, compositionRoot] },
      to: { path: '^src/generated/' },
    },
    {
      name: 'unknown-place',
      severity: 'error',
      comment:
        'Every file in src/ belongs to common, a module listed in .dependency-cruiser.cjs, or the composition ' +
        'root (main.ts, hub.ts, app.module.ts, openapi-cli.ts). A new module folder needs its place in `layers` first.',
      from: { path: '^src/', pathNot: [`^src/${oneOf(['common', 'generated', ...modules])}/`, compositionRoot] },
      to: {},
    },
    ...layerRules,
    {
      name: 'through-the-index',
      severity: 'error',
      comment:
        "Another module is reached only through its index.ts (its face); common's files may be imported directly.",
      from: { path: '^src/([^/]+)/' },
      to: { path: '^src/[^/]+/', pathNot: ['^src/$1/', '^src/(common|generated)/', '^src/[^/]+/index\\.ts$'] },
    },
    {
      name: 'provider-folders-behind-the-face',
      severity: 'error',
      comment:
        "The channels face re-exports from a provider folder only its payload schemas and its webhook or origin check: " +
        'other modules reach a customer through the contract (CustomerNotices, the outbox), never through a ' +
        "provider's sender, adapter or socket gateway. (WhatsApp Web's sender file also holds the runtime token " +
        'the composition root and tests replace.)',
      from: { path: '^src/channels/index\\.ts$' },
      to: {
        path: '^src/channels/[^/]+/',
        pathNot: ['\\.(schema|verifier)\\.ts$', '^src/channels/whatsapp-web/whatsapp-web\\.sender\\.ts$'],
      },
    },
    {
      name: 'composition-root-is-not-imported',
      severity: 'error',
      comment: 'main.ts, hub.ts and app.module.ts compose everything; nothing in a module imports them.',
      from: { path: '^src/', pathNot: compositionRoot },
      to: { path: compositionRoot },
    },
    {
      name: 'channel-folders-are-independent',
      severity: 'error',
      comment: 'A channel folder (src/channels/<name>/) never imports another channel folder.',
      from: { path: '^src/channels/([^/]+)/' },
      to: { path: '^src/channels/[^/]+/', pathNot: '^src/channels/$1/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No dependency cycles, type-only imports included: the arrows point one way.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'no-dev-dependencies-in-production',
      severity: 'error',
      comment:
        'devDependencies (jest, supertest, socket.io-client, @nestjs/testing, ...) are not installed in ' +
        'production; only test files (*.spec.ts, *.contract.ts, *.int-spec.ts) may import them.',
      from: { path: '^src/', pathNot: testCode },
      to: { dependencyTypes: ['npm-dev'] },
    },
    {
      name: 'no-test-code-in-production',
      severity: 'error',
      comment: 'Production code does not import test files (a *.contract.ts pulls in @jest/globals).',
      from: { path: '^src/', pathNot: testCode },
      to: { path: testCode },
    },
    {
      name: 'no-undeclared-packages',
      severity: 'error',
      comment:
        'A package used at runtime is declared in package.json, not borrowed from another package\'s ' +
        'dependencies.',
      from: { path: '^src/' },
      to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'undeclared-packages-for-types',
      severity: 'warn',
      comment:
        'A type-only import from a package that package.json does not declare works only while the ' +
        'package manager happens to hoist it; consider declaring it.',
      from: { path: '^src/' },
      to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown'] },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import that does not resolve to a file or a package.',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'no-deprecated-core',
      severity: 'warn',
      comment: 'A deprecated Node.js core module.',
      from: {},
      to: { dependencyTypes: ['core'], path: '^(punycode|domain|constants|sys|_linklist|_stream_wrap)$' },
    },
    {
      name: 'not-to-deprecated',
      severity: 'warn',
      comment: 'A package version that npm marks as deprecated.',
      from: {},
      to: { dependencyTypes: ['deprecated'] },
    },
  ],
  options: {
    // The generated Prisma client is a leaf: cruising its own imports only costs time.
    doNotFollow: { path: ['node_modules', '^src/generated/'] },
    // tsconfig.json: NodeNext resolution, so `./x.js` in an import resolves to `./x.ts`.
    tsConfig: { fileName: 'tsconfig.json' },
    // Type-only imports (`import type`) count as dependencies too: they carry the same coupling.
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    skipAnalysisNotInRules: true,
  },
};
