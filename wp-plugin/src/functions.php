<?php
/**
 * The plugin's few global functions, for other plugins (and the outbound-event receiver) to call.
 *
 * @package MyBnB\Payments
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

if ( ! function_exists( 'mybnb_cache_flush_for' ) ) {
	/**
	 * Forgets every cached read about one booking (its view, receipt, previews) and every cached
	 * list that may include it (statements, guests' bookings): the next page view asks the sidecar.
	 * Writes transients and options only; safe to call for an unknown booking.
	 *
	 * @param string $booking_id The sidecar's booking id.
	 */
	function mybnb_cache_flush_for( string $booking_id ): void {
		$plugin = \MyBnB\Payments\Plugin::instance();
		if ( null !== $plugin && '' !== $booking_id ) {
			$plugin->client->cache->flush_booking( $booking_id );
		}
	}
}

if ( ! function_exists( 'mybnb_cache_flush_all' ) ) {
	/**
	 * Forgets every cached read (e.g. after changing the sidecar or the key).
	 */
	function mybnb_cache_flush_all(): void {
		$plugin = \MyBnB\Payments\Plugin::instance();
		if ( null !== $plugin ) {
			$plugin->client->cache->flush_all();
		}
	}
}
