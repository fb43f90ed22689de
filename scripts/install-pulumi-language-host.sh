#!/usr/bin/env bash
# Puts a Pulumi language host for TypeScript or Go on this machine and prints the folder to put on
# PATH:
#
#   scripts/install-pulumi-language-host.sh nodejs   pulumi-language-nodejs (TypeScript, JavaScript)
#   scripts/install-pulumi-language-host.sh go       pulumi-language-go, and gen-go-sdk
#
# Needed only for programs in those languages (stacks/typescript/, stacks/go/). A host on PATH is
# used as is: the official Pulumi CLI ships both beside `pulumi` (and generates Go SDKs with
# `pulumi package gen-sdk`). Otherwise they are built from the Go module proxy and cached per build
# under ~/.cache, as scripts/install-pulumi.sh does for the engine.
set -euo pipefail

log() { echo "install-pulumi-language-host: $*" >&2; }
# shellcheck source=lib/go-wrapper.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/go-wrapper.sh"
# shellcheck source=lib/beside-engine.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/beside-engine.sh"
script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# The hosts' modules are never tagged. The proxy serves the Node.js host at the commit of the
# v3.137.0 release, the same pseudo-version as the Python host in install-pulumi.sh; the hosts'
# own go.mod replace sdk/v3 and pkg/v3 with local paths, so the wrapper pins them to that release.
RELEASE="3.137.0"
NODEJS_MODULE="github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3"
NODEJS_VERSION="v3.0.0-20241017230213-fd07f42c6116"
# The proxy refuses every version of the Go host's own module (github.com/pulumi/pulumi/sdk/go/
# pulumi-language-go/v3 answers 403 for its source). Until v3.66.0 the Go host was a package of
# sdk/v3 itself; that host runs and installs Go programs for this CLI, but cannot generate SDKs,
# so gen-go-sdk (lib/gen-go-sdk) runs the Go code generator of v3.137.0 instead.
GO_HOST_RELEASE="3.66.0"

language="${1:-}"
case "$language" in
  nodejs) binaries=(pulumi-language-nodejs); build_id="v$RELEASE-relpath-fix" ;;
  go) binaries=(pulumi-language-go gen-go-sdk)
      build_id="v$GO_HOST_RELEASE-gen-v$RELEASE-$(sha256sum "$script_dir/lib/gen-go-sdk/main.go" | cut -c1-12)" ;;
  *) log "usage: $0 nodejs|go"; exit 2 ;;
esac
cache_root="${XDG_CACHE_HOME:-$HOME/.cache}/polytomic-components"
bin_dir="$cache_root/pulumi-$language/$build_id/bin"

publish() { publish_beside_engine "$bin_dir" "${binaries[@]}"; }

# A host on PATH that these scripts did not build (the official CLI's) is used as is.
if [ "$language" = nodejs ] && command -v pulumi-language-nodejs >/dev/null 2>&1 \
    && ! built_here "$(command -v pulumi-language-nodejs)"; then
  log "using $(command -v pulumi-language-nodejs) from PATH"
  dirname "$(command -v pulumi-language-nodejs)"
  exit 0
fi
cached() {
  if [ -x "$bin_dir/${binaries[-1]}" ]; then
    log "using cached $language language host in $bin_dir"
    publish
    exit 0
  fi
}
cached
# One build at a time (test sessions of several checkouts share the cache); a waiter then finds it.
mkdir -p "$(dirname "$(dirname "$bin_dir")")"
exec 9>"$(dirname "$(dirname "$bin_dir")")/.build.lock"
flock 9
cached
start_build "$language language host" 1.26
log "building the $language language host from the Go module proxy (first time only; takes minutes)"

# with_fixed_code_generators DIR: makes the wrapper module in DIR build against a copy of pkg/v3
# whose code generators work when compiled by Go >= 1.26. Go 1.26's filepath.Rel cleans its
# result ("../." became ".."), and the v3.137.0 TypeScript generator strips one level too many
# from it: nested modules of a generated SDK import "./utilities" instead of "../utilities".
# Upstream fixed it after v3.137.0 (pulumi/pulumi#21835); this is the same one-line fix.
with_fixed_code_generators() {
  local dir="$1" pkg_dir
  new_wrapper_module "$dir"
  pkg_dir="$(cd "$dir" && go mod download -json "github.com/pulumi/pulumi/pkg/v3@v$RELEASE" \
    | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  cp -r "$pkg_dir" "$work/pkg" && chmod -R u+w "$work/pkg"
  local gen="$work/pkg/codegen/nodejs/gen.go"
  local broken='	return path.Dir(filepath.ToSlash(rel))'
  [ "$(grep -cxF "$broken" "$gen")" = 1 ] || { log "getRelativePath not found in $gen"; exit 1; }
  sed -i 's|^\treturn path.Dir(filepath.ToSlash(rel))$|\treturn path.Clean(filepath.ToSlash(rel))|' "$gen"
  (cd "$dir" && go mod edit -replace "github.com/pulumi/pulumi/pkg/v3=$work/pkg")
}

case "$language" in
  nodejs)
    with_fixed_code_generators "$work/nodejs"
    # The checksum database has no record of this pseudo-version; the proxy is the only source.
    GONOSUMDB="$NODEJS_MODULE" build_in_wrapper "$work/nodejs" "$staging/pulumi-language-nodejs" \
      "$RELEASE" "$NODEJS_MODULE" "$NODEJS_MODULE@$NODEJS_VERSION" \
      "github.com/pulumi/pulumi/sdk/v3@v$RELEASE" "github.com/pulumi/pulumi/pkg/v3@v$RELEASE"
    ;;
  go)
    build_in_wrapper "$work/go-host" "$staging/pulumi-language-go" "$GO_HOST_RELEASE" \
      github.com/pulumi/pulumi/sdk/v3/go/pulumi-language-go \
      "github.com/pulumi/pulumi/sdk/v3/go/pulumi-language-go@v$GO_HOST_RELEASE"
    new_wrapper_module "$work/gen-go-sdk"
    cp "$script_dir/lib/gen-go-sdk/main.go" "$work/gen-go-sdk/"
    build_in_wrapper "$work/gen-go-sdk" "$staging/gen-go-sdk" "$RELEASE" . \
      "github.com/pulumi/pulumi/pkg/v3/codegen/go@v$RELEASE" \
      "github.com/pulumi/pulumi/pkg/v3/codegen/schema@v$RELEASE" \
      "github.com/pulumi/pulumi/sdk/v3@v$RELEASE"
    ;;
esac

# Earlier builds of this language (another pin or patch) are not used again.
rm -rf "$(dirname "$(dirname "$bin_dir")")"/v*
finish_build "$bin_dir" "${binaries[*]}"
publish
