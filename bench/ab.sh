#!/usr/bin/env bash
# Compares the ingest of two builds of Tessera in one run: both servers run side by side and take turns, so that
# whatever else the machine is doing falls on both alike. Separate runs of bench/run.sh on this shared 2-core VM
# differ by more than most changes are worth; an interleaved A/B does not.
#
# Usage: bench/ab.sh BASE [CANDIDATE]    git revisions; CANDIDATE defaults to the working tree
# Knobs (environment): ROUNDS=10 WARMUPS=3 INFLIGHT=4 PORT_BASE=19490
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
BASE=${1:?usage: bench/ab.sh BASE [CANDIDATE]}
CANDIDATE=${2:-}
ROUNDS=${ROUNDS:-10}
WARMUPS=${WARMUPS:-3}
INFLIGHT=${INFLIGHT:-4}
PORT_BASE=${PORT_BASE:-19490}
PART_BYTES=67108864
GIB=1073741824
CURL=(curl -sS --fail-with-body -H 'Authorization: Bearer bench' -H 'Expect:')

log() { printf '[ab %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

WORK=$(mktemp -d /tmp/tessera-ab.XXXXXX)
PIDS=()
cleanup() {
    local rc=$?
    set +e
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; done
    for tree in "$WORK"/tree-*; do [[ -d $tree ]] && git -C "$REPO" worktree remove --force "$tree"; done
    rm -rf "$WORK"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Builds a revision (or the working tree when empty) in Release; echoes the folder holding Tessera.Server.dll.
build() { # name revision
    local src=$REPO
    if [[ -n $2 ]]; then
        src="$WORK/tree-$1"
        git -C "$REPO" worktree add --detach --quiet "$src" "$2" || die "no revision $2"
    fi
    dotnet build -c Release "$src/src/Tessera.Server" -o "$WORK/bin-$1" -nologo -v quiet >&2 || die "build of $1 failed"
    echo "$WORK/bin-$1"
}

# CPU seconds (user, system) of a process so far.
cpu_of() { awk -v hz="$(getconf CLK_TCK)" '{sub(/.*\) /, ""); printf "%.2f %.2f\n", $12 / hz, $13 / hz}' "/proc/$1/stat"; }
now() { date +%s.%N; }

declare -A DLL PORT PID
log "building $BASE and ${CANDIDATE:-the working tree}"
DLL[base]=$(build base "$BASE")
DLL[candidate]=$(build candidate "$CANDIDATE")
PORT[base]=$PORT_BASE
PORT[candidate]=$((PORT_BASE + 1))

for v in base candidate; do
    mkdir -p "$WORK/data-$v"
    (cd "${DLL[$v]}" && exec dotnet Tessera.Server.dll --urls "http://127.0.0.1:${PORT[$v]}" \
        "--Tessera:DataPath=$WORK/data-$v" >"$WORK/$v.log" 2>&1) &
    PID[$v]=$!
    PIDS+=("${PID[$v]}")
done
for v in base candidate; do
    for _ in $(seq 100); do curl -sf "http://127.0.0.1:${PORT[$v]}/healthz" >/dev/null && break; sleep 0.1; done
    curl -sf "http://127.0.0.1:${PORT[$v]}/healthz" >/dev/null || { cat "$WORK/$v.log" >&2; die "$v did not start"; }
done

log "generating 16 random parts of 64 MiB"
mkdir -p "$WORK/parts"
for i in $(seq -f '%02g' 0 15); do head -c $PART_BYTES /dev/urandom >"$WORK/parts/$i"; done

# One 1 GiB upload as 16 parts, $INFLIGHT in flight, then cancelled (its bytes are swept away); prints
# "GB/s user-seconds system-seconds" for the server.
ingest() { # variant
    local port=${PORT[$1]} up s e u0 s0 u1 s1
    up=$("${CURL[@]}" -H 'Content-Type: application/json' \
        -d "{\"filename\":\"ab.jsonl\",\"purpose\":\"batch\",\"bytes\":$GIB,\"mime_type\":\"application/jsonl\"}" \
        "http://127.0.0.1:$port/v1/uploads" | grep -o '"id":"upload_[^"]*"' | cut -d'"' -f4)
    sync
    read -r u0 s0 < <(cpu_of "${PID[$1]}")
    s=$(now)
    seq -f '%02g' 0 15 | xargs -P "$INFLIGHT" -I{} "${CURL[@]}" -o /dev/null -F "data=@$WORK/parts/{}" \
        "http://127.0.0.1:$port/v1/uploads/$up/parts" || die "a part to $1 failed"
    e=$(now)
    read -r u1 s1 < <(cpu_of "${PID[$1]}")
    "${CURL[@]}" -o /dev/null -X POST "http://127.0.0.1:$port/v1/uploads/$up/cancel"
    awk -v g=$GIB -v s="$s" -v e="$e" -v u="$(awk "BEGIN {print $u1 - $u0}")" -v k="$(awk "BEGIN {print $s1 - $s0}")" \
        'BEGIN {printf "%.3f %.2f %.2f\n", g / (e - s) / 1e9, u, k}'
}

# The reference for the CPU a checksum adds: the benchmark's own CRC32C pass over the same GiB, median of 3.
dotnet build -c Release "$REPO/bench/Tessera.ChecksumBench" -o "$WORK/bin-checksum" -nologo -v quiet >&2 || die "build of the checksum pass failed"
CRC_PASS=$(for _ in 1 2 3; do dotnet "$WORK/bin-checksum/Tessera.ChecksumBench.dll" "$WORK"/parts/* | cut -d' ' -f3; done \
    | sort -g | sed -n 2p)

log "$WARMUPS warm-up rounds each, then $ROUNDS rounds, taking turns (the order swaps every round)"
for _ in $(seq "$WARMUPS"); do ingest base >/dev/null; ingest candidate >/dev/null; done
: >"$WORK/samples"
for r in $(seq "$ROUNDS"); do
    order=(base candidate); ((r % 2 == 0)) && order=(candidate base)
    for v in "${order[@]}"; do
        sample=$(ingest "$v")
        log "round $r $v: $sample"
        echo "$v $sample" >>"$WORK/samples"
    done
done

median() { sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
col() { awk -v v="$1" -v c="$2" '$1 == v {print $c}' "$WORK/samples" | median; }
hwm() { awk '/VmHWM/ {printf "%.0f", $2 / 1024}' "/proc/${PID[$1]}/status"; }
ratio() { awk "BEGIN {printf \"%.2f\", $2 / $1}"; }

cat <<EOF
## Tessera ingest A/B, $(date -u '+%Y-%m-%d %H:%M') UTC

base $BASE ($(git -C "$REPO" rev-parse --short "$BASE")), candidate ${CANDIDATE:-working tree}$([[ -n $CANDIDATE ]] && echo " ($(git -C "$REPO" rev-parse --short "$CANDIDATE"))").
1 GiB as 16 x 64 MiB parts, $INFLIGHT in flight; $WARMUPS warm-up rounds, then medians of $ROUNDS interleaved rounds.
Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg).

| measure | base | candidate | candidate / base |
|---|---|---|---|
| ingest (GB/s) | $(col base 2) | $(col candidate 2) | $(ratio "$(col base 2)" "$(col candidate 2)") |
| server user CPU per GiB (s) | $(col base 3) | $(col candidate 3) | $(ratio "$(col base 3)" "$(col candidate 3)") |
| server system CPU per GiB (s) | $(col base 4) | $(col candidate 4) | $(ratio "$(col base 4)" "$(col candidate 4)") |
| peak RSS over the run (MiB) | $(hwm base) | $(hwm candidate) | $(ratio "$(hwm base)" "$(hwm candidate)") |

The benchmark's own CRC32C pass over the same GiB took $CRC_PASS s of CPU (median of 3). The candidate's server spent
$(awk -v b="$(col base 3)" -v bs="$(col base 4)" -v c="$(col candidate 3)" -v cs="$(col candidate 4)" -v p="$CRC_PASS" \
    'BEGIN {printf "%.2f s more CPU per GiB than the base'"'"'s (user and system), %.2fx that pass", (c + cs) - (b + bs), ((c + cs) - (b + bs)) / p}').
EOF
