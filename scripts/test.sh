#!/usr/bin/env bash
# Run the whole test suite against real server processes. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# Pages need Node packages and browser tests need Chromium (Debian's package, driven by Playwright).
# tests/node: React 19, what test projects link to; tests/node-react18: the same with React 18;
# tests/node-tailwind3: Tailwind 3 through PostCSS (Tailwind 4 is in tests/node; they cannot share one).
for dir in tests/node tests/node-react18 tests/node-tailwind3; do
  if [ ! -d "$dir/node_modules/react-dom" ] || [ "$dir/package.json" -nt "$dir/node_modules" ]; then
    (cd "$dir" && npm install --no-audit --no-fund --loglevel=error)
  fi
done
# Shared state across processes is tested on a real Redis (Debian's redis-server, started by the tests);
# docs/deployment.md's proxy examples run in front of the server on Debian's nginx and Caddy, and its
# `docker run --init` under Debian's tini (the init Docker runs as PID 1).
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
command -v caddy >/dev/null 2>&1 || missing+=(caddy)
command -v tini >/dev/null 2>&1 || missing+=(tini)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "scripts/test.sh: install Debian's ${missing[*]} (sudo apt-get install ${missing[*]}) for the tests" >&2
  fi
fi
# Slow groups (servers, Chromium) run in parallel, one process per core; pass -n 0 to run serially.
exec .venv/bin/python -m pytest -n auto "$@"
