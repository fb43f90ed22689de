# Sourced by the language-host installers (install-pulumi-language-host.sh, install-pulumi-yaml.sh);
# not run on its own. Needs `log` from the sourcing script.
#
# The engine looks for a language host beside its own binary, and warns on every run about one it
# finds only elsewhere on PATH ("using pulumi-language-yaml from $PATH"): an unchanged preview is
# then not quiet. A host that loads plugins itself (the YAML host loads the `polytomic` provider,
# a Python plugin) looks for their hosts beside its own binary, resolved past symlinks, and warns
# the same way. So the hosts built here are hard-linked beside the engine, when that engine is the
# one scripts/install-pulumi.sh built and cached (both in this project's cache, one file system);
# a system-wide CLI is never written to.

beside_engine_cache="${XDG_CACHE_HOME:-$HOME/.cache}/polytomic-components"

# built_here PATH: whether PATH lies in this project's cache (built by its scripts).
built_here() {
  case "$1" in "$beside_engine_cache"/*) return 0 ;; *) return 1 ;; esac
}

# publish_beside_engine BIN_DIR BINARY...: hard-links each BINARY of BIN_DIR beside the cached
# engine and prints the engine's folder; with another engine, prints BIN_DIR, the folder to put on
# PATH.
publish_beside_engine() {
  local bin_dir="$1" engine_dir binary
  shift
  engine_dir="$(bash "$(dirname "${BASH_SOURCE[0]}")/../install-pulumi.sh" | tail -n1)"
  if built_here "$engine_dir"; then
    for binary in "$@"; do
      [ ! -L "$engine_dir/$binary" ] && [ "$engine_dir/$binary" -ef "$bin_dir/$binary" ] && continue
      # Renamed into place: a run that uses the host meanwhile never finds it missing.
      ln -f "$bin_dir/$binary" "$engine_dir/.$binary.$$"
      mv -f "$engine_dir/.$binary.$$" "$engine_dir/$binary"
      log "linked $binary beside the engine in $engine_dir"
    done
    echo "$engine_dir"
  else
    echo "$bin_dir"
  fi
}
