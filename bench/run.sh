#!/usr/bin/env bash
# Runs the benchmark from anywhere: the project's venv and engine (scripts/bootstrap.sh), the
# bench-only plotting dependency, then `python -m bench.bench_pipelines` with the given options.
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$repo_root/scripts/bootstrap.sh"
if ! python -c "import matplotlib" 2>/dev/null; then
  python -m pip install --quiet -r "$repo_root/bench/requirements.txt"
fi
cd "$repo_root"
if [ "${1:-}" = "--cli" ]; then
  shift
  exec python -m bench.cli "$@"   # the CLI commands users run (bench/cli.py)
fi
exec python -m bench.bench_pipelines "$@"
