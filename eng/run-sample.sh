#!/usr/bin/env bash
# Runs the sample end to end: two worker instances share a private redis-server that the sample
# starts itself (or the Redis named by REDIS_SCHEDULER_CONFIGURATION) and run a few delayed tasks.
set -euo pipefail
cd "$(dirname "$0")/.."
source eng/ensure-redis.sh
dotnet run --project samples/RedisScheduler.Sample --configuration Release "$@"
