#!/usr/bin/env bash
# Puts the real Pulumi engine (CLI + Python language host) on this machine and prints its bin dir.
#
# A `pulumi` on PATH of at least the pinned version is used as is. Otherwise both binaries are
# built from the Go module proxy (the only way in on machines without internet) and cached per
# version under ~/.cache, so only the first run pays the ~15 minutes of compiling.
set -euo pipefail

PULUMI_VERSION="3.274.1"
# The language host module is never tagged: pin the pseudo-version of the release's commit.
LANGUAGE_HOST_VERSION="${POLYTOMIC_LANGUAGE_HOST_VERSION:-}"

cache_root="${XDG_CACHE_HOME:-$HOME/.cache}/polytomic-components/pulumi"
bin_dir="$cache_root/v$PULUMI_VERSION/bin"

log() { echo "install-pulumi: $*" >&2; }

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

if [ -x "$bin_dir/pulumi" ] && { [ -z "$LANGUAGE_HOST_VERSION" ] || [ -x "$bin_dir/pulumi-language-python" ]; }; then
  log "using cached engine in $bin_dir"
  echo "$bin_dir"
  exit 0
fi

command -v go >/dev/null 2>&1 || {
  log "no pulumi >= v$PULUMI_VERSION on PATH and no Go toolchain to build one."
  log "Install the Pulumi CLI (https://www.pulumi.com/docs/install/) or Go >= 1.26, then re-run."
  exit 1
}

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
staging="$work/bin"
mkdir -p "$staging"
log "building pulumi v$PULUMI_VERSION from the Go module proxy (first time only; takes minutes)"
(
  cd "$work"
  go mod init polytomic-components-pulumi-build >/dev/null 2>&1
  go get "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi@v$PULUMI_VERSION" \
         "github.com/pulumi/pulumi/sdk/v3@v$PULUMI_VERSION"
  [ -z "$LANGUAGE_HOST_VERSION" ] || \
    go get "github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3@$LANGUAGE_HOST_VERSION"
  ldflags="-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION"
  log "compiling pulumi"
  CGO_ENABLED=0 go build -trimpath -ldflags "$ldflags" -o "$staging/pulumi" \
    github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
  if [ -n "$LANGUAGE_HOST_VERSION" ]; then
    log "compiling pulumi-language-python"
    CGO_ENABLED=0 go build -trimpath -ldflags "$ldflags" -o "$staging/pulumi-language-python" \
      github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3
  fi
  sdk_dir="$(go list -m -f '{{.Dir}}' github.com/pulumi/pulumi/sdk/v3)"
  install -m 0755 "$sdk_dir/python/cmd/pulumi-language-python-exec" "$staging/"
  install -m 0755 "$sdk_dir/python/dist/pulumi-resource-pulumi-python" "$staging/"
  install -m 0755 "$sdk_dir/python/dist/pulumi-analyzer-policy-python" "$staging/" 2>/dev/null || true
)
"$staging/pulumi" version >/dev/null
mkdir -p "$(dirname "$bin_dir")"
rm -rf "$bin_dir" && mv "$staging" "$bin_dir"
log "installed $("$bin_dir/pulumi" version) into $bin_dir ($(du -sh "$bin_dir" | cut -f1))"
echo "$bin_dir"
