#!/usr/bin/env bash
# Puts the Pulumi YAML language host (`pulumi-language-yaml`) on this machine and prints its bin dir.
#
# Needed only to run Pulumi YAML programs (stacks/yaml/). A `pulumi-language-yaml` on PATH is used
# as is: the official Pulumi CLI ships one beside `pulumi`. Otherwise it is built from the Go
# module proxy, cached per version under ~/.cache, as scripts/install-pulumi.sh does for the CLI,
# and linked beside the engine that script built (lib/beside-engine.sh says why).
set -euo pipefail

YAML_VERSION="1.32.0"
YAML_MODULE="github.com/pulumi/pulumi-yaml"

cache_root="${XDG_CACHE_HOME:-$HOME/.cache}/polytomic-components/pulumi-yaml"
bin_dir="$cache_root/v$YAML_VERSION/bin"

log() { echo "install-pulumi-yaml: $*" >&2; }
# shellcheck source=lib/go-wrapper.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/go-wrapper.sh"
# shellcheck source=lib/beside-engine.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/beside-engine.sh"

# A host on PATH that these scripts did not build (the official CLI's) is used as is.
if command -v pulumi-language-yaml >/dev/null 2>&1 && ! built_here "$(command -v pulumi-language-yaml)"; then
  log "using $(command -v pulumi-language-yaml) from PATH"
  dirname "$(command -v pulumi-language-yaml)"
  exit 0
fi

if [ -x "$bin_dir/pulumi-language-yaml" ]; then
  log "using cached YAML language host in $bin_dir"
  publish_beside_engine "$bin_dir" pulumi-language-yaml
  exit 0
fi

start_build pulumi-language-yaml 1.25
# Unlike the CLI's modules, pulumi-yaml's go.mod has no replace directives, so `go install
# module@version` builds it directly. The version is stamped as its release build does.
log "building pulumi-language-yaml v$YAML_VERSION from the Go module proxy (first time only; takes minutes)"
GOBIN="$staging" CGO_ENABLED=0 go install -trimpath \
  -ldflags "-X $YAML_MODULE/pkg/version.Version=v$YAML_VERSION" \
  "$YAML_MODULE/cmd/pulumi-language-yaml@v$YAML_VERSION"

finish_build "$bin_dir" "pulumi-language-yaml v$YAML_VERSION"
publish_beside_engine "$bin_dir" pulumi-language-yaml
