#!/usr/bin/env bash
# e2e/wp-env.sh - a real WordPress (>= 6.6) offline for the plugin's PHP tests and e2e suite:
# Debian packages, MariaDB, `php -S`, the plugin symlinked in and activated. Idempotent.
#
#   bash e2e/wp-env.sh up        install what is missing, start everything, print the site URL last
#   bash e2e/wp-env.sh stop      stop the PHP server this script started (MariaDB is left as found)
#   bash e2e/wp-env.sh reset     stop, drop the site's database, delete the site folder
#   bash e2e/wp-env.sh status
#   bash e2e/wp-env.sh wpx CMD…  the small wp-cli stand-in (e2e/wp/wpx.php), e.g. wpx version
#
# WordPress comes from Debian 13's `wordpress` .deb (6.8.x), fetched with `apt-get download` through a
# private apt list (nothing from trixie is installed). Its mirror is the one this machine's apt
# sources already use for bookworm: no host is named here.
#
# Knobs: E2E_WORK [e2e/.work], WP_PORT [8889], WP_DB [mybnb_e2e_wp], WP_ADMIN_USER/WP_ADMIN_PASS [admin/password],
#        MYBNB_SIDECAR_URL / MYBNB_KEY_ID / MYBNB_SECRET (written into wp-config.php as constants when set),
#        MYBNB_CANCEL_URL_TEMPLATE (stored as the plugin's option when set),
#        WP_PLUGIN_ZIP (install the plugin from this zip, as an admin's upload would, instead of linking wp-plugin/).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
WORK=${E2E_WORK:-$HERE/.work}
WP_HOST=127.0.0.1
WP_PORT=${WP_PORT:-8889}
WP_DB=${WP_DB:-mybnb_e2e_wp}
WP_DB_USER=${WP_DB_USER:-mybnb_wp}
WP_DB_PASS=${WP_DB_PASS:-mybnb_wp}
WP_ADMIN_USER=${WP_ADMIN_USER:-admin}
WP_ADMIN_PASS=${WP_ADMIN_PASS:-password}
PHP_WORKERS=${PHP_WORKERS:-4}
URL="http://$WP_HOST:$WP_PORT"
SITE="$WORK/site"
PLUGIN_DIR="$REPO/wp-plugin"
export DEBIAN_FRONTEND=noninteractive

log() { printf '[wp-env] %s\n' "$*" >&2; }
die() { printf 'wp-env: ERROR: %s\n' "$*" >&2; exit 1; }

# ------------------------------------------------------------------ Debian packages
PACKAGES=(php-cli php-mysql php-curl php-xml php-mbstring php-intl php-zip mariadb-server mariadb-client
          rsync curl ca-certificates chromium phpunit
          libjs-lodash libjs-underscore libjs-cropper php-getid3)   # targets of the trixie .deb's symlinks
missing_packages() {
  local p; for p in "$@"; do
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || echo "$p"
  done
}
install_packages() {
  local missing; missing=$(missing_packages "${PACKAGES[@]}" | tr '\n' ' ')
  [ -z "${missing// /}" ] && return 0
  [ "$(id -u)" = 0 ] || die "packages missing ($missing) and not root"
  log "apt-get install $missing"
  apt-get update -qq
  apt-get install -y -qq $missing >/dev/null
}

# The Debian mirror this machine already uses for bookworm (deb822 .sources or one-line .list).
debian_mirror() {
  local f uri
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    # deb822 stanzas: the first whose Suites list has the word "bookworm" gives its first URI.
    uri=$(awk 'BEGIN { RS = ""; FS = "\n" }
      { suites = ""; uris = ""
        for (i = 1; i <= NF; i++) {
          if ($i ~ /^Suites:/) suites = " " substr($i, 8) " "
          if ($i ~ /^URIs:/) uris = substr($i, 6)
        }
        gsub(/\t/, " ", suites)
        if (suites ~ / bookworm / && uris != "") { split(uris, u, " "); print u[1]; exit } }' "$f")
    [ -n "$uri" ] && { echo "$uri"; return; }
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    # one-line form: deb [options] URI SUITE COMPONENTS...
    uri=$(sed -E 's/\[[^]]*\]//' "$f" | awk '$1 == "deb" && $3 == "bookworm" { print $2; exit }')
    [ -n "$uri" ] && { echo "$uri"; return; }
  done
  return 1
}

wordpress_source() {
  local dst="$WORK/wordpress-deb" aptd="$WORK/apt-trixie"
  if [ ! -f "$dst/usr/share/wordpress/wp-includes/version.php" ]; then
    local mirror; mirror=$(debian_mirror) || die "no bookworm Debian mirror found in /etc/apt sources"
    log "fetching Debian 13's wordpress .deb (apt-get download; nothing is installed)"
    mkdir -p "$aptd/lists/partial" "$aptd/cache/archives/partial" "$aptd/parts"
    printf 'Types: deb\nURIs: %s\nSuites: trixie\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$mirror" > "$aptd/parts/trixie.sources"
    local A=(-o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$aptd/parts"
             -o "Dir::State::Lists=$aptd/lists" -o "Dir::Cache=$aptd/cache" -o APT::Sandbox::User=root)
    apt-get "${A[@]}" update -qq
    rm -f "$aptd"/*.deb
    (cd "$aptd" && apt-get "${A[@]}" download -qq wordpress wordpress-theme-twentytwentyfive)
    rm -rf "$dst.tmp"; mkdir -p "$dst.tmp"
    local d; for d in "$aptd"/*.deb; do dpkg-deb -x "$d" "$dst.tmp"; done
    # The .deb swaps bundled libraries for relative symlinks into /usr/share/{php,javascript}.
    ln -sfn /usr/share/php "$dst.tmp/usr/share/php"
    ln -sfn /usr/share/javascript "$dst.tmp/usr/share/javascript"
    rm -rf "$dst"; mv "$dst.tmp" "$dst"
  fi
  echo "$dst/usr/share/wordpress"
}
wp_version_of() { php -r 'include $argv[1]; echo $wp_version;' "$1/wp-includes/version.php"; }

# ------------------------------------------------------------------ MariaDB (the machine's own, started if down)
db_ping() { mysqladmin -uroot ping >/dev/null 2>&1; }
start_db() {
  db_ping && return 0
  log "starting MariaDB"
  install -d -o mysql -g mysql /run/mysqld 2>/dev/null || true
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd 2>/dev/null \
    || service mariadb start >/dev/null 2>&1 || true
  local i; for i in $(seq 1 60); do db_ping && return 0; sleep 0.5; done
  die "MariaDB did not start"
}
create_db() {
  mysql -uroot <<SQL
CREATE DATABASE IF NOT EXISTS \`$WP_DB\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS '$WP_DB_USER'@'localhost' IDENTIFIED BY '$WP_DB_PASS';
CREATE USER IF NOT EXISTS '$WP_DB_USER'@'127.0.0.1' IDENTIFIED BY '$WP_DB_PASS';
GRANT ALL PRIVILEGES ON \`$WP_DB\`.* TO '$WP_DB_USER'@'localhost';
GRANT ALL PRIVILEGES ON \`$WP_DB\`.* TO '$WP_DB_USER'@'127.0.0.1';
FLUSH PRIVILEGES;
SQL
}

# ------------------------------------------------------------------ site files
php_const() { # NAME VALUE -> define line, value single-quoted for PHP
  local v=${2//\\/\\\\}; v=${v//\'/\\\'}; printf "define( '%s', '%s' );\n" "$1" "$v"
}
write_site_files() {
  mkdir -p "$SITE/wp-content/mu-plugins" "$SITE/wp-content/uploads" "$SITE/wp-content/plugins"
  {
    echo "<?php"
    echo "// Written by e2e/wp-env.sh on every run."
    php_const DB_NAME "$WP_DB"; php_const DB_USER "$WP_DB_USER"; php_const DB_PASSWORD "$WP_DB_PASS"
    php_const DB_HOST 127.0.0.1; php_const DB_CHARSET utf8mb4; echo "define( 'DB_COLLATE', '' );"
    local k; for k in AUTH_KEY SECURE_AUTH_KEY LOGGED_IN_KEY NONCE_KEY AUTH_SALT SECURE_AUTH_SALT LOGGED_IN_SALT NONCE_SALT; do
      php_const "$k" "e2e-$k"; done
    echo "\$table_prefix = 'wp_';"
    php_const WP_HOME "$URL"; php_const WP_SITEURL "$URL"; php_const WP_ENVIRONMENT_TYPE local
    echo "define( 'WP_DEBUG', true ); define( 'WP_DEBUG_LOG', true ); define( 'WP_DEBUG_DISPLAY', false );"
    echo "define( 'WP_HTTP_BLOCK_EXTERNAL', true ); define( 'WP_ACCESSIBLE_HOSTS', 'localhost,127.0.0.1' );"
    echo "define( 'AUTOMATIC_UPDATER_DISABLED', true ); define( 'WP_AUTO_UPDATE_CORE', false );"
    echo "define( 'DISABLE_WP_CRON', true ); define( 'FS_METHOD', 'direct' );"
    [ -n "${MYBNB_SIDECAR_URL:-}" ] && php_const MYBNB_SIDECAR_URL "$MYBNB_SIDECAR_URL"
    [ -n "${MYBNB_KEY_ID:-}" ] && php_const MYBNB_KEY_ID "$MYBNB_KEY_ID"
    [ -n "${MYBNB_SECRET:-}" ] && php_const MYBNB_SECRET "$MYBNB_SECRET"
    echo "if ( ! defined( 'ABSPATH' ) ) { define( 'ABSPATH', __DIR__ . '/' ); }"
    echo "require_once ABSPATH . 'wp-settings.php';"
  } > "$SITE/wp-config.php"
  cp "$HERE/wp/mu-offline.php" "$SITE/wp-content/mu-plugins/mybnb-e2e-offline.php"
}

# ------------------------------------------------------------------ PHP built-in server
server_pid() { cat "$WORK/php-server.pid" 2>/dev/null || true; }
server_alive() { local p; p=$(server_pid); [ -n "$p" ] && kill -0 "$p" 2>/dev/null; }
http_code() { curl -s -o /dev/null -m 10 -w '%{http_code}' "$1" || true; }
start_server() {
  if server_alive && [ "$(http_code "$URL/wp-login.php")" = 200 ]; then return 0; fi
  stop_server >/dev/null
  local c; c=$(http_code "$URL/")
  [ "$c" = 000 ] || die "$URL already answers (HTTP $c) but this script did not start it; set WP_PORT"
  log "starting php -S $WP_HOST:$WP_PORT"
  PHP_CLI_SERVER_WORKERS=$PHP_WORKERS setsid nohup php -S "$WP_HOST:$WP_PORT" -t "$SITE" "$HERE/wp/router.php" \
    >> "$WORK/php-server.log" 2>&1 < /dev/null &
  echo $! > "$WORK/php-server.pid"
  local i; for i in $(seq 1 50); do [ "$(http_code "$URL/wp-login.php")" = 200 ] && return 0; sleep 0.2; done
  die "php -S did not come up (see $WORK/php-server.log)"
}
stop_server() {
  local p; p=$(server_pid)
  if [ -n "$p" ] && kill -0 "$p" 2>/dev/null; then
    # php -S forks workers in the session whose leader is $p (setsid): end the whole group.
    kill -TERM -- "-$p" 2>/dev/null || kill "$p" 2>/dev/null || true
    local i; for i in $(seq 1 25); do kill -0 "$p" 2>/dev/null || break; sleep 0.2; done
    log "stopped php -S (pid $p)"
  fi
  rm -f "$WORK/php-server.pid"
}

wpx() { php "$HERE/wp/wpx.php" "$SITE" "$@"; }

cmd_up() {
  mkdir -p "$WORK"
  install_packages
  local src ver; src=$(wordpress_source); ver=$(wp_version_of "$src")
  start_db
  if [ -f "$SITE/wp-includes/version.php" ] && [ "$(wp_version_of "$SITE")" != "$ver" ]; then
    log "site has another WordPress version: resetting"; cmd_reset >/dev/null
  fi
  create_db
  rsync -a --copy-links --exclude '/wp-config.php' --exclude '/.htaccess' --exclude '/wp-content/languages/' \
        --exclude '/wp-content/plugins/mybnb-payments' "$src/" "$SITE/"
  write_site_files
  wpx install "MyBnB e2e" "$WP_ADMIN_USER" "$WP_ADMIN_PASS" admin@example.com >&2
  wpx permalinks '/%postname%/' >/dev/null
  local target="$SITE/wp-content/plugins/mybnb-payments" mode=link
  [ -n "${WP_PLUGIN_ZIP:-}" ] && mode=zip
  if [ "$(cat "$WORK/plugin-mode" 2>/dev/null || true)" != "$mode" ]; then
    # Long-lived php -S workers cache real paths: a link that became a folder (or back) must not
    # be served from stale paths, so restart the server when the plugin changes form.
    stop_server
    echo "$mode" > "$WORK/plugin-mode"
  fi
  if [ "$mode" = zip ]; then
    # The zip a site admin uploads, installed by WordPress's own Plugin_Upgrader.
    [ -L "$target" ] && rm -f "$target"
    wpx install-zip "$(realpath "$WP_PLUGIN_ZIP")" >&2
  else
    # The working tree, linked (PHP tests and development see edits at once).
    [ -d "$target" ] && [ ! -L "$target" ] && rm -rf "$target"
    ln -sfn "$PLUGIN_DIR" "$target"
  fi
  wpx activate mybnb-payments/mybnb-payments.php >&2
  if [ -n "${MYBNB_CANCEL_URL_TEMPLATE:-}" ]; then
    wpx eval '$o = get_option("mybnb_payments_settings", array()); $o = is_array($o) ? $o : array(); $o["cancel_url_template"] = getenv("MYBNB_CANCEL_URL_TEMPLATE"); update_option("mybnb_payments_settings", $o);'
  fi
  start_server
  curl -fsS -m 20 "$URL/wp-json/" | grep -Eq '"mybnb(\\)?/v1"' || die "$URL/wp-json/ does not list mybnb/v1"
  log "ready: WordPress $ver at $URL (site: $SITE)"
  echo "$URL"
}

cmd_reset() {
  stop_server
  db_ping && mysql -uroot -e "DROP DATABASE IF EXISTS \`$WP_DB\`" || true
  rm -rf "$SITE" "$WORK/php-server.log"
  echo "reset $SITE and database $WP_DB"
}

cmd_status() {
  if server_alive; then echo "php -S: pid $(server_pid) at $URL"; else echo "php -S: not running"; fi
  if db_ping; then echo "MariaDB: up"; else echo "MariaDB: down"; fi
  [ -f "$SITE/wp-includes/version.php" ] && echo "site: $SITE (WordPress $(wp_version_of "$SITE"))" || echo "site: none"
}

case "${1:-up}" in
  up) cmd_up ;;
  stop) stop_server ;;
  reset) cmd_reset ;;
  status) cmd_status ;;
  wpx) shift; wpx "$@" ;;
  site-dir) echo "$SITE" ;;
  *) sed -n '2,16p' "$0"; exit 2 ;;
esac
