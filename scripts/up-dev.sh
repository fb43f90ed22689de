#!/usr/bin/env bash
# The main job: `pulumi up` of the dev stack, with a local file backend (.polytomic/).
#
#   ./scripts/up-dev.sh                    against the local Polytomic emulator, no prompt
#   ./scripts/up-dev.sh --account          a preview against the Polytomic account named by
#                                          POLYTOMIC_DEPLOYMENT_URL and POLYTOMIC_API_KEY (or the dev
#                                          stack's polytomic:* config); writes nothing
#   ./scripts/up-dev.sh --account --apply  that preview, then the update of that account
#
# Other arguments go to pulumi. State (Pulumi's and the emulator's) lives under .polytomic/, so a
# second run finds everything in place and changes nothing. Each Polytomic organization that
# --account reaches gets a state of its own (.polytomic/accounts/<host>-<organization id>/): the
# emulator run's objects, or another deployment's, are never taken for that account's.
set -euo pipefail
repo_root="$(cd "$(dirname "$0")/.." && pwd)"
source "$repo_root/scripts/bootstrap.sh"
cd "$repo_root"

account=false
apply=false
pulumi_args=()
for arg in "$@"; do
  case "$arg" in
    --account) account=true ;;
    --apply) apply=true ;;
    *) pulumi_args+=("$arg") ;;
  esac
done
if [ "$apply" = true ] && [ "$account" = false ]; then
  echo "up-dev: --apply is for --account; the emulator run applies without it" >&2
  exit 2
fi

state_dir="$repo_root/.polytomic"
mkdir -p "$state_dir/pulumi-state"
export PULUMI_BACKEND_URL="file://$state_dir/pulumi-state"
# The reference stacks' secrets are encrypted with this demo passphrase; real stacks use their own.
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE-polytomic-reference-stacks}"
pulumi stack select --create dev --non-interactive >/dev/null

configured_service() {  # the dev stack's own polytomic:* settings, which win over the environment
  pulumi config --stack dev --json | python -c \
    'import json, sys; print(" ".join(k for k in json.load(sys.stdin) if k.startswith("polytomic:")))'
}

if [ "$account" = true ]; then
  url="$(pulumi config get polytomic:deploymentUrl --stack dev 2>/dev/null || echo "${POLYTOMIC_DEPLOYMENT_URL:-}")"
  if [ -z "$url" ]; then
    echo "up-dev: --account needs POLYTOMIC_DEPLOYMENT_URL and POLYTOMIC_API_KEY (or the dev stack's" \
         "polytomic:deploymentUrl and polytomic:apiKey)" >&2
    exit 2
  fi
  # The stack's config (which wins over the environment) is read here, where the stack exists; the
  # organization behind the key names the state folder of that account.
  organization="$(pulumi config --stack dev --show-secrets --json | python -c '
import json, re, sys
from urllib.parse import urlsplit
from polytomic_components.client import PolytomicClient
from polytomic_components.errors import PolytomicError
from polytomic_components.settings import Settings
config = {key: item.get("value") for key, item in json.load(sys.stdin).items()}
try:
    settings = Settings.from_config({k: v for k, v in config.items() if isinstance(v, str)})
    with PolytomicClient(settings) as client:
        me = client.me()
except PolytomicError as error:
    sys.exit(f"up-dev: cannot reach the account: {error}")
folder = urlsplit(settings.deployment_url).netloc + "-" + str(me["organization_id"])
print(re.sub(r"[^A-Za-z0-9.-]+", "_", folder))
')"
  export PULUMI_BACKEND_URL="file://$state_dir/accounts/$organization"
  mkdir -p "$state_dir/accounts/$organization"
  echo "up-dev: Pulumi state for this account: .polytomic/accounts/$organization" >&2
  pulumi stack select --create dev --non-interactive >/dev/null
  if [ "$apply" = false ]; then
    echo "up-dev: previewing the dev stack against Polytomic at $url; nothing is written" >&2
    pulumi preview --stack dev --non-interactive "${pulumi_args[@]}"
    echo "up-dev: to apply this to $url, run again with --account --apply" >&2
    exit 0
  fi
  echo "up-dev: updating the dev stack in Polytomic at $url (preview first)" >&2
  pulumi up --stack dev --yes --non-interactive "${pulumi_args[@]}"
else
  settings="$(configured_service)"
  if [ -n "$settings" ]; then
    echo "up-dev: the dev stack's config sets $settings, which would win over the emulator;" \
         "run with --account to use that service" >&2
    exit 2
  fi
  export POLYTOMIC_API_KEY="emulator-api-key"
  coproc EMULATOR { exec python -m polytomic_components.emulator --host 127.0.0.1 --port 0 \
                      --db "$state_dir/emulator.db" --api-key "$POLYTOMIC_API_KEY"; }
  trap 'kill "$EMULATOR_PID" 2>/dev/null || true' EXIT
  read -r banner <&"${EMULATOR[0]}"
  export POLYTOMIC_DEPLOYMENT_URL="${banner##* }"
  echo "up-dev: using the local Polytomic emulator at $POLYTOMIC_DEPLOYMENT_URL" >&2
  pulumi up --stack dev --yes --non-interactive --skip-preview "${pulumi_args[@]}"
fi
echo "Audiences:"
pulumi stack output audiences --stack dev --json
