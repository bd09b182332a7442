<?php
/**
 * Removes the plugin's settings. Bookings and money live in the sidecar, never here.
 *
 * @package MyBnB\Payments
 */

if ( ! defined( 'WP_UNINSTALL_PLUGIN' ) ) {
	exit;
}
delete_option( 'mybnb_payments_settings' );
