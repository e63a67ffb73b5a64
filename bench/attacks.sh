#!/usr/bin/env bash
# Request-bound benchmark: the server's peak memory under requests built to make it hold as much as they can. The
# published server (Release, single file) runs on a temporary data folder, seeded with 10,000 files whose names are
# 1,024 bytes of a character JSON must escape as \u0001 (6 bytes each on the wire, so a 10,000-item list is ~62 MB of
# JSON) and with one upload holding Tessera:Limits:MaxPartsPerUpload parts. Each attack then runs against a freshly
# restarted server, so each row's VmHWM (from /proc/PID/status) is that attack's peak alone:
#   lists  six GET /files?limit=10000 at once, each read to its end, ROUNDS times over
#   form   four POST /files, each a chunked form of 513 MiB of 4 KiB fields the endpoint does not define
#   parts  four clients sending 64 MiB parts to the full upload, ROUNDS parts each, every one refused
#   all    the three above at once
# Prints a table of each row's answers and peak RSS against the 300 MB bound.
#
# Usage: bench/attacks.sh    Knobs (environment): ROUNDS=3 PORT=19620 ATTACKS="lists form parts all" (the rows to run)
#        PUBLISH_DIR=(a folder to publish into and reuse; default: a new one under the temporary folder)
#        SKIP_PUBLISH=1 (reuse PUBLISH_DIR as it is). The server inherits the environment (DOTNET_gcServer=0 ...).
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
ROUNDS=${ROUNDS:-3}
ATTACKS=${ATTACKS:-lists form parts all}
PORT=${PORT:-19620}
BOUND_MB=300
BASE="http://127.0.0.1:$PORT/v1"

log() { printf '[attacks %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

WORK=$(mktemp -d /tmp/tessera-attacks.XXXXXX)
PUBLISH_DIR=${PUBLISH_DIR:-$WORK/server}
SERVER_PID=
cleanup() {
    set +e
    [[ -n $SERVER_PID ]] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT

if [[ ${SKIP_PUBLISH:-0} -ne 1 ]]; then
    log "publishing the server (Release, linux-x64, single file)"
    dotnet publish -c Release -r linux-x64 "$REPO/src/Tessera.Server" -o "$PUBLISH_DIR" -nologo -v quiet >/dev/null || die "dotnet publish failed"
fi

start_server() {
    "$PUBLISH_DIR/Tessera.Server" --urls "http://127.0.0.1:$PORT" "--Tessera:DataPath=$WORK/data" \
        --Logging:LogLevel:Default=Warning >>"$WORK/server.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 200); do
        curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    tail -20 "$WORK/server.log" >&2
    die "the server did not start"
}

stop_server() {
    kill "$SERVER_PID" && wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=
}

peak_mb() { awk '/^VmHWM:/ {printf "%.0f", $2 / 1024}' "/proc/$SERVER_PID/status"; }

# The clients: Node's fetch and http, so that thousands of requests and a 513 MiB body cost no process each.
cat >"$WORK/attack.mjs" <<'EOF'
import http from 'node:http';
const [, , what, base, arg] = process.argv;
const auth = { Authorization: 'Bearer bench' };
const json = (path, body) => fetch(`${base}${path}`, { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
const pool = async (count, width, job) => {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => { while (next < count) await job(next++); }));
};
const tally = {};
const count = (status) => { tally[status] = (tally[status] ?? 0) + 1; };

if (what === 'seed') {
  // 10,000 empty files with names of 1,024 x U+0001; then one upload given as many parts as it may have.
  const name = '\u0001'.repeat(1024);
  await pool(10000, 16, async () => {
    const upload = await (await json('/uploads', { filename: name, purpose: 'assistants', bytes: 0, mime_type: 'text/plain' })).json();
    const done = await json(`/uploads/${upload.id}/complete`, { part_ids: [] });
    if (!done.ok) throw new Error(`complete: ${done.status} ${await done.text()}`);
  });
  const upload = await (await json('/uploads', { filename: 'full.bin', purpose: 'assistants', bytes: 1 << 30, mime_type: 'application/octet-stream' })).json();
  await pool(Number(arg), 16, async () => {
    const form = new FormData();
    form.append('data', new Blob([new Uint8Array([1])]), 'p');
    const part = await fetch(`${base}/uploads/${upload.id}/parts`, { method: 'POST', headers: auth, body: form });
    if (!part.ok) throw new Error(`part: ${part.status} ${await part.text()}`);
  });
  console.log(upload.id);
} else if (what === 'lists') {
  // Six lists at once, each read to its end and thrown away, ROUNDS times.
  for (let round = 0; round < Number(arg); round++) {
    await Promise.all(Array.from({ length: 6 }, async () => {
      try {
        const answer = await fetch(`${base}/files?limit=10000`, { headers: auth });
        let bytes = 0;
        for await (const chunk of answer.body) bytes += chunk.length;
        count(`${answer.status} (${(bytes / 1e6).toFixed(0)} MB)`);
      } catch (error) {
        count(`connection error (${error.cause?.code ?? error.message})`);
      }
    }));
  }
} else if (what === 'form') {
  // Four forms at once of 513 MiB of 4 KiB fields that POST /files does not define, sent chunked as they are made.
  const boundary = 'attack-boundary';
  const field = (i) => Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="x${i}"\r\n\r\n${'v'.repeat(4096)}\r\n`);
  await Promise.all(Array.from({ length: 4 }, () => new Promise((resolve) => {
    const request = http.request(`${base}/files`, { method: 'POST', headers: { ...auth, 'Content-Type': `multipart/form-data; boundary=${boundary}` } }, (answer) => {
      answer.resume();
      answer.on('end', () => { count(answer.statusCode); resolve(); });
    });
    request.on('error', (error) => { count(`refused mid-body (${error.code})`); resolve(); });
    let sent = 0;
    let i = 0;
    const write = () => {
      while (sent < 513 * 1048576) {
        const chunk = field(i++);
        sent += chunk.length;
        if (!request.write(chunk)) { request.once('drain', write); return; }
      }
      request.end(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="f"\r\n\r\nx\r\n--${boundary}--\r\n`);
    };
    write();
  })));
} else if (what === 'parts') {
  // Four clients, each sending ROUNDS parts of 64 MiB to the upload that has all the parts it may have.
  const [uploadId, rounds] = arg.split(':');
  const data = new Blob([new Uint8Array(64 * 1048576)]);
  await Promise.all(Array.from({ length: 4 }, async () => {
    for (let round = 0; round < Number(rounds); round++) {
      const form = new FormData();
      form.append('data', data, 'p');
      try {
        const answer = await fetch(`${base}/uploads/${uploadId}/parts`, { method: 'POST', headers: auth, body: form });
        count(`${answer.status} ${(await answer.json()).error?.code ?? ''}`.trim());
      } catch (error) {
        // A refusal may close the connection while the next part is being written on it.
        count(`connection error (${error.cause?.code ?? error.message})`);
      }
    }
  }));
}
if (what !== 'seed') console.log(Object.entries(tally).map(([answer, n]) => `${n} x ${answer}`).join(', '));
EOF

run_attack() {
    node "$WORK/attack.mjs" "$@" 2>>"$WORK/client.log" && return 0
    tail -30 "$WORK/client.log" >&2
    tail -30 "$WORK/server.log" >&2
    die "the $1 attack's client failed"
}

start_server
MAX_PARTS=10000
log "seeding 10,000 files of 1,024-byte names and an upload of $MAX_PARTS parts (a minute or two)"
UPLOAD_ID=$(run_attack seed "$BASE" "$MAX_PARTS")
stop_server

rows=()
for attack in $ATTACKS; do
    start_server
    base_mb=$(peak_mb)
    log "$attack: running"
    case $attack in
        lists) answers=$(run_attack lists "$BASE" "$ROUNDS") ;;
        form) answers=$(run_attack form "$BASE") ;;
        parts) answers=$(run_attack parts "$BASE" "$UPLOAD_ID:$ROUNDS") ;;
        all)
            run_attack lists "$BASE" "$ROUNDS" >"$WORK/all.lists" &
            lists_pid=$!
            run_attack form "$BASE" >"$WORK/all.form" &
            form_pid=$!
            run_attack parts "$BASE" "$UPLOAD_ID:$ROUNDS" >"$WORK/all.parts"
            wait "$lists_pid" "$form_pid"
            answers="lists: $(cat "$WORK/all.lists"); form: $(cat "$WORK/all.form"); parts: $(cat "$WORK/all.parts")"
            ;;
    esac
    peak=$(peak_mb)
    rows+=("| $attack | $answers | $base_mb | $peak | $([[ $peak -lt $BOUND_MB ]] && echo yes || echo NO) |")
    stop_server
done

[[ -s $WORK/client.log ]] && { log "client errors:"; cat "$WORK/client.log" >&2; }
echo
echo "$(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg); a fresh server per row; peak = VmHWM of the server process."
echo
echo "| attack | answers | RSS at start MB | peak RSS MB | under $BOUND_MB MB |"
echo "|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
