#!/usr/bin/env bash
# Makes sure Debian's Chromium is there for the browser tests (the console
# in tests/console_browser_test.go), installing the package when it is
# missing. Prints its path.
set -euo pipefail
if ! command -v chromium >/dev/null 2>&1; then
  echo "installing Chromium from Debian's packages" >&2
  export DEBIAN_FRONTEND=noninteractive
  (apt-get install -y -qq --no-install-recommends chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium >/dev/null)) >&2
fi
command -v chromium
