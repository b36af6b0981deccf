#!/bin/sh
# Placeholder for Prisma's native schema engine, which cannot be installed from the npm registry.
# Migrations run on the WebAssembly engine instead: `npm run db:migrate` / `npm run db:migration -- NAME`.
echo "Prisma's native schema engine is not used by Tsunagi; run npm run db:migrate instead." >&2
exit 1
