#!/usr/bin/env bash
# The production topology under faults: three hubs behind nginx on PostgreSQL and a Redis server of the run's own.
# Starts PostgreSQL if it is down (as the service suite does), makes a fresh database for the run and drops it at the
# end. Redis and nginx are started by the test itself on free loopback ports, so the scenarios can restart them.
set -euo pipefail
cd "$(dirname "$0")/../.."

PGHOST=${PGHOST:-127.0.0.1}
PGPORT=${PGPORT:-5432}
PGUSER=${PGUSER:-postgres}
export PGHOST PGPORT PGUSER

if ! pg_isready -h "$PGHOST" -p "$PGPORT" -q; then
  echo "PostgreSQL is down; starting it"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start
  for _ in $(seq 1 30); do pg_isready -h "$PGHOST" -p "$PGPORT" -q && break; sleep 1; done
fi
for tool in "${NGINX_BIN:-/usr/sbin/nginx}" "${REDIS_SERVER_BIN:-redis-server}"; do
  command -v "$tool" >/dev/null || { echo "The cluster suite needs $tool (Debian: apt-get install nginx redis-server)"; exit 1; }
done

database="tsunagi_cluster_$(date +%s)_$$"
createdb -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" "$database"
if [ -n "${CLUSTER_KEEP_DATABASE:-}" ]; then
  # For looking into a failed run: the database stays, named here.
  trap 'echo "kept the database $database"' EXIT
else
  trap 'dropdb -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" --if-exists --force "$database" >/dev/null 2>&1 || true' EXIT
fi
export DATABASE_URL="postgresql://$PGUSER@$PGHOST:$PGPORT/$database"

npm run build --silent
# One file, its scenarios in order: each leaves the cluster whole for the next. The soak runs on the same topology
# (test/soak/run.sh sets CLUSTER_JEST_PROJECT=soak).
node --experimental-vm-modules node_modules/jest/bin/jest.js --selectProjects "${CLUSTER_JEST_PROJECT:-cluster}" --runInBand "$@"
