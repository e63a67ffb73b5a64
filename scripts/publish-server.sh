#!/usr/bin/env bash
# Publishes the server for one platform as a single self-contained executable, with appsettings.json beside it
# (the settings are in src/Tessera.Server/Tessera.Server.csproj). The Dockerfile runs this, and so does CI
# (scripts/check-container.sh), so what CI starts is what the image ships.
#
# Usage: scripts/publish-server.sh RID OUTPUT [dotnet publish options...]
#   RID     the platform: linux-x64, linux-arm64, linux-musl-x64, osx-arm64, win-x64, ...
#   OUTPUT  the folder that receives Tessera.Server (Tessera.Server.exe on Windows) and appsettings.json
set -euo pipefail
if [[ $# -lt 2 ]]; then
  sed -n '2,9p' "$0" >&2
  exit 2
fi
cd "$(dirname "${BASH_SOURCE[0]}")/.."
exec dotnet publish src/Tessera.Server -c Release -r "$1" -o "$2" -nologo "${@:3}"
