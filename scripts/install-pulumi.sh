#!/usr/bin/env bash
# Puts the real Pulumi engine (CLI + Python language host) on this machine and prints its bin dir.
#
# A `pulumi` on PATH of at least the pinned version is used as is. Otherwise both binaries are
# built from the Go module proxy (the only way in on machines without internet) and cached per
# version under ~/.cache, so only the first run pays the minutes of compiling.
set -euo pipefail

PULUMI_VERSION="3.274.1"
# The Python language host module is never tagged, so it is pinned as a pseudo-version. The Go
# module proxy serves none for a 2025-2026 release; the newest it serves is the v3.137.0 release
# commit. The language host's gRPC protocol is stable, so the newer CLI drives it (tested).
LANGUAGE_HOST_RELEASE="3.137.0"
LANGUAGE_HOST_MODULE="github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3"
LANGUAGE_HOST_VERSION="v3.0.0-20241017230213-fd07f42c6116"

cache_root="${XDG_CACHE_HOME:-$HOME/.cache}/polytomic-components/pulumi"
bin_dir="$cache_root/v$PULUMI_VERSION-python-v$LANGUAGE_HOST_RELEASE/bin"

log() { echo "install-pulumi: $*" >&2; }
# shellcheck source=lib/go-wrapper.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/go-wrapper.sh"

version_at_least() {  # version_at_least HAVE WANT
  [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]
}

if command -v pulumi >/dev/null 2>&1 && command -v pulumi-language-python >/dev/null 2>&1; then
  have="$(pulumi version 2>/dev/null | sed 's/^v//')"
  if [ -n "$have" ] && version_at_least "$have" "$PULUMI_VERSION"; then
    log "using pulumi v$have from PATH"
    dirname "$(command -v pulumi)"
    exit 0
  fi
fi

if [ -x "$bin_dir/pulumi" ] && [ -x "$bin_dir/pulumi-language-python" ]; then
  log "using cached engine in $bin_dir"
  echo "$bin_dir"
  exit 0
fi

start_build "pulumi >= v$PULUMI_VERSION" 1.26
log "building pulumi v$PULUMI_VERSION from the Go module proxy (first time only; takes minutes)"
build_in_wrapper "$work/cli" "$staging/pulumi" "$PULUMI_VERSION" \
  github.com/pulumi/pulumi/pkg/v3/cmd/pulumi \
  "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi@v$PULUMI_VERSION" \
  "github.com/pulumi/pulumi/sdk/v3@v$PULUMI_VERSION"
# The checksum database has no record of this pseudo-version; the proxy is the only source.
GONOSUMDB="$LANGUAGE_HOST_MODULE" build_in_wrapper "$work/language-host" \
  "$staging/pulumi-language-python" "$LANGUAGE_HOST_RELEASE" "$LANGUAGE_HOST_MODULE" \
  "$LANGUAGE_HOST_MODULE@$LANGUAGE_HOST_VERSION" \
  "github.com/pulumi/pulumi/sdk/v3@v$LANGUAGE_HOST_RELEASE" \
  "github.com/pulumi/pulumi/pkg/v3@v$LANGUAGE_HOST_RELEASE"

sdk_dir="$(cd "$work/cli" && go list -m -f '{{.Dir}}' github.com/pulumi/pulumi/sdk/v3)"
install -m 0755 "$sdk_dir/python/cmd/pulumi-language-python-exec" "$staging/"
install -m 0755 "$sdk_dir/python/dist/pulumi-resource-pulumi-python" "$staging/"

built="$("$staging/pulumi" version)"  # it runs, and says its version (the Automation API needs it)
finish_build "$bin_dir" "pulumi $built"
echo "$bin_dir"
