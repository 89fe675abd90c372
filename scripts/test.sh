#!/usr/bin/env bash
# Run the whole test suite against real server processes. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# Pages need Node packages and browser tests need Chromium (Debian's package, driven by Playwright).
if [ ! -d tests/node/node_modules/react-dom ] || [ tests/node/package.json -nt tests/node/node_modules ]; then
  (cd tests/node && npm install --no-audit --no-fund --loglevel=error)
fi
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "scripts/test.sh: install Debian's chromium (sudo apt-get install chromium) for the browser tests" >&2
  fi
fi
exec .venv/bin/python -m pytest "$@"
