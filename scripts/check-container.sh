#!/usr/bin/env bash
# What the Dockerfile's image does, checked without a container engine: publishes the server with the command the
# Dockerfile runs (scripts/publish-server.sh), starts the published executable as a non-root user with the image's
# settings, and runs the Dockerfile's own HEALTHCHECK command, read from the Dockerfile, until it reports healthy.
# The server gets a network namespace of its own, so it listens on the image's port 8080 whatever else this machine
# runs, and the health check runs unchanged. Needs root (CI runs as root): otherwise it says so and skips.
#
# Usage: scripts/check-container.sh   (works in a temporary folder of its own, removed at the end)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
say() { printf '[check-container] %s\n' "$*" >&2; }

# Inside the namespace: start the server as the user, wait for the health check, stop the server.
if [[ ${1:-} == --inside ]]; then
  work=$2 user=$3
  shift 3
  health=("$@")
  ip link set lo up
  # The image's settings (Dockerfile ENV), with the data folder here instead of /data, and a key: open mode would
  # refuse to listen beyond loopback.
  runuser -u "$user" -- env -i PATH=/usr/bin:/bin HOME="$work/home" \
    Tessera__DataPath="$work/data" ASPNETCORE_URLS=http://+:8080 ASPNETCORE_HTTP_PORTS= \
    Tessera__Projects__0__Name=main Tessera__Projects__0__Keys__0=sk-container-check-0001 \
    "$work/app/Tessera.Server" >"$work/server.log" 2>&1 &
  server=$!
  healthy=0
  for _ in $(seq 1 120); do
    if runuser -u "$user" -- "${health[@]}" 2>/dev/null; then
      healthy=1
      break
    fi
    if ! kill -0 "$server" 2>/dev/null; then
      status=0; wait "$server" || status=$?
      say "the published server stopped (exit status $status) before it reported healthy; its log:"
      cat "$work/server.log" >&2
      exit 1
    fi
    sleep 0.5
  done
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  if [[ $healthy -ne 1 ]]; then
    say "the published server did not report healthy within 60 s; its log:"
    cat "$work/server.log" >&2
    exit 1
  fi
  # The same command must fail once nothing answers, or it proved nothing.
  if runuser -u "$user" -- "${health[@]}" 2>/dev/null; then
    say "the health check command succeeded with the server stopped"
    exit 1
  fi
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  say "skipped: starting the server as another user in a network namespace of its own needs root (CI runs as root)"
  exit 0
fi

# A folder of its own under the system's temporary folder, which the user can reach (a caller's private folder,
# mode 700, would keep the user from the executable).
work=$(mktemp -d -t tessera-container-XXXXXX)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"

rid=$(dotnet --info | awk '$1 == "RID:" {print $2; exit}')
say "publishing for $rid with the Dockerfile's command"
"$root/scripts/publish-server.sh" "$rid" "$work/app" -v quiet >/dev/null 2>"$work/publish.err" \
  || { cat "$work/publish.err" >&2; exit 1; }
files=$(cd "$work/app" && ls | sort | tr '\n' ' ')
[[ "$files" == "Tessera.Server appsettings.json " ]] || { say "the publish folder should hold the executable and appsettings.json only, not: $files"; exit 1; }

# The image runs as its non-root user; here, a system user made for it if this machine has none.
user=tessera
id -u "$user" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$user"
mkdir -p "$work/data" "$work/home"
chown "$user" "$work/data" "$work/home"
runuser -u "$user" -- test -x "$work/app/Tessera.Server" \
  || { say "$user cannot run $work/app/Tessera.Server: a folder above it is closed to other users"; exit 1; }

# The HEALTHCHECK's CMD, exactly as the Dockerfile gives it (a JSON array, possibly after a line continuation).
mapfile -d '' health < <(node -e '
  const text = require("fs").readFileSync(process.argv[1], "utf8").replace(/\\\r?\n/g, " ");
  const line = text.split("\n").find(l => /^HEALTHCHECK\b/.test(l));
  const cmd = JSON.parse(line.slice(line.indexOf("CMD") + 3).trim());
  process.stdout.write(cmd.map(a => a + "\0").join(""));' "$root/Dockerfile")
[[ ${#health[@]} -gt 0 ]] || { say "no HEALTHCHECK CMD found in the Dockerfile"; exit 1; }

say "starting the published server as $user, asking: ${health[*]}"
unshare --net -- "$root/scripts/check-container.sh" --inside "$work" "$user" "${health[@]}"
say "healthy: the published server, run as $user, passed the Dockerfile's health check"
