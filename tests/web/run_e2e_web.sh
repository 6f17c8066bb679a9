#!/usr/bin/env bash
# ctest e2e.web_dashboard: runs e2e_web_dashboard.mjs, or exits 77 (skipped) when what it needs
# is missing: node, /usr/bin/chromium, playwright-core in tests/web/node_modules (all installed
# by scripts/install-browser-deps); under CI=true a missing piece fails (exit 1) instead.
# Arguments go to the script (--ccmeterd, --hookctl, --out-dir).
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
skip() {
    if [ "${CI:-}" = true ]; then echo "FAIL: $1 (CI=true: a test that cannot run fails)"; exit 1; fi
    echo "SKIP: $1"; exit 77
}
command -v node >/dev/null || skip "no node (scripts/install-browser-deps)"
[ -x /usr/bin/chromium ] || skip "no /usr/bin/chromium (scripts/install-browser-deps)"
[ -f "$here/node_modules/playwright-core/package.json" ] ||
    skip "playwright-core not installed in tests/web (scripts/install-browser-deps)"
exec node "$here/e2e_web_dashboard.mjs" "$@"
