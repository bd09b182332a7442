#!/usr/bin/env bash
# e2e/run.sh - the WordPress end-to-end suite (npm run test:e2e). On a fresh machine of this kind it:
#   1. installs the Debian packages it needs and brings up a real WordPress >= 6.6 (e2e/wp-env.sh),
#      with the blocks built and the plugin activated, configured by wp-config.php constants;
#   2. migrates a fresh MariaDB database and starts the real sidecar with the Stripe fake, configured
#      by environment as in production (e2e/sidecar-stack.ts);
#   3. feeds the sidecar's demo story through its signed endpoints (same process, so it can settle);
#   4. creates the WordPress users and pages, then drives Debian's Chromium with playwright-core
#      (e2e/specs/wordpress.spec.ts), saving screenshots under e2e/artifacts/.
# Idempotent; stops every server it started on exit (MariaDB, a machine service, is left running).
#   E2E_SIDECAR=real (default) | stub   stub: e2e/stub-sidecar.ts + e2e/story.ts instead of the sidecar (WordPress-side work only)
#   E2E_KEEP=1                          leave WordPress, the sidecar and the fake running after the run
#   E2E_REUSE_SITE=1                    keep the existing site (default: a fresh WordPress every run)
#   E2E_PICTURES=1                      also write each block's picture into docs/images (npm run e2e:pictures)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
WORK=${E2E_WORK:-$HERE/.work}
ART="$HERE/artifacts"
SIDECAR_MODE=${E2E_SIDECAR:-real}
SIDECAR_PORT=${SIDECAR_PORT:-18787}
STRIPE_FAKE_PORT=${STRIPE_FAKE_PORT:-18111}
export WP_PORT=${WP_PORT:-8889}
SIDECAR_DB=${SIDECAR_DB:-mybnb_e2e_sidecar}
SIDECAR_URL="http://127.0.0.1:$SIDECAR_PORT"
STRIPE_API_URL="http://127.0.0.1:$STRIPE_FAKE_PORT"
WP_URL="http://127.0.0.1:$WP_PORT"
ENGINE_KEY_ID=be1; ENGINE_SECRET=e2e-booking-engine-secret-0123456789
READER_KEY_ID=wp1; READER_SECRET=e2e-wordpress-reader-secret-0123456789
USER_PASS=e2e-Password-1

log() { printf '[e2e] %s\n' "$*" >&2; }
die() { printf 'e2e: ERROR: %s\n' "$*" >&2; exit 1; }
mkdir -p "$WORK" "$ART"
cd "$REPO"

# ------------------------------------------------------------------ background processes (own process groups)
start_bg() { # NAME, then the command
  local name=$1; shift
  stop_bg "$name"
  setsid nohup "$@" > "$WORK/$name.log" 2>&1 < /dev/null &
  echo $! > "$WORK/$name.pid"
}
stop_bg() {
  local f="$WORK/$1.pid" p
  [ -f "$f" ] || return 0
  p=$(cat "$f")
  if kill -0 "$p" 2>/dev/null; then
    kill -TERM -- "-$p" 2>/dev/null || kill "$p" 2>/dev/null || true
    local i; for i in $(seq 1 25); do kill -0 "$p" 2>/dev/null || break; sleep 0.2; done
    kill -KILL -- "-$p" 2>/dev/null || true
  fi
  rm -f "$f"
}
wait_http() { # URL NAME SECONDS
  local i; for i in $(seq 1 $(( $3 * 5 ))); do
    [ "$(curl -s -o /dev/null -m 5 -w '%{http_code}' "$1" || true)" = 200 ] && return 0
    sleep 0.2
  done
  log "$2 did not answer 200 at $1; its log:"; tail -n 40 "$WORK/$2.log" >&2 || true
  return 1
}
wait_log() { # NAME TEXT SECONDS
  local i; for i in $(seq 1 $(( $3 * 5 ))); do
    grep -q "$2" "$WORK/$1.log" 2>/dev/null && return 0
    sleep 0.2
  done
  log "$1 did not print '$2'; its log:"; tail -n 40 "$WORK/$1.log" >&2 || true
  return 1
}
cleanup() {
  local rc=$?
  if [ "${E2E_KEEP:-0}" != 1 ]; then
    stop_bg sidecar; stop_bg stripe-fake
    bash "$HERE/wp-env.sh" stop >/dev/null 2>&1 || true
  fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ------------------------------------------------------------------ 1. WordPress with the plugin built
[ -d "$REPO/node_modules/playwright-core" ] || die "root dependencies missing: run npm ci first"
if [ ! -d "$REPO/blocks/node_modules/@wordpress/scripts" ]; then
  log "installing the blocks' build tools (npm --prefix blocks ci)"
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 PUPPETEER_SKIP_DOWNLOAD=1 npm --prefix "$REPO/blocks" ci --no-audit --no-fund >/dev/null
fi
log "type-checking and building blocks"
npm --prefix "$REPO/blocks" run --silent typecheck > "$WORK/blocks-typecheck.log" 2>&1 || { cat "$WORK/blocks-typecheck.log" >&2; die "blocks do not type-check"; }
npm --prefix "$REPO/blocks" run --silent build > "$WORK/blocks-build.log" 2>&1 || { tail -n 40 "$WORK/blocks-build.log" >&2; die "blocks build failed"; }
# The plugin goes in from the zip a site admin would upload (npm run plugin-zip), not from the tree.
SKIP_BUILD=1 OUT_DIR="$WORK/dist" bash "$REPO/wp-plugin/bin/zip.sh" > "$WORK/zip.log" 2>&1 || { cat "$WORK/zip.log" >&2; die "plugin zip failed"; }
export WP_PLUGIN_ZIP="$WORK/dist/mybnb-payments.zip"
# A fresh WordPress: the zip goes into a site that never had the plugin's source linked in.
[ "${E2E_REUSE_SITE:-0}" = 1 ] || bash "$HERE/wp-env.sh" reset > "$WORK/wp-reset.log" 2>&1
export MYBNB_SIDECAR_URL="$SIDECAR_URL" MYBNB_KEY_ID="$READER_KEY_ID" MYBNB_SECRET="$READER_SECRET"
export MYBNB_CANCEL_URL_TEMPLATE="http://engine.invalid/bookings/{booking_id}/cancel?consent={outcome_hash}"
bash "$HERE/wp-env.sh" up > "$WORK/wp-env.log" 2>&1 || { tail -n 40 "$WORK/wp-env.log" >&2; die "WordPress did not come up"; }
log "WordPress up at $WP_URL"

# ------------------------------------------------------------------ 2. Stripe fake + sidecar on MariaDB
mysql -uroot -e "DROP DATABASE IF EXISTS \`$SIDECAR_DB\`; CREATE DATABASE \`$SIDECAR_DB\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;"
SIDECAR_ENV=(PORT="$SIDECAR_PORT"
  DATABASE_URL="mysql://root@127.0.0.1:3306/$SIDECAR_DB"
  SIDECAR_KEYS="$ENGINE_KEY_ID:$ENGINE_SECRET:booking-engine,$READER_KEY_ID:$READER_SECRET:reader"
  STRIPE_SECRET_KEY=sk_test_e2e STRIPE_API_URL="$STRIPE_API_URL"
  STRIPE_WEBHOOK_SECRETS=whsec_e2e_0123456789 POLICY_DIR="$REPO/policies" LOG_LEVEL=warn)
rm -f "$WORK/story.json"
case "$SIDECAR_MODE" in
  real)
    # 2+3. Migrate as an administrator, then the real sidecar + the Stripe fake (one process,
    # e2e/sidecar-stack.ts), which feeds the sidecar's demo story through its signed endpoints.
    # The migration creates an INSERT/SELECT-only app user and has no default password: give it a
    # fresh one, on a user of its own (the test suites' mybnb_app keeps its password). This service
    # runs as root (a throwaway database), so the password is not needed again.
    env "${SIDECAR_ENV[@]}" MYSQL_APP_USER=mybnb_e2e_app MYSQL_APP_PASSWORD="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')" \
      node --import tsx sidecar/src/cli/main.ts migrate > "$WORK/migrate.log" 2>&1 \
      || { cat "$WORK/migrate.log" >&2; die "sidecar migrations failed"; }
    start_bg sidecar env "${SIDECAR_ENV[@]}" STRIPE_FAKE_PORT="$STRIPE_FAKE_PORT" ENGINE_KEY_ID=$ENGINE_KEY_ID \
      E2E_STORY_OUT="$WORK/story.json" node --import tsx e2e/sidecar-stack.ts
    wait_log sidecar 'e2e stack ready' 180 || die "sidecar stack did not get ready"
    ;;
  stub)
    log "using e2e/stub-sidecar.ts (NOT the real sidecar) and the contract story (e2e/story.ts)"
    start_bg stripe-fake env PORT="$STRIPE_FAKE_PORT" node --import tsx sidecar/src/stripe-fake/main.ts
    wait_log stripe-fake 'listening on' 30 || die "Stripe fake did not start"
    start_bg sidecar env "${SIDECAR_ENV[@]}" node --import tsx e2e/stub-sidecar.ts
    wait_http "$SIDECAR_URL/readyz" sidecar 60 || die "stub sidecar not ready"
    SIDECAR_URL="$SIDECAR_URL" ENGINE_KEY_ID=$ENGINE_KEY_ID ENGINE_SECRET=$ENGINE_SECRET STRIPE_API_URL="$STRIPE_API_URL" \
      node --import tsx "$HERE/feed-story.ts" > "$WORK/story.json" 2> "$WORK/story.log" \
      || { cat "$WORK/story.log" >&2; die "feeding the story failed"; }
    ;;
  *) die "E2E_SIDECAR must be real or stub" ;;
esac
wait_http "$SIDECAR_URL/readyz" sidecar 30 || die "sidecar not ready"
log "sidecar ready at $SIDECAR_URL ($SIDECAR_MODE); story: $(cat "$WORK/story.json")"
story() { node -e 'const s=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")); process.stdout.write(String(s[process.argv[2]]))' "$WORK/story.json" "$1"; }

# ------------------------------------------------------------------ 4. users, pages, browser
wpx() { bash "$HERE/wp-env.sh" wpx "$@"; }
wpx user e2e_guest "$USER_PASS" subscriber "mybnb_guest_id=$(story guestId)" >/dev/null
wpx user e2e_other_guest "$USER_PASS" subscriber "mybnb_guest_id=$(story otherGuestId)" >/dev/null
wpx user e2e_host "$USER_PASS" subscriber "mybnb_host_id=$(story hostId)" >/dev/null
wpx user e2e_unmapped "$USER_PASS" subscriber >/dev/null   # mapped by the admin in the browser
for spec in "cancel-preview|Cancellation preview|<!-- wp:mybnb/cancellation-preview /-->" \
            "booking|Your booking|<!-- wp:mybnb/booking-summary /-->" \
            "receipt|Receipt|<!-- wp:mybnb/receipt /-->" \
            "statement|Payout statement|<!-- wp:mybnb/payout-statement /-->" \
            "cancel-preview-host|Cancellation preview (host)|<!-- wp:mybnb/cancellation-preview {\"by\":\"host\"} /-->" \
            "my-bookings|My bookings|<!-- wp:mybnb/my-bookings {\"detailsUrl\":\"/booking/?booking_id={booking_id}\"} /-->"; do
  IFS='|' read -r slug title content <<< "$spec"
  printf '%s\n' "$content" > "$WORK/page-$slug.html"
  wpx page "$slug" "$title" "$WORK/page-$slug.html" >/dev/null
done

rm -f "$ART"/*.png "$ART"/*.pdf
export E2E_STORY="$WORK/story.json" E2E_ARTIFACTS="$ART" WP_BASE_URL="$WP_URL" E2E_USER_PASS="$USER_PASS" \
  WP_ADMIN_USER=admin WP_ADMIN_PASS=password SIDECAR_URL="$SIDECAR_URL" \
  READER_KEY_ID=$READER_KEY_ID READER_SECRET=$READER_SECRET WP_ENV_SH="$HERE/wp-env.sh" SIDECAR_PIDFILE="$WORK/sidecar.pid"
[ "${E2E_PICTURES:-0}" = 1 ] && export E2E_PICTURES_DIR="$REPO/docs/images"
# One file at a time, in this order (the second switches the site's language at its end).
node --import tsx --test --test-concurrency=1 "$HERE/specs/wordpress.spec.ts"
node --import tsx --test --test-concurrency=1 "$HERE/specs/plugin-admin-i18n-a11y.spec.ts"
# Last: it stops the sidecar.
if [ "$SIDECAR_MODE" = real ]; then
  node --import tsx --test "$HERE/specs/sidecar-outage.spec.ts"
fi
ls "$ART"/*.png >/dev/null 2>&1 || die "no screenshots in $ART"
log "screenshots: $(cd "$ART" && ls *.png | tr '\n' ' ')"
