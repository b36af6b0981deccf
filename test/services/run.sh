#!/usr/bin/env bash
# The service suite: the hub against real PostgreSQL and Redis. Starts either if it is down (as root, with the
# commands of the machine's services), makes a fresh database for this run and drops it afterwards.
set -euo pipefail
cd "$(dirname "$0")/../.."

PGHOST=${PGHOST:-127.0.0.1}
PGPORT=${PGPORT:-5432}
PGUSER=${PGUSER:-postgres}
REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379}
export PGHOST PGPORT PGUSER

if ! pg_isready -h "$PGHOST" -p "$PGPORT" -q; then
  echo "PostgreSQL is down; starting it"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start
  for _ in $(seq 1 30); do pg_isready -h "$PGHOST" -p "$PGPORT" -q && break; sleep 1; done
fi
if ! redis-cli -u "$REDIS_URL" ping >/dev/null 2>&1; then
  echo "Redis is down; starting it"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log
  for _ in $(seq 1 30); do redis-cli -u "$REDIS_URL" ping >/dev/null 2>&1 && break; sleep 1; done
fi

database="tsunagi_test_$(date +%s)_$$"
createdb -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" "$database"
# Each test file makes its own database named after this one (test/services/services-env.ts); all go at the end.
cleanup() {
  for name in $(psql -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -d postgres -Atc "SELECT datname FROM pg_database WHERE datname LIKE '${database}%'"); do
    dropdb -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" --if-exists --force "$name" >/dev/null 2>&1 || true
  done
}
trap cleanup EXIT

export DATABASE_URL="postgresql://$PGUSER@$PGHOST:$PGPORT/$database"
export REDIS_URL
export HUB_REDIS_PREFIX="tsunagi-test-$$"

npm run build --silent
node --experimental-vm-modules node_modules/jest/bin/jest.js --selectProjects services "$@"
