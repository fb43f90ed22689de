#!/usr/bin/env bash
# Installs what the tests need (virtualenv, package with its test and policy extras, Pulumi engine)
# and runs them. Extra arguments go to pytest, e.g. `scripts/test.sh tests/unit -x`.
set -euo pipefail
repo_root="$(cd "$(dirname "$0")/.." && pwd)"
source "$repo_root/scripts/bootstrap.sh"
cd "$repo_root"
exec python -m pytest "$@"
