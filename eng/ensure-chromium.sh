#!/usr/bin/env bash
# Sourced by eng/test.sh: makes sure Debian's headless-capable Chromium is installed for the dashboard's
# browser tests and exports CHROMIUM_PATH for them. The tests drive it with Microsoft.Playwright through
# ExecutablePath, so Playwright never downloads a browser of its own (PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD
# is set for any tool that might try). Installs the package when run as root; otherwise says what to run.

source "$(dirname "${BASH_SOURCE[0]}")/apt-install.sh"

export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

find_chromium() {
  if [ -n "${CHROMIUM_PATH:-}" ] && [ -x "${CHROMIUM_PATH}" ]; then
    return 0
  fi
  local candidate
  for candidate in /usr/bin/chromium "$(command -v chromium 2>/dev/null || true)"; do
    if [ -n "$candidate" ] && [ -x "$candidate" ]; then
      CHROMIUM_PATH="$candidate"
      return 0
    fi
  done
  return 1
}

if ! find_chromium; then
  # The fonts make the screenshots readable.
  apt_install_as_root chromium chromium fonts-dejavu-core || true
  if ! find_chromium; then
    echo "error: chromium is not installed; the dashboard's browser tests run in it (headless)." >&2
    echo "  On Debian/Ubuntu run:  sudo apt-get install -y --no-install-recommends chromium fonts-dejavu-core" >&2
    echo "  Or set CHROMIUM_PATH=/path/to/chromium" >&2
    exit 1
  fi
fi

export CHROMIUM_PATH
echo "Using $("$CHROMIUM_PATH" --version 2>/dev/null || echo chromium) at $CHROMIUM_PATH" >&2
