#!/usr/bin/env bash
# Write-path load benchmark: 32 concurrent clients against a Release Tessera, list as the baseline. See bench/README.md.
# Usage: bench/load.sh [--clients 32] [--rounds 3] [--seconds 5] [--warmup 3] [--files 100] [--port 19500] [--server DLL]
#        SKIP_BUILD=1 uses the existing Release builds.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
if [[ ${SKIP_BUILD:-0} -ne 1 ]]; then
    dotnet build -c Release "$REPO/src/Tessera.Server" -nologo -v quiet >/dev/null
    dotnet build -c Release "$REPO/bench/Tessera.LoadBench" -nologo -v quiet >/dev/null
fi
mkdir -p "$REPO/bench/out"
dotnet "$REPO/bench/Tessera.LoadBench/bin/Release/net10.0/Tessera.LoadBench.dll" \
    --server "$REPO/src/Tessera.Server/bin/Release/net10.0/Tessera.Server.dll" "$@" | tee "$REPO/bench/out/load.md"
