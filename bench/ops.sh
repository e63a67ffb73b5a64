#!/usr/bin/env bash
# What metrics, tracing and quotas cost: server CPU per request, on against off and off against off. See bench/README.md.
# Usage: bench/ops.sh [--clients 16] [--rounds 3] [--seconds 5] [--warmup 3] [--ingest 2] [--scrape-seconds 5] [--port 19510]
#        SKIP_BUILD=1 uses the existing Release builds.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
if [[ ${SKIP_BUILD:-0} -ne 1 ]]; then
    dotnet build -c Release "$REPO/src/Tessera.Server" -nologo -v quiet >/dev/null
    dotnet build -c Release "$REPO/bench/Tessera.LoadBench" -nologo -v quiet >/dev/null
fi
mkdir -p "$REPO/bench/out"
dotnet "$REPO/bench/Tessera.LoadBench/bin/Release/net10.0/Tessera.LoadBench.dll" ops \
    --server "$REPO/src/Tessera.Server/bin/Release/net10.0/Tessera.Server.dll" "$@" | tee "$REPO/bench/out/ops.md"
