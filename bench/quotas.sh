#!/usr/bin/env bash
# Quota benchmark: what checking a project's quota costs the part path. Three servers on the same machine, started
# alike, take turns at the same ingest: "none" (the reference, no quota), "none2" (no quota again: the noise) and
# "quota" (bytes, files and pending-uploads quotas set, none of them reached, so every check runs and passes). Prints
# server CPU seconds and wall time per round and the medians' ratios against "none", measured in the same run.
#
# Usage: bench/quotas.sh    Knobs (environment): REPS=5 WARMUPS=1 INFLIGHT=4 PORT_BASE=19580 SKIP_BUILD=1
#        POSTGRES="Host=...;Username=...;Database=..." puts each server's metadata on that PostgreSQL server (one
#        database per server, named tessera_quota_bench_<name>, created if missing), as a scale-out node has it.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
REPS=${REPS:-5}
WARMUPS=${WARMUPS:-1}
INFLIGHT=${INFLIGHT:-4}
PORT_BASE=${PORT_BASE:-19580}
POSTGRES=${POSTGRES:-}
MIB=1048576
CURL=(curl -sS --fail-with-body -H 'Authorization: Bearer bench' -H 'Expect:')
TARGETS=(none none2 quota)
declare -A PORT_OF=([none]=$PORT_BASE [none2]=$((PORT_BASE + 1)) [quota]=$((PORT_BASE + 2)))
declare -A PID_OF CPUS WALLS

log() { printf '[quotas %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }
calc() { awk "BEGIN {printf \"%.${2:-3}f\", $1}"; }
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
cpu_seconds() { awk '{sub(/.*\) /, ""); print $12 + $13}' "/proc/$1/stat" | { read -r ticks; calc "$ticks / $(getconf CLK_TCK)" 2; }; }
now() { date +%s.%N; }

TESSERA_BIN="$REPO/src/Tessera.Server/bin/Release/net10.0"
if [[ ${SKIP_BUILD:-0} -ne 1 ]]; then
    log "building Tessera (Release)"
    dotnet build -c Release "$REPO/src/Tessera.Server" -nologo -v quiet >/dev/null || die "dotnet build failed"
fi

WORK=$(mktemp -d /tmp/tessera-quota-bench.XXXXXX)
SERVER_PIDS=()
cleanup() {
    set +e
    for pid in "${SERVER_PIDS[@]}"; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; done
    rm -rf "$WORK"
}
trap cleanup EXIT

start_tessera() { # name
    local name=$1 port=${PORT_OF[$1]} data="$WORK/$1" args=()
    mkdir -p "$data"
    if [[ $name == quota ]]; then
        args+=(--Tessera:Quotas:Bytes=1099511627776 --Tessera:Quotas:Files=1000000 --Tessera:Quotas:PendingUploads=1000000)
    fi
    if [[ -n $POSTGRES ]]; then
        local db="tessera_quota_bench_$name"
        psql "$(echo "$POSTGRES" | sed 's/;/ /g; s/Host=/host=/; s/Port=/port=/; s/Username=/user=/; s/Database=/dbname=/; s/Password=/password=/')" \
            -qc "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null || die "cannot make database $db"
        args+=(--Tessera:Metadata:Provider=Postgres "--Tessera:Metadata:ConnectionString=${POSTGRES%;};Database=$db")
    fi
    (cd "$TESSERA_BIN" && exec dotnet Tessera.Server.dll --urls "http://127.0.0.1:$port" "--Tessera:DataPath=$data" "${args[@]}" >"$data.log" 2>&1) &
    PID_OF[$name]=$!
    SERVER_PIDS+=("$!")
    for _ in $(seq 100); do
        curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    tail -20 "$data.log" >&2
    die "Tessera $name did not start"
}

# One round: an upload of N parts of the given file, INFLIGHT at a time, then cancelled (its bytes freed, usage back
# down). Records the server's CPU seconds and the wall time of the parts.
round() { # name nparts partfile [warmup]
    local name=$1 n=$2 part=$3 port=${PORT_OF[$1]} up c0 c1 s e
    up=$("${CURL[@]}" -H 'Content-Type: application/json' \
        -d "{\"filename\":\"b.bin\",\"purpose\":\"batch\",\"bytes\":$((n * $(stat -c %s "$part"))),\"mime_type\":\"application/octet-stream\"}" \
        "http://127.0.0.1:$port/v1/uploads" | grep -o '"id":"upload_[^"]*"' | cut -d'"' -f4)
    sync
    c0=$(cpu_seconds "${PID_OF[$name]}"); s=$(now)
    seq "$n" | xargs -P "$INFLIGHT" -I{} "${CURL[@]}" -o /dev/null -F "data=@$part" "http://127.0.0.1:$port/v1/uploads/$up/parts" \
        || die "a part to $name failed"
    e=$(now); c1=$(cpu_seconds "${PID_OF[$name]}")
    "${CURL[@]}" -o /dev/null -X POST "http://127.0.0.1:$port/v1/uploads/$up/cancel"
    if [[ ${4:-} != warmup ]]; then
        CPUS[$name]+="$(calc "$c1 - $c0" 2) "
        WALLS[$name]+="$(calc "$e - $s" 2) "
    fi
}

for t in "${TARGETS[@]}"; do start_tessera "$t"; done
head -c $((64 * MIB)) /dev/urandom >"$WORK/part64"
head -c $MIB /dev/urandom >"$WORK/part1"

report=()
for shape in "16 part64 16 x 64 MiB" "256 part1 256 x 1 MiB"; do
    read -r n file label <<<"$shape"
    CPUS=(); WALLS=()
    log "$label: $WARMUPS warm-up rounds, then $REPS rounds per server, in rotating order"
    for _ in $(seq "$WARMUPS"); do for t in "${TARGETS[@]}"; do round "$t" "$n" "$WORK/$file" warmup; done; done
    for rep in $(seq "$REPS"); do
        for k in 0 1 2; do round "${TARGETS[$(((k + rep) % 3))]}" "$n" "$WORK/$file"; done
    done
    ref_cpu=$(median <<<"${CPUS[none]}"); ref_wall=$(median <<<"${WALLS[none]}")
    for t in "${TARGETS[@]}"; do
        cpu=$(median <<<"${CPUS[$t]}"); wall=$(median <<<"${WALLS[$t]}")
        report+=("| $label | $t | $cpu | $(calc "$cpu / $ref_cpu" 3) | $wall | $(calc "$wall / $ref_wall" 3) | ${CPUS[$t]}|")
    done
done

echo
echo "Metadata: $([[ -n $POSTGRES ]] && echo PostgreSQL || echo SQLite); $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg); $REPS rounds each, medians."
echo
echo "| ingest | server | CPU s | CPU ratio to none | wall s | wall ratio to none | CPU s per round |"
echo "|---|---|---|---|---|---|---|"
printf '%s\n' "${report[@]}"
