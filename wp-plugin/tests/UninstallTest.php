<?php
/**
 * uninstall.php removes the plugin's options, cached reads and the users' MyBnB ids.
 *
 * @package MyBnB\Payments
 */

use MyBnB\Payments\Plugin;
use MyBnB\Payments\Settings;
use MyBnB\Payments\Tests\SiteTestCase;

final class UninstallTest extends SiteTestCase {

	public function test_uninstall_removes_options_transients_and_ids(): void {
		$user = $this->user( 'subscriber', array( 'mybnb_guest_id' => 'g_owner', 'mybnb_host_id' => 'h_owner' ) );
		Plugin::instance()->client->booking( 'bk_1' ); // a cached read
		mybnb_cache_flush_for( 'bk_1' );               // generations
		global $wpdb;
		$count = static fn () => (int) $wpdb->get_var( "SELECT COUNT(*) FROM {$wpdb->options} WHERE option_name LIKE '\\_transient\\_mybnb\\_%' OR option_name LIKE 'mybnb\\_payments\\_%'" );
		$this->assertGreaterThan( 0, $count() );
		if ( ! defined( 'WP_UNINSTALL_PLUGIN' ) ) {
			define( 'WP_UNINSTALL_PLUGIN', 'mybnb-payments/mybnb-payments.php' );
		}
		include dirname( __DIR__ ) . '/uninstall.php';
		$this->assertSame( 0, $count(), 'no option or transient of the plugin is left' );
		$this->assertFalse( get_option( Settings::OPTION ) );
		$this->assertFalse( get_option( Settings::SECRET_OPTION ) );
		$this->assertSame( '', get_user_meta( $user, 'mybnb_guest_id', true ) );
		$this->assertSame( '', get_user_meta( $user, 'mybnb_host_id', true ) );
	}
}
