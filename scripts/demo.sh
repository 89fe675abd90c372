#!/usr/bin/env bash
# Run the demo app (examples/demo) with the development server on http://127.0.0.1:8000.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
[ -d examples/demo/node_modules/react-dom ] || .venv/bin/pyxle install examples/demo
exec .venv/bin/pyxle dev examples/demo "$@"
