#!/usr/bin/env bash
# Runs the whole test suite against a real redis-server that the tests start themselves.
set -euo pipefail
cd "$(dirname "$0")/.."
source eng/ensure-redis.sh
source eng/ensure-chromium.sh
dotnet test RedisScheduler.sln --configuration Release --logger "console;verbosity=normal" "$@"
