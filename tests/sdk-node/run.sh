#!/usr/bin/env bash
# Runs the Node conformance suite against an already running Tessera (keyed mode, as scripts/test.sh starts it; see docs/development.md).
# The exit code is the test result. This script does not start or build the server.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

export TESSERA_BASE_URL="${TESSERA_BASE_URL:-http://127.0.0.1:18080/v1}"
export TESSERA_KEY_A="${TESSERA_KEY_A:-sk-alpha-key-0001}"
export TESSERA_KEY_B="${TESSERA_KEY_B:-sk-beta-key-0002}"

npm ci --no-audit --no-fund --loglevel=error >/dev/null

# Say so plainly when nothing answers, rather than with one connection error per test.
if ! node -e 'fetch(process.argv[1] + "/files").then(() => process.exit(0), () => process.exit(1))' "$TESSERA_BASE_URL"; then
  echo "sdk-node: no server answers at TESSERA_BASE_URL=$TESSERA_BASE_URL; start Tessera first (see README.md)" >&2
  exit 2
fi

echo "sdk-node: testing $TESSERA_BASE_URL with openai $(node -p 'require("openai/version").VERSION') on Node $(node --version)"
exec node --test --test-reporter=spec --test-timeout=60000 test/*.test.js
