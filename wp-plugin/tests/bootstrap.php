<?php
/**
 * Boots the real, installed WordPress site (e2e/wp-env.sh up) inside PHPUnit, with this plugin active.
 * PHPUnit includes this file in function scope, so declare the globals WordPress expects first.
 *
 * @package MyBnB\Payments
 */

// phpcs:disable
global $wpdb, $current_site, $current_blog, $wp_rewrite, $shortcode_tags, $wp, $phpmailer, $wp_theme_directories, $wp_version, $wp_locale;
$mybnb_site = getenv( 'WP_SITE_DIR' ) ?: dirname( __DIR__, 2 ) . '/e2e/.work/site';
if ( ! is_file( $mybnb_site . '/wp-load.php' ) ) {
	fwrite( STDERR, "No WordPress site at $mybnb_site: run `bash e2e/wp-env.sh up` (or wp-plugin/bin/test-php.sh).\n" );
	exit( 1 );
}
$_SERVER['HTTP_HOST']      = 'localhost';
$_SERVER['SERVER_NAME']    = 'localhost';
$_SERVER['REQUEST_METHOD'] = 'GET';
$_SERVER['REQUEST_URI']    = '/';
require_once $mybnb_site . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/user.php';
require_once ABSPATH . 'wp-admin/includes/plugin.php';
require_once ABSPATH . 'wp-admin/includes/template.php';
if ( ! class_exists( \MyBnB\Payments\Plugin::class ) ) {
	fwrite( STDERR, "The mybnb-payments plugin is not active in $mybnb_site.\n" );
	exit( 1 );
}
require_once __DIR__ . '/support/FakeSidecar.php';
require_once __DIR__ . '/support/SiteTestCase.php';
