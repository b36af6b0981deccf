// Prisma CLI configuration. Only `prisma generate` runs the CLI here: migrations are applied by the
// WebAssembly schema engine (src/common/database/schema-engine.ts), because the CLI's native schema engine is
// downloaded from outside the npm registry. The CLI still looks for that binary before generating, so point
// it at a placeholder that generate never executes.
import { defineConfig } from 'prisma/config';
import { fileURLToPath } from 'node:url';

process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= fileURLToPath(new URL('./prisma/no-native-engine.sh', import.meta.url));

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
});
