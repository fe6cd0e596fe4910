#!/usr/bin/env bash
# The main job on embedded defaults: set up (cached), then run the GitOps daemon with
# `--local`: it starts LocalStack, watches this repository's own Git history and applies
# the committed environments/ on their deploy branches to LocalStack (file backends under
# .driftless/), previews other branches, and serves http://127.0.0.1:8080 (/metrics,
# /api/environments, /api/runs, /api/reports/<branch>). Ctrl-C stops it gracefully.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
# environments/dev's app-config stack reads its SecureString from this variable (secrets
# never live in YAML). The local demo gets a placeholder unless you export a value.
export ORDERS_API_TOKEN="${ORDERS_API_TOKEN:-local-demo-token}"
exec bin/driftless daemon --local "$@"
