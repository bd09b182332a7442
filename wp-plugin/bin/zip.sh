#!/usr/bin/env bash
# wp-plugin/bin/zip.sh - builds the blocks and packs the installable plugin: dist/mybnb-payments.zip
# (one top folder `mybnb-payments/`, only what a site needs: no tests, no sources of the blocks).
#   SKIP_BUILD=1 to pack an existing wp-plugin/build without rebuilding.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REPO=$(cd "$HERE/.." && pwd)
OUT_DIR=${OUT_DIR:-$REPO/dist}
OUT="$OUT_DIR/mybnb-payments.zip"

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  [ -d "$REPO/blocks/node_modules" ] || PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 PUPPETEER_SKIP_DOWNLOAD=1 npm --prefix "$REPO/blocks" ci --no-audit --no-fund
  npm --prefix "$REPO/blocks" run build
fi
for slug in booking-summary cancellation-preview receipt payout-statement my-bookings; do
  [ -f "$HERE/build/$slug/block.json" ] || { echo "zip: build/$slug/block.json missing (build the blocks first)" >&2; exit 1; }
done

# Translations: the .pot must be fresh and every .po complete; the .mo and the scripts' JSON are
# compiled against this very build (the JSON holds the strings each built script uses).
node "$HERE/bin/i18n.mjs" check
node "$HERE/bin/i18n.mjs" compile

STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
mkdir -p "$STAGE/mybnb-payments"
cp -R "$HERE/mybnb-payments.php" "$HERE/uninstall.php" "$HERE/readme.txt" "$HERE/src" "$HERE/assets" "$HERE/build" "$STAGE/mybnb-payments/"
[ -d "$HERE/languages" ] && cp -R "$HERE/languages" "$STAGE/mybnb-payments/"
mkdir -p "$OUT_DIR"; rm -f "$OUT"
if command -v zip >/dev/null 2>&1; then
  (cd "$STAGE" && zip -qr -X "$OUT" mybnb-payments)
else
  # No zip binary: Python's zipfile writes the same archive.
  (cd "$STAGE" && python3 -c 'import sys, zipfile, os
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    for root, dirs, files in os.walk("mybnb-payments"):
        dirs.sort()
        for f in sorted(files): z.write(os.path.join(root, f))' "$OUT")
fi
# What an admin uploads, and nothing else: refuse a zip with development files or without the parts.
python3 - "$OUT" <<'PY'
import re, sys, zipfile
names = zipfile.ZipFile(sys.argv[1]).namelist()
bad = [n for n in names if re.search(r'(^|/)(tests|bin|node_modules|src/.*\.tsx?$)|\.(ts|tsx|map)$|phpunit|\.DS_Store|/\.', n)]
need = ['mybnb-payments/mybnb-payments.php', 'mybnb-payments/readme.txt', 'mybnb-payments/uninstall.php',
        'mybnb-payments/languages/mybnb-payments.pot', 'mybnb-payments/languages/mybnb-payments-fr_FR.mo']
need += [f'mybnb-payments/build/{b}/block.json' for b in ('booking-summary', 'cancellation-preview', 'receipt', 'payout-statement', 'my-bookings')]
missing = [n for n in need if n not in names]
readme = zipfile.ZipFile(sys.argv[1]).read('mybnb-payments/readme.txt').decode()
for header in ('Requires at least:', 'Tested up to:', 'Stable tag:', 'Requires PHP:'):
    if header not in readme: missing.append('readme.txt ' + header)
if not any(n.endswith('.json') and '/languages/' in n for n in names): missing.append('languages/*.json')
if bad or missing:
    sys.exit(f'zip: development files {bad} / missing {missing}')
PY
echo "$OUT"
