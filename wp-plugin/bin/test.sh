#!/usr/bin/env bash
# wp-plugin/bin/test.sh - `php -l` over the plugin, then its PHPUnit suite (Debian's phpunit)
# inside a real WordPress brought up by e2e/wp-env.sh (idempotent; its web server is left as found).
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
was_running=0
bash "$REPO/e2e/wp-env.sh" status | grep -q '^php -S: pid' && was_running=1
bash "$REPO/e2e/wp-env.sh" up >/dev/null
WP_SITE_DIR=$(bash "$REPO/e2e/wp-env.sh" site-dir) phpunit -c "$HERE/phpunit.xml.dist" "$@" && rc=0 || rc=$?
# Leave the web server as found (the suite itself loads WordPress in-process).
[ "$was_running" = 1 ] || bash "$REPO/e2e/wp-env.sh" stop >/dev/null 2>&1 || true
exit $rc
