#!/bin/sh
# Runs a command with the project's Node 24 (installed by setup into .tools/node) and the
# project's node_modules/.bin first on PATH, so every npm script, the tests and the
# programs they start run on the runtime driftless supports, whatever Node the machine
# has and without anyone editing PATH.
root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd -P)
if [ ! -x "$root/.tools/node/bin/node" ]; then
  echo "driftless: Node 24 is not installed in $root/.tools/node: run \`npm run setup\`" >&2
  exit 1
fi
PATH="$root/.tools/node/bin:$root/node_modules/.bin:$PATH"
export PATH
exec "$@"
