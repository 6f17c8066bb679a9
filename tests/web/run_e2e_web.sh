#!/usr/bin/env bash
# ctest e2e.web_dashboard: runs e2e_web_dashboard.mjs, or exits 77 (skipped) when what it needs
# is missing: node, /usr/bin/chromium, playwright-core in tests/web/node_modules (all installed
# by scripts/install-browser-deps). Arguments go to the script (--ccmeterd, --hookctl, --out-dir).
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
command -v node >/dev/null || { echo "SKIP: no node (scripts/install-browser-deps)"; exit 77; }
[ -x /usr/bin/chromium ] || { echo "SKIP: no /usr/bin/chromium (scripts/install-browser-deps)"; exit 77; }
[ -f "$here/node_modules/playwright-core/package.json" ] ||
    { echo "SKIP: playwright-core not installed in tests/web (scripts/install-browser-deps)"; exit 77; }
exec node "$here/e2e_web_dashboard.mjs" "$@"
