<?php
/**
 * Removes everything the plugin stored in WordPress: its options (settings, the secret, cache
 * generations), its cached reads (transients) and the users' MyBnB ids. Bookings and money live in
 * the sidecar, never here.
 *
 * @package MyBnB\Payments
 */

if ( ! defined( 'WP_UNINSTALL_PLUGIN' ) ) {
	exit;
}

foreach ( array( 'mybnb_payments_settings', 'mybnb_payments_secret', 'mybnb_payments_cache_gen', 'mybnb_payments_lists_gen' ) as $mybnb_option ) {
	delete_option( $mybnb_option );
}

global $wpdb;
// Cached reads and generations: transients named mybnb_c_…, mybnb_payments_….
$wpdb->query( // phpcs:ignore WordPress.DB.DirectDatabaseQuery
	"DELETE FROM {$wpdb->options} WHERE option_name LIKE '\\_transient\\_mybnb\\_%' OR option_name LIKE '\\_transient\\_timeout\\_mybnb\\_%'"
);
delete_metadata( 'user', 0, 'mybnb_guest_id', '', true );
delete_metadata( 'user', 0, 'mybnb_host_id', '', true );
wp_cache_flush();
