# Source it (`source scripts/bootstrap.sh`): a virtualenv in .venv with the package and its test
# dependencies, and the Pulumi engine, put on PATH. Safe to source from an interactive shell: it
# leaves the shell's options alone, and a failure returns non-zero instead of exiting the shell.
# Safe to run again: each step is skipped when already done.
#
# Every step checks its own status (`|| exit 1`): bash ignores `set -e` inside a function or
# subshell whose status the caller tests, so `set -e` could not stop a failing step here.

_polytomic_bootstrap() {
  local repo_root pulumi_bin
  repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)" || return 1
  # The steps run in a subshell; only their result, the engine's bin dir, comes back.
  pulumi_bin="$(
    set -o pipefail
    venv="$repo_root/.venv"
    if [ ! -x "$venv/bin/python" ]; then
      echo "bootstrap: creating $venv" >&2
      python3 -m venv "$venv" >&2 || exit 1
    fi
    stamp="$venv/.installed-$(sha256sum "$repo_root/pyproject.toml" | cut -c1-16)" || exit 1
    if [ ! -f "$stamp" ]; then
      echo "bootstrap: installing polytomic_components and its test dependencies" >&2
      "$venv/bin/python" -m pip install --quiet --upgrade pip >&2 || exit 1
      "$venv/bin/python" -m pip install --quiet -e "$repo_root[test]" >&2 || exit 1
      touch "$stamp" || exit 1
    fi
    bash "$repo_root/scripts/install-pulumi.sh"
  )" || { echo "bootstrap: failed (see above)" >&2; return 1; }
  export PATH="$pulumi_bin:$repo_root/.venv/bin:$PATH"
  export PULUMI_SKIP_UPDATE_CHECK=true
  export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
}

_polytomic_bootstrap || { unset -f _polytomic_bootstrap; return 1; }
unset -f _polytomic_bootstrap
