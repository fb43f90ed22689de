#!/usr/bin/env bash
# Installs what the tests need (virtualenv, package, Pulumi engine) and runs them.
# Extra arguments go to pytest, e.g. `scripts/test.sh tests/unit -x`.
set -euo pipefail
source "$(dirname "$0")/bootstrap.sh"
cd "$repo_root"
exec python -m pytest "$@"
