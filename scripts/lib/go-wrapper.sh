# Sourced by the scripts that build Pulumi binaries from the Go module proxy (install-pulumi.sh,
# install-pulumi-language-host.sh, install-pulumi-yaml.sh); not run on its own. Needs `log` from
# the sourcing script.
#
# A build runs in a scratch folder and moves its binaries into the cache only when all are built,
# so an interrupted build leaves no half-filled cache folder. Pulumi's own binaries are built in a
# throwaway "wrapper" module: `go install pkg@version` refuses modules with replace directives
# (all of Pulumi's have them), and a wrapper ignores its dependencies' replace directives, so it
# can pin their versions itself.

# start_build WHAT GO_VERSION: without a Go toolchain, says what to install instead (the official
# CLI, which ships WHAT, or Go) and exits; else sets `work`, a scratch folder removed on exit, and
# `staging` in it, the folder the build puts its binaries in.
start_build() {
  command -v go >/dev/null 2>&1 || {
    log "no $1 on PATH and no Go toolchain to build one."
    log "Install the Pulumi CLI (https://www.pulumi.com/docs/install/) or Go >= $2, then re-run."
    exit 1
  }
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  staging="$work/bin"
  mkdir -p "$staging"
}

# finish_build BIN_DIR WHAT: the staged binaries become BIN_DIR (replacing an older one), and the
# log says so with WHAT and the size.
finish_build() {
  local bin_dir="$1"
  chmod 0755 "$staging"
  mkdir -p "$(dirname "$bin_dir")"
  rm -rf "$bin_dir" && mv "$staging" "$bin_dir"
  log "installed $2 into $bin_dir ($(du -sh "$bin_dir" | cut -f1))"
}

# new_wrapper_module DIR: an empty module in DIR (created if missing), ready for `go get`.
new_wrapper_module() {
  mkdir -p "$1"
  (cd "$1" && go mod init "polytomic-components-build/$(basename "$1")" >/dev/null 2>&1)
}

# build_in_wrapper DIR OUTPUT VERSION PACKAGE MODULE@VERSION...: requires the modules in the
# wrapper module in DIR (made if missing), then builds PACKAGE into OUTPUT with Pulumi's version
# variable stamped as its release builds do (the engine and Automation API read it).
build_in_wrapper() {
  local dir="$1" output="$2" version="$3" package="$4"
  shift 4
  [ -f "$dir/go.mod" ] || new_wrapper_module "$dir"
  (
    cd "$dir"
    go get "$@"
    log "compiling $(basename "$output") v$version"
    CGO_ENABLED=0 go build -trimpath \
      -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$version" \
      -o "$output" "$package"
  )
}
