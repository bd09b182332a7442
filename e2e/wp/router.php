<?php
// Router for `php -S HOST:PORT -t SITE router.php`: real files as they are, everything else to
// index.php (pretty permalinks and /wp-json/ need this; php -S reads no .htaccess).
$root = rtrim( $_SERVER['DOCUMENT_ROOT'], '/' );
$path = urldecode( parse_url( $_SERVER['REQUEST_URI'], PHP_URL_PATH ) ?? '/' );
$full = $root . $path;
if ( '/' !== $path && file_exists( $full ) ) {
	if ( is_file( $full ) ) {
		return false;
	}
	if ( is_dir( $full ) && file_exists( rtrim( $full, '/' ) . '/index.php' ) ) {
		return false;
	}
}
$_SERVER['SCRIPT_NAME']     = '/index.php';
$_SERVER['SCRIPT_FILENAME'] = $root . '/index.php';
$_SERVER['PHP_SELF']        = '/index.php';
chdir( $root );
require $root . '/index.php';
