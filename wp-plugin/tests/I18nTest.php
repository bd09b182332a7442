<?php
/**
 * The fr_FR translation: strings, plurals, amounts for the locale, dates in the booking's zone.
 *
 * @package MyBnB\Payments
 */

use MyBnB\Payments\Plugin;
use MyBnB\Payments\Tests\SiteTestCase;

final class I18nTest extends SiteTestCase {

	/** The site's language as Settings → General sets it (WPLANG), for this test only. */
	private function french(): void {
		add_filter( 'pre_option_WPLANG', array( self::class, 'fr' ) );
		add_filter( 'locale', array( self::class, 'fr' ) );
		add_filter( 'determine_locale', array( self::class, 'fr' ) );
		unload_textdomain( 'mybnb-payments' );
		Plugin::instance()->load_textdomain();
	}

	public static function fr(): string {
		return 'fr_FR';
	}

	protected function tearDown(): void {
		remove_filter( 'pre_option_WPLANG', array( self::class, 'fr' ) );
		remove_filter( 'locale', array( self::class, 'fr' ) );
		remove_filter( 'determine_locale', array( self::class, 'fr' ) );
		unload_textdomain( 'mybnb-payments' );
		Plugin::instance()->load_textdomain();
		unset( $_GET['booking_id'] );
		parent::tearDown();
	}

	private function render( string $slug, array $attributes ): string {
		foreach ( Plugin::instance()->blocks->blocks() as $block ) {
			if ( $block->slug() === $slug ) {
				return $block->render( $attributes );
			}
		}
		$this->fail( "no block $slug" );
	}

	public function test_the_shipped_files_are_there(): void {
		$dir = dirname( __DIR__ ) . '/languages';
		$this->assertFileExists( $dir . '/mybnb-payments.pot' );
		$this->assertFileExists( $dir . '/mybnb-payments-fr_FR.po' );
		$this->assertFileExists( $dir . '/mybnb-payments-fr_FR.mo' );
		$this->assertNotEmpty( glob( $dir . '/mybnb-payments-fr_FR-*.json' ) );
	}

	public function test_a_guest_reads_the_preview_in_french_with_french_amounts(): void {
		wp_set_current_user( $this->user( 'subscriber', array( 'mybnb_guest_id' => 'g_owner' ) ) );
		$this->french();
		$this->assertSame( 'Mes réservations', __( 'My bookings', 'mybnb-payments' ) );
		$html = $this->render( 'cancellation-preview', array( 'bookingId' => 'bk_1' ) );
		$this->assertStringContainsString( 'Si vous annulez maintenant', $html );
		$this->assertStringContainsString( '<summary>Détails</summary>', $html );
		$this->assertMatchesRegularExpression( '/300,00\x{00A0}\$US|300,00\x{202F}\$US|300,00 \$US/u', $html, 'ICU formats USD for fr_FR' );
		$this->assertStringContainsString( 'Nuits : 300,00', $html );
		$this->assertStringContainsString( '(encore 4 jours)', $html, 'plural form' );
		$this->assertMatchesRegularExpression( '/24 septembre 2026 à 15:00 \(Europe\/Lisbon\)/u', $html, 'month names and 24 h clock follow the language; the hour is Lisbon\'s' );
		$this->assertStringContainsString( '0 crédit<', $html, 'French plural rule: 0 is singular' );
	}

	public function test_dates_are_in_the_booking_time_zone(): void {
		wp_set_current_user( $this->user( 'subscriber', array( 'mybnb_guest_id' => 'g_owner' ) ) );
		// next_step due 2026-10-02T15:00:00Z is 16:00 in Lisbon (WEST), whatever the site's zone.
		update_option( 'timezone_string', 'Asia/Tokyo' );
		try {
			$html = $this->render( 'booking-summary', array( 'bookingId' => 'bk_1' ) );
		} finally {
			update_option( 'timezone_string', '' );
		}
		$this->assertMatchesRegularExpression( '/October 2, 2026 at 4:00[\x{202F}\x{00A0} ]PM \(Europe\/Lisbon\)/u', $html );
	}
}
