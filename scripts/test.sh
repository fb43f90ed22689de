#!/usr/bin/env bash
# Installs what the tests need (virtualenv, package with its test and policy extras, Pulumi engine,
# a PostgreSQL server) and runs them. Extra arguments go to pytest, e.g. `scripts/test.sh tests/unit -x`.
set -euo pipefail
repo_root="$(cd "$(dirname "$0")/.." && pwd)"
source "$repo_root/scripts/bootstrap.sh"
# The shared-backend tests run a PostgreSQL server of their own.
bash "$repo_root/scripts/install-postgres.sh"
cd "$repo_root"
# The live suite (tests/live) runs against the deployment in POLYTOMIC_TEST_DEPLOYMENT_URL; without
# one, against an emulator that plays a deployment (`--no-admin`), so the path a real account
# takes is proven on every run.
if [ -z "${POLYTOMIC_TEST_DEPLOYMENT_URL:-}" ]; then
  export POLYTOMIC_TEST_LIVE_EMULATOR="${POLYTOMIC_TEST_LIVE_EMULATOR:-1}"
fi
# Engine tests spend about half their time waiting on the pulumi CLI, so two workers (one per core
# here) halve the suite: 16 minutes instead of 30. A test file stays on one worker (its module
# fixtures are built once); `-n 0` runs everything in this process, e.g. for `--pdb`.
exec python -m pytest -n "${POLYTOMIC_TEST_WORKERS:-2}" --dist loadfile "$@"
