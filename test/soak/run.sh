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
export SOAK_MINUTES=${SOAK_MINUTES:-2} SOAK_RATE=${SOAK_RATE:-50} CLUSTER_JEST_PROJECT=soak
exec bash test/cluster/run.sh "${passed[@]}"
