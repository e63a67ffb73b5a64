#!/usr/bin/env bash
# Checks every code sample of README.md and docs/*.md. Each fenced block in a language that runs (sh, bash, shell,
# console, csharp, cs, js, javascript, mjs, python, py) must follow a marker on the line just before it:
#   <!-- sample: NAME -->                          runnable: runs, and must exit 0
#   <!-- sample: NAME; prints: TEXT; prints: ... -->   runnable, and its output must contain each TEXT
#   <!-- sample: NAME (syntax-only: REASON) -->    only parsed by its language's parser
# A block in another language (json, yaml, ini) is checked when marked, and needs no marker (docs/api.md's JSON
# shapes have none); a fence without a language is text (a log line, an answer) and takes no marker.
#
# Runnable samples run as a reader follows the docs: first those that run scripts/install.sh, with a temporary
# folder as --prefix (and as $HOME/.local in their text), then the installed tessera-server is started from a
# folder of its own (its ./data must land there) on a free port of 127.0.0.1 (the samples' 127.0.0.1:8080 is
# rewritten to it: 8080 may be taken, and a server left running there must not answer for this one), and the
# others run against it in the order of the docs, each in an empty folder where `scripts` leads to the
# repository's, with PATH, OPENAI_BASE_URL and OPENAI_API_KEY as the install samples set them. By language:
# sh/bash runs in bash -e; console is a transcript (each `$ ` line runs and must print the lines under it);
# js is saved as upload.mjs in an `npm init -y` project with the openai version tests/sdk-node uses; csharp is
# compiled in a console project referencing src/Tessera.Client, with hello.txt beside it.
#
# Usage: scripts/check-samples.sh   (prints one line per sample, then "samples: N passed, N failed, N not checked")
# A missing tool (curl, node, npm, python3, dotnet) is a failure, not a skip.
set -uo pipefail
root=$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
work=$(mktemp -d -t tessera-samples-XXXXXX)
server_pid=""
cleanup() {
  if [[ -n $server_pid ]]; then kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; fi
  rm -rf "$work"
}
trap cleanup EXIT

passed=0 failed=0 unchecked=0
ok() { passed=$((passed + 1)); printf 'ok    %s\n' "$*"; }
not_checked() { unchecked=$((unchecked + 1)); printf -- '--    %s\n' "$*"; }
fail() { failed=$((failed + 1)); printf 'FAIL  %s\n' "$*"; }
indent() { sed 's/^/      | /'; }

for tool in curl node npm python3 dotnet; do
  command -v "$tool" >/dev/null || fail "prerequisite: no '$tool' on PATH (scripts/test.sh installs node and npm; apt-get install curl python3)"
done

# Every sample and every language fence, with its marker parsed.
files=(README.md docs/*.md)
runnable_languages=' sh bash shell console csharp cs js javascript mjs python py '
mkdir -p "$work/blocks"
awk -v out="$work/blocks" -f scripts/extract-samples.awk "${files[@]}" >"$work/blocks.tsv"
declare -A seen=()
syntax_marker='^([a-z0-9-]+) \(syntax-only: (.+)\)$'
run_marker='^([a-z0-9-]+)((; prints: [^;]+)*)$'
sep=$'\x1f'
samples=()   # N, file:line, lang, name, mode, detail (separated by $sep); mode run (detail: the prints: texts, tab-separated) or syntax
while IFS=$'\t' read -r n file line lang marker; do
  where="$file:$line" lang=${lang,,}
  if [[ $lang == "(no fence)" ]]; then fail "$where: the marker '$marker' is not directly followed by a fenced block"; continue; fi
  if [[ $marker == - ]]; then
    [[ $runnable_languages != *" $lang "* ]] \
      || fail "$where: a \`\`\`$lang block has no <!-- sample: NAME --> or <!-- sample: NAME (syntax-only: REASON) --> marker on the line before it"
    continue
  fi
  [[ $lang != - ]] || { fail "$where: the sample '$marker' has no language after its \`\`\`"; continue; }
  if [[ $marker =~ $syntax_marker ]]; then
    name=${BASH_REMATCH[1]} mode=syntax detail=${BASH_REMATCH[2]}
  elif [[ $marker =~ $run_marker ]]; then
    name=${BASH_REMATCH[1]} mode=run detail=${BASH_REMATCH[2]#; prints: }
    detail=${detail//; prints: /$'\t'}
  else
    fail "$where: cannot read the marker '$marker' (NAME, NAME; prints: TEXT, or NAME (syntax-only: REASON))"; continue
  fi
  [[ -z ${seen[$name]:-} ]] || { fail "$where: the sample name '$name' is also used at ${seen[$name]}"; continue; }
  seen[$name]=$where
  samples+=("$n$sep$where$sep$lang$sep$name$sep$mode$sep$detail")
done <"$work/blocks.tsv"

# Syntax-only samples, by language.
export PYTHONPYCACHEPREFIX="$work/pycache"
for s in "${samples[@]}"; do
  IFS=$sep read -r n where lang name mode detail <<<"$s"
  [[ $mode == syntax ]] || continue
  code="$work/blocks/$n.code" label="$name ($where, syntax-only: $detail)"
  case $lang in
    sh|bash|shell) check=(bash -n "$code") ;;
    console) sed -n 's/^\$ //p' "$code" >"$code.sh"; check=(bash -n "$code.sh") ;;
    python|py) cp "$code" "$code.py"; check=(python3 -m py_compile "$code.py") ;;
    js|javascript|mjs) cp "$code" "$code.mjs"; check=(node --check "$code.mjs") ;;
    json) check=(python3 -m json.tool "$code") ;;
    ini) check=(python3 -c 'import configparser, sys; configparser.ConfigParser().read_file(open(sys.argv[1]))' "$code") ;;
    yaml|yml)
      if python3 -c 'import yaml' 2>/dev/null; then check=(python3 -c 'import yaml, sys; yaml.safe_load(open(sys.argv[1]))' "$code")
      else not_checked "$label: no YAML parser here (python3-yaml)"; continue; fi ;;
    *) not_checked "$label: not checked here ($lang)"; continue ;;
  esac
  if out=$("${check[@]}" 2>&1 >/dev/null); then ok "$label"; else fail "$label: ${check[0]} ${check[1]} refuses it:"; indent <<<"$out"; fi
done

# The environment a reader has once the install samples ran; tessera's resume state in a folder of its own.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' || echo 18280)
prefix="$work/prefix"
export PATH="$prefix/bin:$PATH" XDG_DATA_HOME="$work/data-home" DOTNET_NOLOGO=1
export OPENAI_BASE_URL="http://127.0.0.1:$port/v1" OPENAI_API_KEY=anything
unset OPENAI_ORG_ID OPENAI_PROJECT_ID
status_before=$(git status --porcelain --untracked-files=all)
echo "runnable samples: 127.0.0.1:8080 means 127.0.0.1:$port, and \$HOME/.local means $prefix"

# Runs sample $1 (its fields) in a folder of its own; prints its output on failure with what was expected.
run_sample() {
  local n=$1 where=$2 lang=$3 name=$4 detail=$5 dir="$work/run/$4" code="$work/blocks/$1.code" status=0 started=$SECONDS
  # A build with a cold NuGet cache on a busy machine takes minutes; a request to the server, seconds.
  local limit=120
  grep -q 'scripts/install\.sh' "$code" && limit=1800
  mkdir -p "$dir"
  ln -s "$root/scripts" "$dir/scripts"
  sed -e "s#127\.0\.0\.1:8080#127.0.0.1:$port#g" -e "s#\\\$HOME/\.local#$prefix#g" \
    -e "s#^scripts/install\.sh\( \|\$\)#scripts/install.sh --prefix '$prefix'\1#" "$code" >"$code.run"
  case $lang in
    # Traced to a file of its own, so that a failing sample shows where it stopped even when it printed nothing.
    sh|bash|shell) (cd "$dir" && timeout "$limit" bash -e -o pipefail \
      -c 'exec 9>"$1.trace"; BASH_XTRACEFD=9; set -x; source "$1"' sample "$code.run") >"$dir.out" 2>&1 || status=$? ;;
    console) run_transcript "$code.run" "$dir" >"$dir.out" 2>&1 || status=$? ;;
    js|javascript|mjs) run_node "$code.run" "$dir" >"$dir.out" 2>&1 || status=$? ;;
    csharp|cs) run_csharp "$code.run" "$dir" >"$dir.out" 2>&1 || status=$? ;;
    *) fail "$name ($where): no way to run a $lang sample here; mark it syntax-only"; return ;;
  esac
  local missing=() text
  if [[ -n $detail ]]; then
    while IFS= read -r text; do grep -qF -- "$text" "$dir.out" || missing+=("$text"); done <<<"${detail//$'\t'/$'\n'}"
  fi
  if [[ $status -eq 0 && ${#missing[@]} -eq 0 ]]; then
    ok "$name ($where, $((SECONDS - started)) s)"
    return
  fi
  [[ $status -ne 124 ]] || status="124 (timed out)"
  local lacks=""
  [[ ${#missing[@]} -eq 0 ]] || lacks="; its output lacks$(printf " '%s'" "${missing[@]}")"
  fail "$name ($where): exit status $status$lacks"
  if [[ -s $dir.out ]]; then echo "      its output:"; indent <"$dir.out"; else echo "      it printed nothing"; fi
  if [[ -s $code.run.trace ]]; then echo "      the last commands it ran:"; tail -6 "$code.run.trace" | indent; fi
}

# A console transcript: each `$ COMMAND` line runs in bash, and together they must print the other lines exactly.
run_transcript() {
  local expected="$2.expected" actual="$2.actual"
  grep -v '^\$ ' "$1" >"$expected"
  : >"$actual"
  while IFS= read -r command; do
    (cd "$2" && timeout 120 bash -c "${command#\$ }") >>"$actual" 2>&1
  done < <(grep '^\$ ' "$1")
  diff -u --label expected --label printed "$expected" "$actual"
}

# The Node sample as README.md says: upload.mjs in an `npm init -y` project with the openai package.
run_node() {
  local version
  version=$(node -p 'require(process.argv[1]).dependencies.openai' "$root/tests/sdk-node/package.json") || return 1
  cp "$1" "$2/upload.mjs"
  (cd "$2" && npm init -y >/dev/null && npm install --no-audit --no-fund --loglevel=error "openai@$version" >/dev/null \
    && timeout 120 node upload.mjs)
}

# The C# sample as docs/client.md says: a console project referencing src/Tessera.Client, hello.txt beside it.
run_csharp() {
  cat >"$2/Sample.csproj" <<EOF
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <ImplicitUsings>enable</ImplicitUsings>
    <Nullable>enable</Nullable>
    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
  </PropertyGroup>
  <ItemGroup>
    <ProjectReference Include="$root/src/Tessera.Client/Tessera.Client.csproj" />
  </ItemGroup>
</Project>
EOF
  cp "$1" "$2/Program.cs"
  printf 'hello world' >"$2/hello.txt"
  (cd "$2" && dotnet build -c Release -nologo -v quiet && timeout 120 dotnet bin/Release/net10.0/Sample.dll)
}

for s in "${samples[@]}"; do
  IFS=$sep read -r n where lang name mode detail <<<"$s"
  [[ $mode == run ]] && grep -q 'scripts/install\.sh' "$work/blocks/$n.code" && run_sample "$n" "$where" "$lang" "$name" "$detail"
done

server_dir="$work/server"
mkdir -p "$server_dir"
if ! command -v tessera-server >/dev/null; then
  fail "tessera-server: no install sample put it in $prefix/bin; the samples that need a server cannot run"
else
  (cd "$server_dir" && exec tessera-server --urls "http://127.0.0.1:$port") >"$work/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 150); do
    curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.2
  done
  if curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then
    for s in "${samples[@]}"; do
      IFS=$sep read -r n where lang name mode detail <<<"$s"
      [[ $mode == run ]] && ! grep -q 'scripts/install\.sh' "$work/blocks/$n.code" && run_sample "$n" "$where" "$lang" "$name" "$detail"
    done
    if [[ -f $server_dir/data/tessera.db ]]; then ok "tessera-server keeps its default ./data in the folder it was started from"
    else fail "tessera-server: no data/tessera.db in the folder it was started from ($server_dir)"; fi
  else
    fail "tessera-server did not answer /healthz on 127.0.0.1:$port within 30 s; its log:"; indent <"$work/server.log"
  fi
fi

added=$(comm -13 <(sort <<<"$status_before") <(git status --porcelain --untracked-files=all | sort))
if [[ -n $added ]]; then fail "the samples left files in the repository:"; indent <<<"$added"; fi

if [[ $failed -gt 0 && -s $work/server.log ]]; then echo "      the server's log, last lines:"; tail -20 "$work/server.log" | indent; fi
echo "samples: $passed passed, $failed failed, $unchecked not checked"
[[ $failed -eq 0 ]]
