#!/usr/bin/env bash
# `npm run soak -- --minutes N [--rate R]`: the cluster's topology (three hubs, nginx, PostgreSQL, Redis) under a steady
# mixed load. Other jest options pass through (`--json --outputFile=...`).
set -euo pipefail
cd "$(dirname "$0")/../.."

passed=()
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) SOAK_MINUTES=$2; shift 2 ;;
    --minutes=*) SOAK_MINUTES=${1#*=}; shift ;;
    --rate) SOAK_RATE=$2; shift 2 ;;
    --rate=*) SOAK_RATE=${1#*=}; shift ;;
    *) passed+=("$1"); shift ;;
  esac
done
for value in "${SOAK_MINUTES:-2}" "${SOAK_RATE:-50}"; do
  [[ $value =~ ^[0-9]+([.][0-9]+)?$ ]] || { echo "--minutes and --rate take a number, not '$value'"; exit 2; }
done
# Without --rate, the rate is set from this machine's pace, measured now: 50 messages a second on a machine whose bare
# ingest baseline spends REFERENCE_CPU_MS of CPU on a message, and proportionally less where it spends more (never
# more than 50). A slower machine is offered what it can carry with the same headroom, while a hub that got slower
# against that same baseline still falls behind and fails, as on a quick machine.
REFERENCE_CPU_MS=0.20
if [ -z "${SOAK_RATE:-}" ]; then
  pace=$(node bench/baseline-pace.mjs) || { echo "the baseline's pace could not be measured"; exit 1; }
  SOAK_RATE=$(node -e 'const { cpuMsPerMessage } = JSON.parse(process.argv[1]); console.log(Math.min(50, Math.floor((50 * Number(process.argv[2])) / cpuMsPerMessage)))' "$pace" "$REFERENCE_CPU_MS")
  echo "soak rate: ${SOAK_RATE} messages/s (the bare baseline spends $(node -e 'console.log(JSON.parse(process.argv[1]).cpuMsPerMessage)' "$pace") ms of CPU a message here; 50 messages/s at ${REFERENCE_CPU_MS} ms)"
fi
export SOAK_MINUTES=${SOAK_MINUTES:-2} SOAK_RATE CLUSTER_JEST_PROJECT=soak
exec bash test/cluster/run.sh "${passed[@]}"
