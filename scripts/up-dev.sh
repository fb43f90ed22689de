#!/usr/bin/env bash
# The main job: `pulumi up` of the dev stack, with a local file backend.
#
# Against the local Polytomic emulator unless POLYTOMIC_DEPLOYMENT_URL and POLYTOMIC_API_KEY point
# at a real Polytomic account. State (Pulumi's and the emulator's) lives under .polytomic/, so a
# second run finds everything in place and changes nothing.
set -euo pipefail
source "$(dirname "$0")/bootstrap.sh"
cd "$repo_root"

state_dir="$repo_root/.polytomic"
mkdir -p "$state_dir/pulumi-state"
export PULUMI_BACKEND_URL="file://$state_dir/pulumi-state"
# The reference stacks' secrets are encrypted with this demo passphrase; real stacks use their own.
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE-polytomic-reference-stacks}"

if [ -z "${POLYTOMIC_DEPLOYMENT_URL:-}" ] || [ -z "${POLYTOMIC_API_KEY:-}" ]; then
  export POLYTOMIC_API_KEY="emulator-api-key"
  coproc EMULATOR { exec python -m polytomic_components.emulator --host 127.0.0.1 --port 0 \
                      --db "$state_dir/emulator.db" --api-key "$POLYTOMIC_API_KEY"; }
  trap 'kill "$EMULATOR_PID" 2>/dev/null || true' EXIT
  read -r banner <&"${EMULATOR[0]}"
  export POLYTOMIC_DEPLOYMENT_URL="${banner##* }"
  echo "up-dev: using the local Polytomic emulator at $POLYTOMIC_DEPLOYMENT_URL" >&2
else
  echo "up-dev: using Polytomic at $POLYTOMIC_DEPLOYMENT_URL" >&2
fi

pulumi stack select --create dev --non-interactive >/dev/null
pulumi up --stack dev --yes --non-interactive --skip-preview "$@"
echo "Audiences:"
pulumi stack output audiences --stack dev --json
