#!/usr/bin/env bash
# The main job on embedded defaults: set up (cached), start LocalStack, apply the
# repository's own environments/dev to it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
node bin/driftless.js localstack start
node bin/driftless.js validate environments
node bin/driftless.js up --env dev "$@"
