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
echo "$OUT"
