#!/usr/bin/env bash
# Runs every test of Tessera on a fresh machine: installs what the tests need, checks formatting, runs the .NET
# suite (real Kestrel, SQLite, files, the official .NET SDK) and the Node suite (the official openai package)
# against a freshly started server. Prints one closing line: "N passed, N failed".
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$(pwd)
work=$(mktemp -d -t tessera-test-XXXXXX)
server_pid=""

cleanup() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

say() { printf '\n== %s\n' "$*"; }

ensure_node() {
  if command -v node >/dev/null && command -v npm >/dev/null; then
    return
  fi
  say "installing Node.js from Debian's packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq nodejs npm >/dev/null
}

# The PostgreSQL tests start throwaway clusters with the server programs of Debian's package.
ensure_postgres() {
  if compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
    return
  fi
  say "installing PostgreSQL from Debian's packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq postgresql >/dev/null
}

# The console's browser tests drive Debian's Chromium (Playwright never downloads a browser of its own).
ensure_chromium() {
  if [[ -x "${TESSERA_CHROMIUM:-/usr/bin/chromium}" ]]; then
    return
  fi
  say "installing Chromium from Debian's packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
}

# The metrics test lints /metrics with promtool, from Debian's prometheus package; under CI it fails without it.
ensure_promtool() {
  if command -v promtool >/dev/null; then
    return
  fi
  say "installing promtool from Debian's packages (prometheus)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends prometheus >/dev/null
}

say "checking formatting"
dotnet format Tessera.slnx --verify-no-changes

say "installing the S3-compatible server the S3 blob store's tests run against (s3rver)"
ensure_node
(cd tests/s3-server && npm ci --no-audit --no-fund --loglevel=error >/dev/null)

say "building"
dotnet build Tessera.slnx -c Release -warnaserror -nologo -v quiet

# The console shows a skipped test's name, but its reason only at a verbosity that also lists every passed test; each
# pass's TRX files keep the reasons, and skipped_tests prints them at the end.
trx() { echo "--logger trx --results-directory $work/trx/$1"; }
skipped_tests() {
  python3 - "$work/trx" <<'PY'
import pathlib, sys, xml.etree.ElementTree as ET
ns = "{http://microsoft.com/schemas/VisualStudio/TeamTest/2010}"
for trx in sorted(pathlib.Path(sys.argv[1]).glob("*/*.trx")):
    for result in ET.parse(trx).getroot().iter(ns + "UnitTestResult"):
        if result.get("outcome") == "NotExecuted":
            message = result.find(f"{ns}Output/{ns}ErrorInfo/{ns}Message")
            reason = " ".join((message.text or "").split()) if message is not None else ""
            print(f"skipped ({trx.parent.name}): {result.get('testName')}: {reason or 'no reason given'}")
PY
}

say ".NET suite"
ensure_postgres
ensure_chromium
ensure_promtool
dotnet_log="$work/dotnet-test.log"
set +e
dotnet test Tessera.slnx -c Release --no-build --nologo $(trx sqlite) 2>&1 | tee "$dotnet_log"
dotnet_status=${PIPESTATUS[0]}

say ".NET HTTP and official-SDK suite again, on PostgreSQL and S3 (s3rver)"
TESSERA_TEST_STORAGE=postgres-s3 dotnet test tests/Tessera.Server.Tests -c Release --no-build --nologo $(trx postgres-s3) \
  --filter "Storage!=embedded&Storage!=scale-out" 2>&1 | tee -a "$dotnet_log"
[[ ${PIPESTATUS[0]} -eq 0 ]] || dotnet_status=1

say "the tessera command line's tests again, against the native executable its tool package installs"
native="$work/tessera-native"
if dotnet publish src/Tessera.Cli -c Release -r "$(dotnet --info | awk '$1 == "RID:" {print $2; exit}')" -o "$native" -nologo -v quiet; then
  TESSERA_CLI_EXECUTABLE="$native/tessera" dotnet test tests/Tessera.Cli.Tests -c Release --no-build --nologo $(trx native-cli) 2>&1 | tee -a "$dotnet_log"
  [[ ${PIPESTATUS[0]} -eq 0 ]] || dotnet_status=1
else
  dotnet_status=1
fi
set -e
dotnet_passed=$(grep -oE 'Passed: +[0-9]+' "$dotnet_log" | awk '{s+=$2} END {print s+0}')
dotnet_failed=$(grep -oE 'Failed: +[0-9]+' "$dotnet_log" | awk '{s+=$2} END {print s+0}')
dotnet_skipped=$(grep -oE 'Skipped: +[0-9]+' "$dotnet_log" | awk '{s+=$2} END {print s+0}')
if [[ $dotnet_status -ne 0 && $dotnet_failed -eq 0 ]]; then
  dotnet_failed=1
fi

# gamma may send 2 requests a second: the Node suite's rate limit test reads the server's log to see its 429 retried.
# The suite fails authentication on purpose some ten times in a few seconds, near the default limit per address.
keys=(--Tessera:Projects:0:Name=alpha --Tessera:Projects:0:Keys:0=sk-alpha-key-0001
      --Tessera:Projects:1:Name=beta --Tessera:Projects:1:Keys:0=sk-beta-key-0002
      --Tessera:Projects:2:Name=gamma --Tessera:Projects:2:Keys:0=sk-gamma-key-0003
      --Tessera:Projects:2:RateLimits:RequestsPerSecond=2
      --Tessera:RateLimits:FailedAuthPerAddress:Limit=100)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null || echo "$1"; }

# Runs the Node suite against the server at $1 (its log in $2) and adds its counts to the totals.
node_passed=0
node_failed=0
run_node_suite() {
  local base=$1 server_log=$2 log="$work/node-test-$RANDOM.log" status passed failed
  set +e
  TESSERA_BASE_URL="$base" TESSERA_KEY_LIMITED=sk-gamma-key-0003 TESSERA_SERVER_LOG="$server_log" \
    tests/sdk-node/run.sh 2>&1 | tee "$log"
  status=${PIPESTATUS[0]}
  set -e
  passed=$(grep -oE '^ℹ pass [0-9]+' "$log" | awk '{print $3}' | tail -1)
  failed=$(grep -oE '^ℹ fail [0-9]+' "$log" | awk '{print $3}' | tail -1)
  passed=${passed:-0}
  failed=${failed:-0}
  if [[ $status -ne 0 && $failed -eq 0 ]]; then
    failed=1
    echo "server log:"; tail -50 "$server_log"
  fi
  node_passed=$((node_passed + passed))
  node_failed=$((node_failed + failed))
}

say "the container's server: published with the Dockerfile's command, run as a non-root user, healthy by its HEALTHCHECK"
container_passed=1
container_failed=0
scripts/check-container.sh || { container_passed=0; container_failed=1; }

say "deploy/local-cluster.sh fails, naming the node and its log, when another process holds the node's port"
cluster_check_failed=0
scripts/check-cluster-script.sh "$(free_port 18380)" || cluster_check_failed=1

say "the samples of README.md and docs/: installed with scripts/install.sh, run against its tessera-server, or parsed"
set +e
scripts/check-samples.sh 2>&1 | tee "$work/samples.log"
samples_status=${PIPESTATUS[0]}
set -e
samples_passed=$(awk '/^samples: / {print $2}' "$work/samples.log" | tail -1)
samples_failed=$(awk '/^samples: / {print $4}' "$work/samples.log" | tail -1)
samples_passed=${samples_passed:-0}
samples_failed=${samples_failed:-0}
if [[ $samples_status -ne 0 && $samples_failed -eq 0 ]]; then
  samples_failed=1
fi

say "Node suite (official openai package), on SQLite and a data folder"
ensure_node
port=$(free_port 18080)
dotnet "src/Tessera.Server/bin/Release/net10.0/Tessera.Server.dll" \
  --urls "http://127.0.0.1:$port" --Tessera:DataPath="$work/data" "${keys[@]}" >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done
run_node_suite "http://127.0.0.1:$port/v1" "$work/server.log"
kill "$server_pid" 2>/dev/null || true
wait "$server_pid" 2>/dev/null || true

say "Node suite again, on PostgreSQL and S3 (deploy/local-cluster.sh, one node)"
cluster_port=$(free_port 18180)
deploy/local-cluster.sh --no-build --nodes 1 --port "$cluster_port" --dir "$work/cluster" -- "${keys[@]}" >"$work/cluster.out" 2>"$work/cluster.err" &
server_pid=$!
for _ in $(seq 1 300); do
  grep -q '^http://' "$work/cluster.out" 2>/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.2
done
if grep -q '^http://' "$work/cluster.out"; then
  run_node_suite "$(head -1 "$work/cluster.out")" "$work/cluster/logs/node-0.log"
else
  echo "the PostgreSQL and S3 cluster did not start:"; cat "$work/cluster.err"
  node_failed=$((node_failed + 1))
fi
kill "$server_pid" 2>/dev/null || true
wait "$server_pid" 2>/dev/null || true
server_pid=""

passed=$((dotnet_passed + node_passed + container_passed + 1 - cluster_check_failed + samples_passed))
failed=$((dotnet_failed + node_failed + container_failed + cluster_check_failed + samples_failed))
echo
if [[ $dotnet_skipped -gt 0 ]]; then
  skipped_tests || echo "(python3 is needed to read the skipped tests' reasons from their TRX files)"
fi
echo ".NET: $dotnet_passed passed, $dotnet_failed failed, $dotnet_skipped skipped; Node: $node_passed passed, $node_failed failed; container check: $([[ $container_failed -eq 0 ]] && echo passed || echo failed); cluster script check: $([[ $cluster_check_failed -eq 0 ]] && echo passed || echo failed); samples: $samples_passed passed, $samples_failed failed"
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
