#!/usr/bin/env bash
# Client benchmark: `tessera upload` of a 1 GiB file as users run it (the tool packed and installed with `dotnet tool
# install`, which is the native AOT executable on this platform; output not a terminal; 64 MiB parts, 4 in flight),
# with and without the whole file's MD5, against curl sending the same 16 parts 4 at a time to the same server in the
# same run (the server's own ingest figure), completed without and with the MD5. The framework-dependent build
# (`dotnet tessera.dll`, the tool's "any" package) runs in the same repetitions for comparison.
# Prints GB/s, the ratio to curl, and each tessera process's peak RSS against part size x parallel + 64 MB.
# See bench/README.md.
#
# Usage: bench/client.sh
# Knobs (environment): REPS=5 WARMUPS=2 PORT=19485 SKIP_BUILD=1 (use the existing Release builds and packages)
#   BASE=REV also builds the command line of git revision REV (framework-dependent) and runs its `--no-md5` upload in
#   the same repetitions, the reference for this build's default (verified) upload, against the same server
#   CLI_ENV="DOTNET_GCgen0size=4MiB ..." extra environment for the tessera processes (to measure a runtime setting)
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
OUT_DIR="$REPO/bench/out"
REPS=${REPS:-5}
WARMUPS=${WARMUPS:-2}
PORT=${PORT:-19485}
CLI_ENV=${CLI_ENV:-}
# BASE names a revision on the command line; read before BASE becomes the server's URL below.
BASE_REV=${BASE:-}
PART_MIB=64
PARALLEL=4
GIB=1073741824
BASE="http://127.0.0.1:$PORT/v1"
AUTH='Authorization: Bearer bench'
CURL=(curl -sS --fail-with-body -H "$AUTH" -H 'Expect:')

log() { printf '[client-bench %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

SERVER_BIN="$REPO/src/Tessera.Server/bin/Release/net10.0/Tessera.Server.dll"
DLL_BIN="$REPO/src/Tessera.Cli/bin/Release/net10.0/tessera.dll"
PACKAGES="$OUT_DIR/tool-packages"
TOOL_DIR="$OUT_DIR/tool"
RID=$(dotnet --info | awk '$1 == "RID:" {print $2; exit}')
if [[ ${SKIP_BUILD:-0} -ne 1 ]]; then
    log "building the server and the tessera command line (Release)"
    dotnet build -c Release "$REPO/src/Tessera.Server" -nologo -v quiet >/dev/null || die "server build failed"
    dotnet build -c Release "$REPO/src/Tessera.Cli" -nologo -v quiet >/dev/null || die "tessera build failed"
    log "packing the tessera tool for $RID (native AOT) and installing it as docs/cli.md says"
    rm -rf "$PACKAGES" "$TOOL_DIR"
    dotnet pack -c Release "$REPO/src/Tessera.Cli" -o "$PACKAGES" -nologo -v quiet >/dev/null || die "tool pack failed"
    dotnet pack -c Release "$REPO/src/Tessera.Cli" -r "$RID" -o "$PACKAGES" -nologo -v quiet >/dev/null || die "native tool pack failed"
    dotnet tool install --tool-path "$TOOL_DIR" --add-source "$PACKAGES" Tessera.Cli >/dev/null || die "tool install failed"
fi
BASE_DLL=
if [[ -n $BASE_REV ]]; then
    BASE_TREE=$(mktemp -d /tmp/tessera-client-base.XXXXXX)
    git -C "$REPO" worktree add --detach --quiet "$BASE_TREE/src" "$BASE_REV" || die "no revision $BASE_REV"
    log "building the command line of $BASE_REV"
    dotnet build -c Release "$BASE_TREE/src/src/Tessera.Cli" -o "$BASE_TREE/bin" -nologo -v quiet >/dev/null || die "build of $BASE_REV failed"
    BASE_DLL="$BASE_TREE/bin/tessera.dll"
fi
TOOL_BIN="$TOOL_DIR/tessera"
[[ -x $TOOL_BIN ]] || die "no installed tool at $TOOL_BIN (run without SKIP_BUILD=1)"

WORK=$(mktemp -d /tmp/tessera-client-bench.XXXXXX)
SERVER_PID=
cleanup() {
    set +e
    if [[ -n $SERVER_PID ]]; then kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null; fi
    rm -rf "$WORK"
    if [[ -n ${BASE_TREE:-} ]]; then git -C "$REPO" worktree remove --force "$BASE_TREE/src"; rm -rf "$BASE_TREE"; fi
}
trap cleanup EXIT INT TERM

log "generating a 1 GiB file and its 16 parts"
head -c $GIB /dev/urandom > "$WORK/file.bin"
(cd "$WORK" && split -b ${PART_MIB}M -d -a 2 file.bin part.)
FILE_MD5=$(md5sum "$WORK/file.bin" | cut -d' ' -f1)
printf x >"$WORK/small.bin"

dotnet "$SERVER_BIN" --urls "http://127.0.0.1:$PORT" --Tessera:DataPath="$WORK/data" \
    --Logging:LogLevel:Default=Warning >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.2; done

now() { date +%s.%N; }
json_field() { sed -E "s/.*\"$1\":\"([^\"]+)\".*/\1/"; }

# One upload with curl: create, 16 parts 4 at a time, complete (with the MD5 computed beforehand when $1 is md5),
# delete. Prints seconds.
curl_upload() {
    local start upload ids md5_field="" file seconds
    [[ $1 == md5 ]] && md5_field=",\"md5\":\"$FILE_MD5\""
    start=$(now)
    upload=$("${CURL[@]}" "$BASE/uploads" -H 'Content-Type: application/json' \
        -d "{\"filename\":\"file.bin\",\"purpose\":\"batch\",\"bytes\":$GIB,\"mime_type\":\"application/octet-stream\"}" | json_field id)
    ls "$WORK"/part.?? | xargs -P $PARALLEL -I{} sh -c \
        "curl -sS --fail-with-body -H '$AUTH' -H 'Expect:' -F data=@{} $BASE/uploads/$upload/parts > {}.id || { cat {}.id >&2; exit 1; }"
    ids=$(for p in "$WORK"/part.??; do printf '"%s",' "$(json_field id < "$p.id")"; done)
    file=$("${CURL[@]}" "$BASE/uploads/$upload/complete" -H 'Content-Type: application/json' \
        -d "{\"part_ids\":[${ids%,}]$md5_field}" | sed -E 's/.*"file":\{"id":"([^"]+)".*/\1/')
    seconds=$(echo "$(now) - $start" | bc)
    "${CURL[@]}" -X DELETE "$BASE/files/$file" >/dev/null
    settle
    echo "$seconds"
}

# The tessera process's peak RSS in bytes: getrusage's maximum through /usr/bin/time when present, else its VmHWM
# sampled until it exits (VmHWM only grows, so the last sample is the peak but for the last 50 ms).
run_measured() {
    if [[ -x /usr/bin/time ]]; then
        /usr/bin/time -f %M -o "$WORK/rss.txt" "$@"
        echo $(($(tail -1 "$WORK/rss.txt") * 1024)) >"$WORK/rss.txt"
        return
    fi
    "$@" &
    local pid=$! hwm=0 kb
    while kill -0 "$pid" 2>/dev/null; do
        kb=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
        [[ -n $kb ]] && hwm=$kb
        sleep 0.05
    done
    wait "$pid"
    echo $((hwm * 1024)) >"$WORK/rss.txt"
}

# One `tessera upload` of $3 (default the 1 GiB file; with --no-md5 when $2 is nomd5) by the installed tool ($1 is
# tool) or by `dotnet tessera.dll` ($1 is dll), its output a file, not a terminal; the file is deleted afterwards so
# repetitions do not fill the disk. Prints "seconds peak_rss_bytes".
tessera_upload() {
    local start seconds file flags=() command=("$TOOL_BIN")
    [[ $1 == dll ]] && command=(dotnet "$DLL_BIN")
    [[ $1 == base ]] && command=(dotnet "$BASE_DLL")
    [[ $2 == nomd5 ]] && flags=(--no-md5)
    start=$(now)
    # shellcheck disable=SC2086 # CLI_ENV is a list of NAME=VALUE words
    run_measured env -u OPENAI_ORG_ID -u OPENAI_PROJECT_ID OPENAI_BASE_URL="$BASE" OPENAI_API_KEY=bench \
        XDG_DATA_HOME="$WORK/home" $CLI_ENV "${command[@]}" upload "${3:-$WORK/file.bin}" --purpose batch \
        --part-size ${PART_MIB}MiB --parallel $PARALLEL "${flags[@]}" >"$WORK/tessera.json" 2>"$WORK/tessera.err" \
        || { cat "$WORK/tessera.err" >&2; die "tessera upload failed"; }
    seconds=$(echo "$(now) - $start" | bc)
    file=$(grep -o '"file-[A-Za-z0-9]*"' "$WORK/tessera.json" | head -1 | tr -d '"')
    "${CURL[@]}" -X DELETE "$BASE/files/$file" >/dev/null
    settle
    echo "$seconds $(cat "$WORK/rss.txt")"
}

# After each run deletes its file, the server frees 1 GiB of blobs in the background; the next timed run would pay
# for that writeback and unlinking, and which runs follow a large delete depends on their order. Every run starts
# from a settled disk instead.
settle() { sleep 0.5; sync; }

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

log "warming up the server ($WARMUPS rounds each)"
for _ in $(seq 1 "$WARMUPS"); do
    curl_upload nomd5 >/dev/null; tessera_upload tool nomd5 >/dev/null; tessera_upload dll nomd5 >/dev/null
    curl_upload md5 >/dev/null; tessera_upload tool md5 >/dev/null
done

RUNS=(small small_dll curl nomd5 nomd5_dll curl_md5 md5)
[[ -n $BASE_DLL ]] && RUNS+=(md5_dll base_nomd5_dll)
for name in "${RUNS[@]}"; do : >"$WORK/$name.txt"; done
for rep in $(seq 1 "$REPS"); do
    log "repetition $rep of $REPS"
    tessera_upload tool nomd5 "$WORK/small.bin" >>"$WORK/small.txt"
    tessera_upload dll nomd5 "$WORK/small.bin" >>"$WORK/small_dll.txt"
    curl_upload nomd5 >>"$WORK/curl.txt"
    tessera_upload tool nomd5 >>"$WORK/nomd5.txt"
    tessera_upload dll nomd5 >>"$WORK/nomd5_dll.txt"
    curl_upload md5 >>"$WORK/curl_md5.txt"
    tessera_upload tool md5 >>"$WORK/md5.txt"
    if [[ -n $BASE_DLL ]]; then
        tessera_upload dll md5 >>"$WORK/md5_dll.txt"
        tessera_upload base nomd5 >>"$WORK/base_nomd5_dll.txt"
    fi
done

gbps() { awk -v s="$1" -v b=$GIB 'BEGIN {printf "%.2f", b / s / 1e9}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", b / a}'; }
fmt_s() { awk -v s="$1" 'BEGIN {printf "%.2f", s}'; }
mb() { awk -v b="$1" 'BEGIN {printf "%.0f", b / 1e6}'; }
seconds_of() { awk '{print $1}' "$WORK/$1.txt" | median; }
peak_of() { awk '{print $2}' "$WORK/$1.txt" | sort -g | tail -1; }
curl_s=$(seconds_of curl)
curl_md5_s=$(seconds_of curl_md5)
bound=$((PART_MIB * 1048576 * PARALLEL + 64000000))

# A row of the table: label, run name, reference seconds ("" for a reference row itself), with RSS when $4 is rss.
row() {
    local s rss="" bound_mb=""
    s=$(seconds_of "$2")
    [[ ${4:-} == rss ]] && rss=$(mb "$(peak_of "$2")") && bound_mb=$(mb $bound)
    echo "| $1 | $(fmt_s "$s") | $(gbps "$s") | $(ratio "$s" "${3:-$s}") | $rss | $bound_mb |"
}
# What a 1 GiB run costs beyond a 1-byte one: the transfer, without the process's start-up and the three requests.
less_small_row() {
    local small transfer
    small=$(seconds_of "$2")
    transfer=$(awk -v a="$(seconds_of "$3")" -v b="$small" 'BEGIN {print a - b}')
    echo "| ... less a 1-byte $1 ($(fmt_s "$small") s: start-up, create, a part, complete) | $(fmt_s "$transfer") | $(gbps "$transfer") | $(ratio "$transfer" "$curl_s") | | |"
}

mkdir -p "$OUT_DIR"
{
    echo "| 1 GiB upload, 64 MiB parts x 4 (median of $REPS) | s | GB/s | vs curl | peak RSS (MB, highest of $REPS) | bound (MB) |"
    echo "|---|---|---|---|---|---|"
    row "curl, complete without MD5 (the server's ingest)" curl
    row "\`tessera upload --no-md5\` (installed tool, native)" nomd5 "$curl_s" rss
    less_small_row "native run" small nomd5
    row "\`dotnet tessera.dll upload --no-md5\` (framework-dependent)" nomd5_dll "$curl_s" rss
    less_small_row "framework-dependent run" small_dll nomd5_dll
    row "curl, complete with the MD5 (hashed beforehand, untimed)" curl_md5
    row "\`tessera upload\` (installed tool, native; its default check, CRC32C per part against Tessera)" md5 "$curl_s" rss
    if [[ -n $BASE_DLL ]]; then
        base_s=$(seconds_of base_nomd5_dll)
        row "$BASE_REV's \`dotnet tessera.dll upload --no-md5\` (the reference below)" base_nomd5_dll "$curl_s" rss
        echo "| this build's \`dotnet tessera.dll upload\` (default: CRC32C, no MD5 against Tessera) ÷ the reference | $(fmt_s "$(seconds_of md5_dll)") | $(gbps "$(seconds_of md5_dll)") | $(ratio "$(seconds_of md5_dll)" "$base_s") | | |"
        echo "| this build's \`tessera upload\` (native default) ÷ the reference | $(fmt_s "$(seconds_of md5)") | $(gbps "$(seconds_of md5)") | $(ratio "$(seconds_of md5)" "$base_s") | | |"
    fi
    echo
    echo "Each run: seconds and peak RSS (bytes)."
    for name in "${RUNS[@]}"; do printf -- '- %s: %s\n' "$name" "$(tr '\n' ' ' <"$WORK/$name.txt")"; done
    [[ -n $CLI_ENV ]] && echo "tessera ran with: $CLI_ENV"
    true
} | tee "$OUT_DIR/client.md"
