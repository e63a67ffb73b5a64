#!/usr/bin/env bash
# Tessera benchmark: ingest throughput against Debian's nginx, complete latency, peak memory, download throughput.
# Everything runs on loopback, driven by curl, with part files generated once. See bench/README.md.
#
# Usage: bench/run.sh            (run as root: nginx's workers run as www-data, apt installs what is missing)
# Knobs (environment): INGEST_REPS=7 INGEST_WARMUPS=3 COMPLETE_REPS=5 DOWNLOAD_REPS=3 INFLIGHT=4 PORT_BASE=19480
#                      SKIP_BUILD=1 (use the existing Release build)  NOFSYNC=0 (skip the eatmydata diagnostic)
#                      NGINX_BODY_BUFFER=1m (nginx's client_body_buffer_size; its default is 16k)
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
OUT_DIR="$REPO/bench/out"
INGEST_REPS=${INGEST_REPS:-7}
# Uncounted 1 GiB rounds per target before the timed ones. .NET's tiered JIT keeps recompiling the ingest path for
# the first few GiB (the server's user CPU per GiB falls by about 3x over the first three), and the benchmark is
# about a server that has been running, not one that has just started.
INGEST_WARMUPS=${INGEST_WARMUPS:-3}
COMPLETE_REPS=${COMPLETE_REPS:-5}
DOWNLOAD_REPS=${DOWNLOAD_REPS:-3}
INFLIGHT=${INFLIGHT:-4}
PORT_BASE=${PORT_BASE:-19480}
NOFSYNC=${NOFSYNC:-1}
# nginx reads a body into this buffer and writes the buffer to the file when it fills. 1m matches Tessera's 1 MiB
# writes and makes nginx the stronger baseline: with its 16k default it spends about 3x the CPU per GiB here.
NGINX_BODY_BUFFER=${NGINX_BODY_BUFFER:-1m}
NGINX_PORT=$PORT_BASE
TESSERA_PORT=$((PORT_BASE + 1))
NOFSYNC_PORT=$((PORT_BASE + 2))

PART_BYTES=67108864           # 64 MiB, the largest part the API takes
GIB=1073741824
MIB=1048576
AUTH='Authorization: Bearer bench'
# 'Expect:' turns off curl's Expect: 100-continue, as the OpenAI SDKs do not send it either; same for both servers.
CURL=(curl -sS --fail-with-body -H "$AUTH" -H 'Expect:')

log() { printf '[bench %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

[[ $(id -u) -eq 0 ]] || die "run as root (nginx workers run as www-data; apt-get may be needed)"

# ---------------------------------------------------------------------------------------------------------------
# Tools
# ---------------------------------------------------------------------------------------------------------------
apt_updated=0
ensure_pkg() { # command package
    command -v "$1" >/dev/null 2>&1 && return 0
    log "installing $2"
    if [[ $apt_updated -eq 0 ]]; then apt-get update -qq >/dev/null; apt_updated=1; fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
}
ensure_pkg curl curl
ensure_pkg nginx nginx-light
if [[ $NOFSYNC -eq 1 ]]; then ensure_pkg eatmydata eatmydata; fi
command -v dotnet >/dev/null || die "dotnet SDK not found"

TESSERA_BIN="$REPO/src/Tessera.Server/bin/Release/net10.0"
if [[ ${SKIP_BUILD:-0} -ne 1 ]]; then
    log "building Tessera (Release)"
    dotnet build -c Release "$REPO/src/Tessera.Server" -nologo -v quiet >/dev/null || die "dotnet build failed"
    dotnet build -c Release "$REPO/bench/Tessera.ChecksumBench" -nologo -v quiet >/dev/null || die "dotnet build failed"
fi
[[ -f $TESSERA_BIN/Tessera.Server.dll ]] || die "no Release build at $TESSERA_BIN"

# ---------------------------------------------------------------------------------------------------------------
# Work folder and cleanup
# ---------------------------------------------------------------------------------------------------------------
WORK=$(mktemp -d /tmp/tessera-bench.XXXXXX)
chmod 755 "$WORK"                      # www-data must traverse it to reach its body and html folders
PARTS="$WORK/parts"
NGX="$WORK/nginx"
mkdir -p "$PARTS" "$NGX/body" "$NGX/html" "$NGX/logs" "$NGX/tmp" "$WORK/resp"
chown www-data "$NGX/body" "$NGX/tmp"

SERVER_PIDS=()
NGINX_PID=
cleanup() {
    local rc=$?
    set +e
    for pid in "${SERVER_PIDS[@]}"; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; done
    if [[ -n $NGINX_PID ]]; then kill "$NGINX_PID" 2>/dev/null && wait "$NGINX_PID" 2>/dev/null; fi
    rm -rf "$WORK"
    [[ $rc -ne 0 ]] && log "exit $rc; work folder removed"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------------------------
now() { date +%s.%N; }
# Median of the numbers on stdin.
median() { sort -g | awk '{a[NR]=$1} END {if (NR==0) {print "nan"; exit} if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
# Nearest-rank percentile $1 (0-100) of the numbers on stdin.
pct() { sort -g | awk -v p="$1" '{a[NR]=$1} END {r=int((p/100)*NR); if (r<(p/100)*NR) r++; if (r<1) r=1; print a[r]}'; }
calc() { awk "BEGIN {printf \"%.${2:-3}f\", $1}"; }
json_id() { grep -o "\"id\":\"$1[^\"]*\"" | head -1 | cut -d'"' -f4; }
# CPU seconds (user+system) of a process and its direct children (nginx workers).
cpu_seconds() {
    local pids=("$1") total=0 p
    mapfile -t -O 1 pids < <(pgrep -P "$1" || true)
    for p in "${pids[@]}"; do
        [[ -r /proc/$p/stat ]] || continue
        total=$(awk -v t="$total" '{sub(/.*\) /, ""); print t + $12 + $13}' "/proc/$p/stat")
    done
    calc "$total / $(getconf CLK_TCK)" 2
}
# CPU seconds (user+sys) of this shell's finished children so far: the curl processes. 'times' is a builtin and
# must run in this shell (a subshell would report its own children), hence the file.
snap_children_cpu() { times >"$WORK/times"; }
children_cpu() { tail -1 "$WORK/times" | awk '{t=0; for (i=1;i<=2;i++) {split($i,a,/[ms]/); t+=a[1]*60+a[2]} print t}'; }
# KiB the kernel has written to block devices so far (system-wide).
disk_kib() { awk '$1=="pgpgout"{print $2}' /proc/vmstat; }
flush_disk() { sync; sleep 0.5; }
# This machine is a VM whose balloon reports freed memory back to the host about 2 s after it is freed; the next
# first touch of such a page faults into the host, which makes a page-cache write of fresh pages ~10x slower
# (measured below: "cold" vs "warm"). Left alone, that cost lands at random on whichever server writes after a pause.
# So just before each timed ingest, write and delete a scratch file: its freed, host-backed pages are what the
# server's writes get, for both servers alike. The scratch file is deleted before any writeback, so no disk I/O.
PREWARM_MIB=${PREWARM_MIB:-1536}
prewarm_memory() { dd if=/dev/zero of="$WORK/prewarm" bs=1M count="$PREWARM_MIB" status=none; rm -f "$WORK/prewarm"; }

# Starts a server (a child of this shell, so that it can be waited for) and sets STARTED_PID.
start_tessera() { # port datadir [wrapper...]
    local port=$1 data=$2; shift 2
    mkdir -p "$data"
    # Run from the build folder so its appsettings.json (log levels) applies, as in a deployment.
    (cd "$TESSERA_BIN" && exec "$@" dotnet Tessera.Server.dll --urls "http://127.0.0.1:$port" \
        "--Tessera:DataPath=$data" >"$data.log" 2>&1) &
    local pid=$!
    SERVER_PIDS+=("$pid")
    for _ in $(seq 100); do
        if curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then STARTED_PID=$pid; return 0; fi
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    tail -20 "$data.log" >&2
    die "Tessera did not start on port $port"
}
stop_pid() {
    kill "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
    local keep=() p
    for p in "${SERVER_PIDS[@]}"; do [[ $p != "$1" ]] && keep+=("$p"); done
    SERVER_PIDS=("${keep[@]}")
}

# POSTs parts 00..N-1 to $url, $INFLIGHT curl processes at a time; responses go to $dir/NN.json.
send_parts() { # url nparts dir
    local url=$1 n=$2 dir=$3
    rm -rf "$dir"; mkdir -p "$dir"
    seq -f '%02g' 0 $((n - 1)) | xargs -P "$INFLIGHT" -I{} \
        "${CURL[@]}" -o "$dir/{}.json" -w '%{http_code} %{size_upload}\n' -F "data=@$PARTS/{}" "$url" \
        >"$dir/codes" || { cat "$dir"/*.json >&2 2>/dev/null; die "a part POST to $url failed"; }
    [[ $(grep -c '^200 ' "$dir/codes") -eq $n ]] || die "not every part to $url answered 200"
}
sent_bytes() { awk '{s+=$2} END {printf "%d", s}' "$1/codes"; }

create_upload() { # port bytes -> upload id
    "${CURL[@]}" -H 'Content-Type: application/json' \
        -d "{\"filename\":\"bench.jsonl\",\"purpose\":\"batch\",\"bytes\":$2,\"mime_type\":\"application/jsonl\"}" \
        "http://127.0.0.1:$1/v1/uploads" | json_id upload_
}
part_ids_json() { # dir nparts [md5]
    local ids=() i
    for i in $(seq -f '%02g' 0 $(($2 - 1))); do ids+=("\"$(json_id part_ <"$1/$i.json")\""); done
    (IFS=,; echo "{\"part_ids\":[${ids[*]}]${3:+,\"md5\":\"$3\"}}")
}
# Completes, with the whole file's CRC32C and OpenAI's md5 when given; writes the response to $dir/complete.json and
# echoes curl's time_total (seconds).
complete_upload() { # port upload dir nparts [crc32c] [md5]
    part_ids_json "$3" "$4" "${6:-}" >"$3/complete.req"
    "${CURL[@]}" -H 'Content-Type: application/json' ${5:+-H "x-tessera-checksum-crc32c: $5"} -d @"$3/complete.req" \
        -o "$3/complete.json" -w '%{time_total}' "http://127.0.0.1:$1/v1/uploads/$2/complete"
}
completed_file() { # dir expected_bytes -> file id
    local f; f=$(grep -o '"file":{"id":"file-[^"]*"' "$1/complete.json" | cut -d'"' -f6)
    [[ -n $f ]] && grep -q "\"file\":{\"id\":\"$f\",\"bytes\":$2," "$1/complete.json" \
        || { cat "$1/complete.json" >&2; die "complete did not return a $2-byte file"; }
    echo "$f"
}
delete_file() { "${CURL[@]}" -X DELETE -o /dev/null "http://127.0.0.1:$1/v1/files/$2"; }
# One full upload (create, parts, complete) of N parts; sets FULL_FILE (file id) and FULL_SECONDS (complete's time).
full_upload() { # port nparts bytes [crc32c] [md5]
    local dir="$WORK/resp/full.$1" up
    up=$(create_upload "$1" "$3")
    send_parts "http://127.0.0.1:$1/v1/uploads/$up/parts" "$2" "$dir"
    flush_disk
    FULL_SECONDS=$(complete_upload "$1" "$up" "$dir" "$2" "${4:-}" "${5:-}")
    FULL_FILE=$(completed_file "$dir" "$3")
}

# ---------------------------------------------------------------------------------------------------------------
# Inputs: 16 random parts of 64 MiB (00..15), links 16..63 reuse them for the 4 GiB upload; a 1 MiB part.
# ---------------------------------------------------------------------------------------------------------------
T0=$(now)
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
log "work folder $WORK; generating 16 x 64 MiB random parts"
for i in $(seq -f '%02g' 0 15); do head -c $PART_BYTES /dev/urandom >"$PARTS/$i"; done
for i in $(seq 16 63); do ln -s "$PARTS/$(printf '%02d' $((i % 16)))" "$PARTS/$(printf '%02d' "$i")"; done
head -c $MIB "$PARTS/00" >"$WORK/small"
# The whole file's CRC32C, which a client sends with complete (as tessera upload does).
checksum_of() { dotnet "$REPO/bench/Tessera.ChecksumBench/bin/Release/net10.0/Tessera.ChecksumBench.dll" "$@" | cut -d' ' -f1; }
CRC_SMALL=$(checksum_of "$WORK/small")
CRC_GIB=$(checksum_of "$PARTS"/{00..15})
MD5_GIB=$(cat "$PARTS"/{00..15} | md5sum | cut -d' ' -f1)
flush_disk

# ---------------------------------------------------------------------------------------------------------------
# nginx: stores each request body in a file, answers 200 only once the whole body is stored.
# mirror_request_body makes nginx read the whole body (into client_body_temp_path, kept by
# client_body_in_file_only on) in the precontent phase before the content phase runs; the content phase then
# answers 405 for a POST to the static ok.json, which error_page turns into a 200 carrying ok.json.
# ---------------------------------------------------------------------------------------------------------------
echo '{"id":"part_nginx","object":"upload.part"}' >"$NGX/html/ok.json"
cat >"$NGX/nginx.conf" <<EOF
user www-data;
worker_processes auto;
error_log $NGX/logs/error.log;
pid $NGX/nginx.pid;
events { worker_connections 256; }
http {
    sendfile on;
    tcp_nopush on;
    access_log off;
    default_type application/octet-stream;
    client_body_temp_path $NGX/body;
    proxy_temp_path $NGX/tmp; fastcgi_temp_path $NGX/tmp; uwsgi_temp_path $NGX/tmp; scgi_temp_path $NGX/tmp;
    client_max_body_size 100m;
    client_body_buffer_size $NGINX_BODY_BUFFER;
    server {
        listen 127.0.0.1:$NGINX_PORT;
        root $NGX/html;
        location = /ok.json { default_type application/json; }
        location = /file.bin { }
        location / {
            client_body_in_file_only on;
            rewrite ^ /ok.json break;
            mirror /_body_read;
            mirror_request_body on;
            error_page 405 =200 /ok.json;
        }
        location = /_body_read { internal; return 204; }
    }
}
EOF
nginx -t -q -c "$NGX/nginx.conf" -p "$NGX/" || die "nginx config"
nginx -c "$NGX/nginx.conf" -p "$NGX/" -g 'daemon off;' 2>>"$NGX/logs/error.log" &
NGINX_PID=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$NGINX_PORT/ok.json" >/dev/null 2>&1 && break; sleep 0.1; done
curl -sf "http://127.0.0.1:$NGINX_PORT/ok.json" >/dev/null || die "nginx did not start"

start_tessera "$TESSERA_PORT" "$WORK/tessera-data"; TPID=$STARTED_PID
if [[ $NOFSYNC -eq 1 ]]; then
    start_tessera "$NOFSYNC_PORT" "$WORK/tessera-nofsync-data" eatmydata; NPID=$STARTED_PID
fi

# Warm-up (JIT, connection setup, SQLite): one small upload each, not measured.
log "warm-up"
for port in "$TESSERA_PORT" ${NPID:+$NOFSYNC_PORT}; do
    up=$(create_upload "$port" $MIB)
    "${CURL[@]}" -o "$WORK/resp/warm.json" -F "data=@$WORK/small" "http://127.0.0.1:$port/v1/uploads/$up/parts"
    "${CURL[@]}" -o /dev/null -H 'Content-Type: application/json' \
        -d "{\"part_ids\":[\"$(json_id part_ <"$WORK/resp/warm.json")\"]}" "http://127.0.0.1:$port/v1/uploads/$up/complete"
done
"${CURL[@]}" -o /dev/null -F "data=@$WORK/small" "http://127.0.0.1:$NGINX_PORT/v1/uploads/warm/parts"
rm -f "$NGX/body"/*

# ---------------------------------------------------------------------------------------------------------------
# 1. Ingest: 1 GiB as 16 x 64 MiB parts, $INFLIGHT in flight. Targets interleaved, order rotated every repetition.
# ---------------------------------------------------------------------------------------------------------------
# floor: no server at all. dd stores the same 16 parts as Tessera must (O_DIRECT writes of 4 MiB, an fsync per part
# before the next part starts), $INFLIGHT at a time: what this disk gives to durable writes, with no network in front.
mkdir -p "$WORK/floor"
TARGETS=(nginx tessera floor); [[ -n ${NPID:-} ]] && TARGETS+=(nofsync)
declare -A PORT_OF=([nginx]=$NGINX_PORT [tessera]=$TESSERA_PORT [nofsync]=$NOFSYNC_PORT)
declare -A PID_OF=([nginx]=$NGINX_PID [tessera]=$TPID [nofsync]=${NPID:-})
declare -A GBPS CPUS DISKS CLIENT
store_with_dd() { # -> the bytes stored
    seq -f '%02g' 0 15 | xargs -P "$INFLIGHT" -I{} \
        dd if="$PARTS/{}" of="$WORK/floor/{}" bs=4M oflag=direct conv=fsync status=none || die "dd failed"
    find "$WORK/floor" -type f -printf '%s\n' | awk '{s+=$1} END {printf "%d", s}'
}
ingest_once() { # target [warmup] -> appends to GBPS/CPUS/DISKS unless warmup
    local t=$1 port=${PORT_OF[$1]:-} url up dir="$WORK/resp/ingest.$1" s e e_durable c0 c1 d0 d1 k0 k1 bytes
    if [[ $t == floor ]]; then
        flush_disk
        prewarm_memory
        d0=$(disk_kib); snap_children_cpu; k0=$(children_cpu); s=$(now)
        bytes=$(store_with_dd)
        e=$(now); snap_children_cpu; k1=$(children_cpu); d1=$(disk_kib)
        [[ $bytes -eq $GIB ]] || die "dd stored $bytes bytes, not $GIB"
        rm -f "$WORK/floor"/*
        if [[ ${2:-} == warmup ]]; then flush_disk; return 0; fi
        GBPS[$t]+="$(calc "$GIB / ($e - $s) / 1e9") "
        CLIENT[$t]+="$(calc "$k1 - $k0" 2) "
        DISKS[$t]+="$(calc "($d1 - $d0) * 1024 / $GIB" 2) "
        log "ingest floor (dd, fsync per part): $(calc "$GIB / ($e - $s) / 1e9") GB/s, dd CPU $(calc "$k1 - $k0" 2) s, disk written $(calc "($d1 - $d0) * 1024 / $GIB" 2) GiB"
        flush_disk
        return 0
    fi
    if [[ $t == nginx ]]; then
        url="http://127.0.0.1:$port/v1/uploads/upload_nginx/parts"
    else
        up=$(create_upload "$port" $GIB); url="http://127.0.0.1:$port/v1/uploads/$up/parts"
    fi
    flush_disk
    prewarm_memory
    c0=$(cpu_seconds "${PID_OF[$t]}"); d0=$(disk_kib); snap_children_cpu; k0=$(children_cpu); s=$(now)
    send_parts "$url" 16 "$dir"
    e=$(now); snap_children_cpu; k1=$(children_cpu); d1=$(disk_kib); c1=$(cpu_seconds "${PID_OF[$t]}")
    bytes=$(sent_bytes "$dir")
    if [[ $t == nginx ]]; then
        # nginx answers 200 with its bodies still in the page cache. How long until they are on disk, as Tessera's
        # are when it answers: sync right away (the disk was flushed before the window, so this is nginx's bytes).
        sync; e_durable=$(now)
        # The bodies really are on disk, whole: 16 files whose sizes add up to what curl sent.
        [[ $(find "$NGX/body" -type f | wc -l) -eq 16 ]] || die "nginx stored $(find "$NGX/body" -type f | wc -l) bodies, not 16"
        [[ $(find "$NGX/body" -type f -printf '%s\n' | awk '{s+=$1} END {printf "%d", s}') -eq $bytes ]] \
            || die "nginx's stored bodies do not add up to the $bytes bytes sent"
        rm -f "$NGX/body"/*
    else
        complete_upload "$port" "$up" "$dir" 16 >/dev/null
        up=$(completed_file "$dir" $GIB); delete_file "$port" "$up"
    fi
    if [[ ${2:-} == warmup ]]; then
        log "ingest $t (warm-up, not counted): $(calc "$GIB / ($e - $s) / 1e9") GB/s"
        flush_disk; return 0
    fi
    GBPS[$t]+="$(calc "$GIB / ($e - $s) / 1e9") "
    if [[ $t == nginx ]]; then GBPS[nginx_synced]+="$(calc "$GIB / ($e_durable - $s) / 1e9") "; fi
    CPUS[$t]+="$(calc "$c1 - $c0" 2) "
    CLIENT[$t]+="$(calc "$k1 - $k0" 2) "
    DISKS[$t]+="$(calc "($d1 - $d0) * 1024 / $GIB" 2) "
    log "ingest $t: $(calc "$GIB / ($e - $s) / 1e9") GB/s$([[ $t == nginx ]] && echo " ($(calc "$GIB / ($e_durable - $s) / 1e9") counting its sync)"), server CPU $(calc "$c1 - $c0" 2) s, curl CPU $(calc "$k1 - $k0" 2) s, disk written $(calc "($d1 - $d0) * 1024 / $GIB" 2) GiB"
    flush_disk
}
log "phase 1: ingest, $INGEST_WARMUPS warm-up rounds (let .NET's tiered JIT settle), then $INGEST_REPS repetitions"
for _ in $(seq "$INGEST_WARMUPS"); do
    for t in "${TARGETS[@]}"; do ingest_once "$t" warmup; done
done
for rep in $(seq "$INGEST_REPS"); do
    n=${#TARGETS[@]}
    for k in $(seq 0 $((n - 1))); do ingest_once "${TARGETS[$(((k + rep - 1) % n))]}"; done
done
if [[ -n ${NPID:-} ]]; then stop_pid "$NPID"; rm -rf "$WORK/tessera-nofsync-data"; fi
med_of() { tr ' ' '\n' <<<"${1% }" | median; }

# ---------------------------------------------------------------------------------------------------------------
# 2. complete latency: 1 MiB (one part) vs 1 GiB (16 parts), each with the whole file's CRC32C, no md5, interleaved;
#    then what OpenAI's md5 costs: a 1 GiB complete with md5 (the server reads the file back to hash it), against
#    md5sum of the same GiB in the same repetition.
# ---------------------------------------------------------------------------------------------------------------
log "phase 2: complete latency, $COMPLETE_REPS repetitions"
C_SMALL=(); C_BIG=(); C_MD5=(); MD5SUM=()
for rep in $(seq "$COMPLETE_REPS"); do
    dir="$WORK/resp/small"; up=$(create_upload "$TESSERA_PORT" $MIB)
    mkdir -p "$dir"
    "${CURL[@]}" -o "$dir/00.json" -F "data=@$WORK/small" "http://127.0.0.1:$TESSERA_PORT/v1/uploads/$up/parts"
    flush_disk
    t=$(complete_upload "$TESSERA_PORT" "$up" "$dir" 1 "$CRC_SMALL")
    f=$(completed_file "$dir" $MIB); C_SMALL+=("$t"); delete_file "$TESSERA_PORT" "$f"
    full_upload "$TESSERA_PORT" 16 $GIB "$CRC_GIB"
    C_BIG+=("$FULL_SECONDS"); delete_file "$TESSERA_PORT" "$FULL_FILE"
    flush_disk
    full_upload "$TESSERA_PORT" 16 $GIB "" "$MD5_GIB"
    C_MD5+=("$FULL_SECONDS"); delete_file "$TESSERA_PORT" "$FULL_FILE"
    s=$(now); cat "$PARTS"/{00..15} | md5sum >/dev/null; MD5SUM+=("$(calc "$(now) - $s" 3)")
    log "complete: 1 MiB ${C_SMALL[-1]} s, 1 GiB ${C_BIG[-1]} s, 1 GiB with md5 ${C_MD5[-1]} s (md5sum ${MD5SUM[-1]} s)"
    flush_disk
done
stop_pid "$TPID"; rm -rf "$WORK/tessera-data"

# ---------------------------------------------------------------------------------------------------------------
# 3. Peak memory per upload size, a fresh server each; 4. download of the 1 GiB file vs nginx's static file.
# ---------------------------------------------------------------------------------------------------------------
log "phase 3: peak memory (fresh server per size) and phase 4: download"
declare -A HWM_IDLE HWM
cat "$PARTS"/{00..15} >"$NGX/html/file.bin"; chmod 644 "$NGX/html/file.bin"
D_NGINX=(); D_TESSERA=(); HWM_DL=
for size in 1 4; do
    data="$WORK/tessera-mem-$size"
    start_tessera "$TESSERA_PORT" "$data"; MPID=$STARTED_PID
    HWM_IDLE[$size]=$(awk '/^VmHWM/{print $2}' "/proc/$MPID/status")
    full_upload "$TESSERA_PORT" $((16 * size)) $((GIB * size)); f=$FULL_FILE
    HWM[$size]=$(awk '/^VmHWM/{print $2}' "/proc/$MPID/status")
    log "${size} GiB upload: VmHWM idle ${HWM_IDLE[$size]} kB, after upload ${HWM[$size]} kB"
    if [[ $size -eq 1 ]]; then
        # Correctness once, untimed: the content is the parts in order.
        curl -sS -H "$AUTH" "http://127.0.0.1:$TESSERA_PORT/v1/files/$f/content" | cmp -s - "$NGX/html/file.bin" \
            || die "Tessera's content differs from the parts sent"
        for rep in $(seq "$DOWNLOAD_REPS"); do
            for who in nginx tessera; do
                if [[ $who == nginx ]]; then url="http://127.0.0.1:$NGINX_PORT/file.bin"; else url="http://127.0.0.1:$TESSERA_PORT/v1/files/$f/content"; fi
                read -r sz sec < <(curl -sS -H "$AUTH" -o /dev/null -w '%{size_download} %{time_total}\n' "$url")
                [[ $sz -eq $GIB ]] || die "download from $who gave $sz bytes"
                if [[ $who == nginx ]]; then D_NGINX+=("$(calc "$GIB / $sec / 1e9")"); else D_TESSERA+=("$(calc "$GIB / $sec / 1e9")"); fi
            done
        done
        HWM_DL=$(awk '/^VmHWM/{print $2}' "/proc/$MPID/status")
        log "download: nginx ${D_NGINX[*]} GB/s, tessera ${D_TESSERA[*]} GB/s; VmHWM after downloads $HWM_DL kB"
    fi
    stop_pid "$MPID"; rm -rf "$data" "$data.log"; flush_disk
done

# ---------------------------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------------------------
T1=$(now)
ok() { if awk "BEGIN {exit !($1)}"; then echo "met"; else echo "**not met**"; fi; }
ING_N=$(med_of "${GBPS[nginx]}"); ING_T=$(med_of "${GBPS[tessera]}")
ING_R=$(calc "$ING_T / $ING_N" 2)
ING_F=$(med_of "${GBPS[floor]}"); ING_NS=$(med_of "${GBPS[nginx_synced]}")
# Ratio of each repetition's pair (measured back to back), then the median: steadier when the machine's load drifts.
pair_ratios() { paste -d' ' <(tr ' ' '\n' <<<"${GBPS[$1]% }") <(tr ' ' '\n' <<<"${GBPS[nginx]% }") | awk '{printf "%.2f\n", $1/$2}'; }
ING_PR=$(pair_ratios tessera | median)
CS50=$(printf '%s\n' "${C_SMALL[@]}" | median); CS95=$(printf '%s\n' "${C_SMALL[@]}" | pct 95)
CB50=$(printf '%s\n' "${C_BIG[@]}" | median);   CB95=$(printf '%s\n' "${C_BIG[@]}" | pct 95)
C_R=$(calc "$CB50 / $CS50" 2)
CM50=$(printf '%s\n' "${C_MD5[@]}" | median); MS50=$(printf '%s\n' "${MD5SUM[@]}" | median)
M1=$(calc "${HWM[1]} / 1024" 0); M4=$(calc "${HWM[4]} / 1024" 0); M_R=$(calc "${HWM[4]} / ${HWM[1]}" 2)
DN=$(printf '%s\n' "${D_NGINX[@]}" | median); DT=$(printf '%s\n' "${D_TESSERA[@]}" | median); D_R=$(calc "$DT / $DN" 2)
ms() { calc "$1 * 1000" 1; }

REPORT=$(cat <<EOF
## Tessera benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')

Machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM, $(. /etc/os-release; echo "$PRETTY_NAME"), kernel $(uname -r);
$(nginx -v 2>&1 | sed 's/.*: //'), .NET $(dotnet --version), Tessera $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?') (Release).
Load average at the start: $LOAD_START, at the end: $(cut -d' ' -f1-3 /proc/loadavg) (the machine is shared: a load above ~2 means other work competed for the 2 cores). Run took $(calc "$T1 - $T0" 0)s. GB = 10^9 bytes.

| measure | nginx | Tessera | ratio | target | |
|---|---|---|---|---|---|
| ingest 1 GiB, 16 x 64 MiB parts, $INFLIGHT in flight (median of $INGEST_REPS, GB/s) | $ING_N | $ING_T | $ING_R | ≥ 0.8 | $(ok "$ING_R >= 0.8") |
| complete p50 / p95, 1 MiB (ms) | | $(ms "$CS50") / $(ms "$CS95") | | | |
| complete p50 / p95, 1 GiB (ms) | | $(ms "$CB50") / $(ms "$CB95") | $C_R (p50) | ≤ 2 | $(ok "$C_R <= 2") |
| complete p50, 1 GiB with OpenAI's md5 (ms) | | $(ms "$CM50") | $(calc "$CM50 / $MS50" 2) (÷ md5sum of the same GiB, $(ms "$MS50") ms) | | |
| peak RSS (VmHWM), 1 GiB upload (MiB) | | $M1 | | < 200 | $(ok "$M1 < 200") |
| peak RSS (VmHWM), 4 GiB upload (MiB) | | $M4 | $M_R (4 GiB / 1 GiB) | < 200, ratio ≤ 1.25 | $(ok "$M4 < 200 && $M_R <= 1.25") |
| download 1 GiB (median of $DOWNLOAD_REPS, GB/s) | $DN | $DT | $D_R | | |

Tessera answers each part only once its bytes are on disk; nginx answers with them in the page cache. The same
1 GiB ingest against references that also put the bytes on disk, measured in the same repetitions:

| durable reference (median of $INGEST_REPS, GB/s) | reference | Tessera | Tessera / reference |
|---|---|---|---|
| disk floor: dd storing the same 16 parts, O_DIRECT 4 MiB writes and an fsync per part, $INFLIGHT at a time, no network | $ING_F | $ING_T | $(calc "$ING_T / $ING_F" 2) |
| nginx timed until its bodies are on disk (a sync after its last 200) | $ING_NS | $ING_T | $(calc "$ING_T / $ING_NS" 2) |
| nginx as above, bodies left in the page cache | $ING_N | $ING_T | $ING_R |

Details:
- ingest: median of the per-repetition ratios Tessera/nginx $ING_PR (each $(pair_ratios tessera | tr '\n' ' ')); nginx client_body_buffer_size $NGINX_BODY_BUFFER
- ingest samples GB/s: nginx ${GBPS[nginx]% } (counting its sync: ${GBPS[nginx_synced]% }); disk floor (dd) ${GBPS[floor]% }; Tessera ${GBPS[tessera]% }$( [[ -n ${GBPS[nofsync]:-} ]] && echo "; Tessera with fsync disabled (eatmydata, diagnostic only) ${GBPS[nofsync]% } (median $(med_of "${GBPS[nofsync]}"), ratio $(calc "$(med_of "${GBPS[nofsync]}") / $ING_N" 2))")
- server CPU seconds per 1 GiB ingest (user+sys): nginx ${CPUS[nginx]% }; Tessera ${CPUS[tessera]% }$( [[ -n ${CPUS[nofsync]:-} ]] && echo "; Tessera without fsync ${CPUS[nofsync]% }")
- curl CPU seconds (all 16 processes, user+sys) per 1 GiB ingest: against nginx ${CLIENT[nginx]% }; against Tessera ${CLIENT[tessera]% }; dd's own (16 processes) ${CLIENT[floor]% }$( [[ -n ${CLIENT[nofsync]:-} ]] && echo "; against Tessera without fsync ${CLIENT[nofsync]% }")
- GiB written to block devices during the timed ingest window (system-wide /proc/vmstat pgpgout): nginx ${DISKS[nginx]% }; Tessera ${DISKS[tessera]% }; dd ${DISKS[floor]% }$( [[ -n ${DISKS[nofsync]:-} ]] && echo "; Tessera without fsync ${DISKS[nofsync]% }")
- complete samples s: 1 MiB ${C_SMALL[*]}; 1 GiB ${C_BIG[*]}; 1 GiB with md5 ${C_MD5[*]} (md5sum ${MD5SUM[*]}) (p95 is nearest-rank: with $COMPLETE_REPS samples, the largest)
- VmHWM kB: idle ${HWM_IDLE[1]} / ${HWM_IDLE[4]}, after 1 GiB upload ${HWM[1]}, after 4 GiB upload ${HWM[4]}, after the 1 GiB downloads $HWM_DL
- download samples GB/s: nginx (static file, sendfile) ${D_NGINX[*]}; Tessera ${D_TESSERA[*]}
EOF
)
mkdir -p "$OUT_DIR"
echo "$REPORT" | tee "$OUT_DIR/results.md"
