#!/usr/bin/env bash
# wp-plugin/bin/test.sh - `php -l` over the plugin, then its PHPUnit suite (Debian's phpunit)
# inside a real WordPress brought up by e2e/wp-env.sh (idempotent; left running for reuse, stop it
# with `bash e2e/wp-env.sh stop`, or pass --stop).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REPO=$(cd "$HERE/.." && pwd)

lint_failed=0
while IFS= read -r -d '' f; do
  out=$(php -l "$f" 2>&1) || { echo "$out"; lint_failed=1; }
done < <(find "$HERE" -name '*.php' -not -path '*/node_modules/*' -not -path '*/build/*' -print0)
[ "$lint_failed" = 0 ] || { echo "php -l failed" >&2; exit 1; }
echo "php -l: clean"

# The site is only needed for the suite; e2e/wp-env.sh installs php/phpunit too when missing.
bash "$REPO/e2e/wp-env.sh" up >/dev/null
WP_SITE_DIR=$(bash "$REPO/e2e/wp-env.sh" site-dir) phpunit -c "$HERE/phpunit.xml.dist" "$@" && rc=0 || rc=$?
if [ "${STOP_AFTER:-0}" = 1 ]; then bash "$REPO/e2e/wp-env.sh" stop >/dev/null; fi
exit $rc
