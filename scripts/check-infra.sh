#!/usr/bin/env bash
# Lints the AWS template (infra/template.yaml) with cfn-lint; any error or warning fails.
# cfn-lint lives in the project's Python venv (the one scripts/setup.sh creates for moto);
# warm runs only check the installed version.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${CHARTDESK_CACHE:-$HOME/.cache/chartdesk}"
venv="$cache/venv"

# Pinned to one minor release: cfn-lint ships new rules and resource specs every week, and a
# new rule must not turn a green check red without a change here. Bump both lines together.
cfn_lint_spec='cfn-lint>=1.58.0,<1.59'
cfn_lint_minor='1.58.'

if [ ! -x "$venv/bin/python" ]; then
  echo "check-infra: creating the venv in $venv"
  mkdir -p "$cache"
  python3 -m venv "$venv"
fi
if ! "$venv/bin/python" - "$cfn_lint_minor" <<'EOF' 2>/dev/null; then
import importlib.metadata, sys
sys.exit(0 if importlib.metadata.version("cfn-lint").startswith(sys.argv[1]) else 1)
EOF
  echo "check-infra: installing $cfn_lint_spec"
  "$venv/bin/pip" install -q --disable-pip-version-check "$cfn_lint_spec"
fi

cd "$root"
echo "check-infra: $("$venv/bin/cfn-lint" --version) on infra/template.yaml"
# London is where NHS data normally lives; us-east-1 catches anything region-specific.
# Exit status is non-zero for any error or warning (informational findings are not shown).
"$venv/bin/cfn-lint" --regions eu-west-2 us-east-1 --non-zero-exit-code warning -- infra/template.yaml
echo "check-infra: no findings"
