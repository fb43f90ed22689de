# Sourced by the scripts that build Pulumi binaries from the Go module proxy (install-pulumi.sh,
# install-pulumi-language-host.sh); not run on its own. Needs `log` from the sourcing script.
#
# Every binary is built in a throwaway "wrapper" module: `go install pkg@version` refuses modules
# with replace directives (all of Pulumi's have them), and a wrapper ignores its dependencies'
# replace directives, so it can pin their versions itself.

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
