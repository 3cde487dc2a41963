#!/usr/bin/env bash
# Sourced by eng/ensure-redis.sh and eng/ensure-chromium.sh: the one place that installs Debian's
# packages for a newcomer's first run.

# apt_install_as_root WHAT PACKAGE...: installs the packages (without recommends: a desktop's worth
# of packages is not needed headless, and the packages' own services are not started: no systemd
# in CI) when run as root on a machine with apt-get, saying so on stderr with WHAT, the missing
# command. Returns 1 without trying when it cannot: the caller then says what to install.
apt_install_as_root() {
  local what="$1"
  shift
  if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
    return 1
  fi
  echo "$what not found: installing Debian's $* package(s)..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends "$@" >&2
}
