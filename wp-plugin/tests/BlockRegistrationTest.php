<?php
/**
 * The built blocks register from their block.json with PHP render callbacks.
 *
 * @package MyBnB\Payments
 */

use PHPUnit\Framework\TestCase;

final class BlockRegistrationTest extends TestCase {

	private const NAMES = array( 'mybnb/booking-summary', 'mybnb/cancellation-preview', 'mybnb/receipt', 'mybnb/payout-statement' );

	protected function setUp(): void {
		if ( ! is_file( dirname( __DIR__ ) . '/build/receipt/block.json' ) ) {
			$this->markTestSkipped( 'blocks not built (npm --prefix blocks run build)' );
		}
	}

	public function test_all_four_blocks_are_dynamic_with_view_scripts(): void {
		$registry = WP_Block_Type_Registry::get_instance();
		foreach ( self::NAMES as $name ) {
			$this->assertTrue( $registry->is_registered( $name ), $name );
			$type = $registry->get_registered( $name );
			$this->assertTrue( $type->is_dynamic(), "$name renders in PHP" );
			$this->assertNotEmpty( $type->view_script_handles, "$name hydrates" );
			$this->assertContains( 'mybnb-payments-blocks', $type->style_handles, "$name shares the common styles" );
		}
	}

	public function test_do_blocks_renders_through_the_callback(): void {
		wp_set_current_user( 0 );
		$html = do_blocks( '<!-- wp:mybnb/receipt {"bookingId":"bk_1"} /-->' );
		$this->assertStringContainsString( 'wp-block-mybnb-receipt', $html, 'wrapper attributes come from WordPress' );
		$this->assertStringContainsString( 'mybnb-notice-login', $html );
	}

	public function test_my_bookings_is_dynamic_and_every_block_script_has_translations_wired(): void {
		$type = WP_Block_Type_Registry::get_instance()->get_registered( 'mybnb/my-bookings' );
		$this->assertNotNull( $type );
		$this->assertTrue( $type->is_dynamic() );
		foreach ( array_merge( self::NAMES, array( 'mybnb/my-bookings' ) ) as $name ) {
			$type = WP_Block_Type_Registry::get_instance()->get_registered( $name );
			foreach ( array_merge( $type->editor_script_handles, $type->view_script_handles ) as $handle ) {
				$script = wp_scripts()->registered[ $handle ] ?? null;
				$this->assertNotNull( $script, $handle );
				$this->assertSame( 'mybnb-payments', $script->textdomain, "$handle has its text domain" );
				$this->assertStringEndsWith( '/languages', (string) $script->translations_path, "$handle reads the plugin's own JSON" );
			}
		}
	}
}
