#!/usr/bin/env bash
# Sourced by eng/test.sh and eng/run-sample.sh: makes sure a redis-server binary (7.0+) is available
# (and openssl, for the TLS tests) and exports REDIS_SERVER_PATH for the test fixture and the sample, which start their own private
# server on a free loopback port. Also makes sure redis-cli is there (Debian's redis-tools), which the
# tests use to form their Redis Cluster (redis-cli --cluster create). Installs Debian's packages when
# run as root; otherwise says what to run.

source "$(dirname "${BASH_SOURCE[0]}")/apt-install.sh"

find_redis_server() {
  if [ -n "${REDIS_SERVER_PATH:-}" ] && [ -x "${REDIS_SERVER_PATH}" ]; then
    return 0
  fi
  local found
  found=$(command -v redis-server 2>/dev/null || true)
  if [ -z "$found" ] && [ -x /usr/bin/redis-server ]; then
    found=/usr/bin/redis-server
  fi
  if [ -n "$found" ]; then
    REDIS_SERVER_PATH="$found"
    return 0
  fi
  return 1
}

if ! find_redis_server; then
  apt_install_as_root redis-server redis-server || true
  if ! find_redis_server; then
    echo "error: redis-server (Redis 7.0 or newer) is not installed." >&2
    echo "  On Debian/Ubuntu run:  sudo apt-get install -y redis-server" >&2
    echo "  Or set REDIS_SERVER_PATH=/path/to/redis-server" >&2
    exit 1
  fi
fi

# The TLS tests make a certificate authority with openssl.
if ! command -v openssl >/dev/null 2>&1; then
  if ! apt_install_as_root openssl openssl; then
    echo "warning: openssl is not installed, so the TLS tests will fail. On Debian/Ubuntu run:  sudo apt-get install -y openssl" >&2
  fi
fi

# redis-cli: the tests look for it next to redis-server first, then on PATH.
if ! [ -x "$(dirname "$REDIS_SERVER_PATH")/redis-cli" ] && ! command -v redis-cli >/dev/null 2>&1; then
  apt_install_as_root redis-cli redis-tools || true
  if ! [ -x "$(dirname "$REDIS_SERVER_PATH")/redis-cli" ] && ! command -v redis-cli >/dev/null 2>&1; then
    echo "error: redis-cli is not installed; the Cluster tests form their cluster with it." >&2
    echo "  On Debian/Ubuntu run:  sudo apt-get install -y redis-tools" >&2
    exit 1
  fi
fi

export REDIS_SERVER_PATH
echo "Using $("$REDIS_SERVER_PATH" --version | cut -d' ' -f1-3) at $REDIS_SERVER_PATH" >&2
