#!/usr/bin/env bash
# Builds the `tessera` command line (a native executable, Native AOT) and the server for this machine and installs
# them as PREFIX/bin/tessera and PREFIX/bin/tessera-server. The server is the self-contained executable the
# Dockerfile ships (scripts/publish-server.sh), in PREFIX/lib/tessera/server with its appsettings.json;
# `tessera-server` starts it, and its default data folder (./data) is the folder it is started from, as with
# `dotnet run`. Builds in a temporary folder and the ignored obj/ and bin/ folders, so the repository gains no file.
#
# Usage: scripts/install.sh [--prefix DIR]
#   --prefix DIR   install into DIR/bin and DIR/lib/tessera (default: ~/.local)
#   -h, --help     print this help
# Needs the .NET 10 SDK, and clang or gcc with zlib's headers to compile the native executable.
set -euo pipefail

usage() { sed -n '8,11p' "$0" | sed 's/^# \{0,1\}//'; }
say() { printf '[install] %s\n' "$*" >&2; }
fail() { printf 'install.sh: %s\n' "$*" >&2; exit 1; }

prefix="$HOME/.local"
while [[ $# -gt 0 ]]; do
  case $1 in
    --prefix)
      [[ $# -ge 2 && -n $2 ]] || { echo "install.sh: --prefix needs a folder, e.g. --prefix ~/.local" >&2; exit 2; }
      prefix=$2
      shift 2 ;;
    --prefix=*)
      prefix=${1#--prefix=}
      [[ -n $prefix ]] || { echo "install.sh: --prefix needs a folder, e.g. --prefix ~/.local" >&2; exit 2; }
      shift ;;
    -h|--help)
      usage
      exit 0 ;;
    *)
      echo "install.sh: unknown argument '$1'" >&2
      usage >&2
      exit 2 ;;
  esac
done

root=$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1

command -v dotnet >/dev/null \
  || fail "no 'dotnet' on PATH: install the .NET 10 SDK (https://dot.net/download; on Debian or Ubuntu: apt-get install dotnet-sdk-10.0)."
# global.json names the SDK; dotnet says plainly when this machine has none that fits.
sdk=$(dotnet --version 2>&1) \
  || fail "this machine's dotnet has no SDK that global.json accepts (10.0.100 or a later 10.0): install the .NET 10 SDK (https://dot.net/download). dotnet says:
$sdk"

# Native AOT links with the platform's C compiler and zlib; check both with a one-line program before a long build.
cc=$(command -v clang || command -v gcc || command -v cc || true)
[[ -n $cc ]] \
  || fail "no C compiler (clang or gcc) found: the native tessera is linked with one. On Debian or Ubuntu: apt-get install clang zlib1g-dev"
work=$(mktemp -d -t tessera-install-XXXXXX)
trap 'rm -rf "$work"' EXIT
printf 'int main(void) { return 0; }\n' >"$work/probe.c"
"$cc" "$work/probe.c" -lz -o "$work/probe" 2>/dev/null \
  || fail "$cc cannot link against zlib, which the native tessera needs. On Debian or Ubuntu: apt-get install zlib1g-dev"

rid=$(dotnet --info | awk '$1 == "RID:" {print $2; exit}')
[[ -n $rid ]] || fail "'dotnet --info' names no RID for this machine"

mkdir -p "$prefix" || fail "cannot create $prefix"
prefix=$(cd "$prefix" && pwd)
started=$SECONDS

say "SDK $sdk; building the server for $rid (self-contained, as the container image ships it)"
scripts/publish-server.sh "$rid" "$work/server" -v quiet >&2 || fail "the server's build failed (above)"

say "building tessera for $rid (native: Native AOT, compiled with $(basename "$cc"))"
dotnet publish src/Tessera.Cli -c Release -r "$rid" -o "$work/cli" -nologo -v quiet >&2 \
  || fail "tessera's build failed (above)"

say "installing into $prefix"
mkdir -p "$prefix/bin" "$prefix/lib/tessera"
rm -rf "$prefix/lib/tessera/server"
cp -R "$work/server" "$prefix/lib/tessera/server"
install -m 755 "$work/cli/tessera" "$prefix/bin/tessera"
# A script rather than a symbolic link: the server finds appsettings.json beside its own executable, and the
# launcher keeps working when PREFIX is moved as a whole.
cat >"$prefix/bin/tessera-server" <<'EOF'
#!/bin/sh
# Starts the Tessera server installed by scripts/install.sh. Any argument is a setting (e.g. --urls
# http://127.0.0.1:9090 or --Tessera:DataPath=/srv/tessera); a relative data path means the current folder.
here=$(dirname "$(readlink -f "$0")")
exec "$here/../lib/tessera/server/Tessera.Server" "$@"
EOF
chmod 755 "$prefix/bin/tessera-server"

say "installed tessera $("$prefix/bin/tessera" --version) and tessera-server in $prefix/bin ($((SECONDS - started)) s)"
case ":$PATH:" in
  *":$prefix/bin:"*) ;;
  *)
    line="export PATH=\"$prefix/bin:\$PATH\""
    [[ $prefix == "$HOME/.local" ]] && line='export PATH="$HOME/.local/bin:$PATH"'
    say "$prefix/bin is not on PATH; to use tessera and tessera-server here, run:"
    printf '\n    %s\n\n' "$line" >&2
    say "and add that line to ~/.profile (or your shell's start-up file) to keep it" ;;
esac
