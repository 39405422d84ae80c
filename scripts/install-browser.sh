#!/usr/bin/env bash
# Install Debian's chromium for the browser tests (tests/web/test_browser*.py), idempotently.
# Never runs `playwright install`: the tests drive /usr/bin/chromium through the Python playwright package.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  echo "install-browser: /usr/bin/chromium already present ($(/usr/bin/chromium --version 2>/dev/null || echo 'version unknown')); nothing to do"
  exit 0
fi
if [ "$(id -u)" != "0" ]; then
  echo "install-browser: /usr/bin/chromium missing and not root; skipping (browser tests will be skipped). As root: apt-get install -y chromium"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-browser: /usr/bin/chromium missing and no apt-get; skipping (browser tests will be skipped)"
  exit 0
fi
echo "install-browser: installing Debian's chromium (apt-get update && apt-get install -y chromium)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q chromium
echo "install-browser: installed $(/usr/bin/chromium --version 2>/dev/null || echo /usr/bin/chromium)"
