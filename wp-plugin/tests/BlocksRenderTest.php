<?php
/**
 * The dynamic blocks' server rendering: the numbers, the escaping, and nothing for outsiders.
 *
 * @package MyBnB\Payments
 */

use MyBnB\Payments\Plugin;
use MyBnB\Payments\Blocks\Block;
use MyBnB\Payments\Tests\SiteTestCase;

final class BlocksRenderTest extends SiteTestCase {

	private function block( string $slug ): Block {
		foreach ( Plugin::instance()->blocks->blocks() as $block ) {
			if ( $block->slug() === $slug ) {
				return $block;
			}
		}
		$this->fail( "no block $slug" );
	}

	protected function tearDown(): void {
		unset( $_GET['booking_id'], $_GET['mybnb_from'], $_GET['mybnb_to'] );
		parent::tearDown();
	}

	public function test_preview_shows_amounts_rule_hash_countdown_and_consent_link(): void {
		wp_set_current_user( $this->user( 'subscriber', array( 'mybnb_guest_id' => 'g_owner' ) ) );
		$html = $this->block( 'cancellation-preview' )->render( array( 'bookingId' => 'bk_1' ) );
		$this->assertStringContainsString( 'data-field="refund_to_guest" data-amount-minor', str_replace( 'data-amount-minor="30000" data-currency="USD" data-field="refund_to_guest"', 'data-field="refund_to_guest" data-amount-minor', $html ) );
		$this->assertStringContainsString( '$300.00', $html );
		$this->assertStringContainsString( 'data-outcome-hash="sha256:' . str_repeat( 'cd', 32 ) . '"', $html );
		$this->assertStringContainsString( 'cancellation/moderate', $html );
		$this->assertStringContainsString( 'ababababab', $html, 'short rule hash' );
		$this->assertMatchesRegularExpression( '/<span class="mybnb-countdown" aria-live="polite"[^>]*data-seconds-left="345600">\(4 days left\)</', $html );
		$this->assertStringContainsString( 'href="http://engine.test/bookings/bk_1/cancel?consent=sha256%3A' . str_repeat( 'cd', 32 ) . '"', $html );
		$this->assertStringNotContainsString( 'alert(1)', $html, 'the sidecar\'s explanation (host payout, platform fee) is not a guest\'s' );
		$this->assertStringNotContainsString( '<script>', $html );
		$this->assertStringNotContainsString( 'host_payout', $html );
		$this->assertStringNotContainsString( '48.50', $html, 'the host payout amount never reaches the guest' );
		$this->assertStringContainsString( '<li>Cleaning fee: $50.00, not refunded.</li>', $html );
		$this->assertMatchesRegularExpression( '/<details class="mybnb-details"><summary>Details<\/summary>.*data-field="rule_hash".*data-field="outcome_hash"/s', $html, 'hashes behind Details' );
		$this->assertStringNotContainsString( '<code', (string) strstr( $html, '<details', true ), 'no hash in what a guest reads first' );
		$this->assertStringContainsString( '<li>Nights: $300.00, refunded in full.</li>', $html, 'the why, from the guest\'s own fields' );
		$this->assertStringContainsString( '<th scope="col">', $html );
		$this->assertStringContainsString( 'data-credits="0" data-field="credit_to_guest">0 credits</td>', $html, 'credits are a count, never money' );
	}

	public function test_preview_for_another_guest_shows_no_data(): void {
		wp_set_current_user( $this->user( 'subscriber', array( 'mybnb_guest_id' => 'g_other' ) ) );
		$html = $this->block( 'cancellation-preview' )->render( array( 'bookingId' => 'bk_1' ) );
		$this->assertStringContainsString( 'mybnb-notice-forbidden', $html );
		$this->assertStringNotContainsString( '300', $html );
		$this->assertStringNotContainsString( 'sha256', $html );
		$this->assertStringNotContainsString( 'data-amount-minor', $html );
	}

	public function test_anonymous_is_asked_to_log_in(): void {
		$html = $this->block( 'receipt' )->render( array( 'bookingId' => 'bk_1' ) );
		$this->assertStringContainsString( 'mybnb-notice-login', $html );
		$this->assertStringContainsString( 'wp-login.php', $html );
		$this->assertStringNotContainsString( 'data-amount-minor', $html );
		$this->assertCount( 0, $this->sidecar->requests );
	}

	public function test_booking_id_may_come_from_the_query_string_and_is_validated(): void {
		wp_set_current_user( $this->user( 'subscriber', array( 'mybnb_guest_id' => 'g_owner' ) ) );
		$_GET['booking_id'] = 'bk_1';
		$this->assertStringContainsString( 'data-field="total_minor"', $this->block( 'booking-summary' )->render( array() ) );
		$_GET['booking_id'] = '../../etc/passwd';
		$html               = $this->block( 'booking-summary' )->render( array() );
		$this->assertStringContainsString( 'mybnb-notice-info', $html );
		$this->assertCount( 1, $this->sidecar->requests, 'the invalid id never reached the sidecar' );
	}

	public function test_summary_escapes_labels_and_shows_totals(): void {
		wp_set_current_user( $this->user( 'subscriber', array( 'mybnb_guest_id' => 'g_owner' ) ) );
		$html = $this->block( 'booking-summary' )->render( array( 'bookingId' => 'bk_1' ) );
		$this->assertStringContainsString( 'Pet &lt;b&gt;fee&lt;/b&gt;', $html );
		$this->assertMatchesRegularExpression( '/data-field="check_in">October 1, 2026 at 3:00[\x{202F}\x{00A0} ]PM \(Europe\/Lisbon\)</u', $html, 'check-in in the booking\'s time zone' );
		$this->assertStringContainsString( '$350.00', $html );
		$this->assertStringContainsString( 'data-field="state">Paid<', $html );
		$this->assertMatchesRegularExpression( '/data-field="next_step">Next: Host payout on [^<]*2026/', $html );
	}

	public function test_receipt_lists_lines_and_net_paid(): void {
		wp_set_current_user( $this->user( 'subscriber', array( 'mybnb_guest_id' => 'g_owner' ) ) );
		$html = $this->block( 'receipt' )->render( array( 'bookingId' => 'bk_1' ) );
		$this->assertMatchesRegularExpression( '/data-amount-minor="35000" data-currency="USD" data-field="net_paid_minor"/', $html );
		$this->assertStringContainsString( 'mybnb-print', $html );
		$this->assertStringContainsString( '>35 credits</td>', $html, 'a credit line is a count of credits' );
		$this->assertStringNotContainsString( '$0.35', $html );
	}

	public function test_statement_for_the_host_with_period_and_csv_link(): void {
		wp_set_current_user( $this->user( 'subscriber', array( 'mybnb_host_id' => 'h_owner' ) ) );
		$_GET['mybnb_from'] = '2026-10-01';
		$_GET['mybnb_to']   = '2026-10-31';
		$html               = $this->block( 'payout-statement' )->render( array() );
		$this->assertMatchesRegularExpression( '/class="mybnb-total-row" data-currency="USD">.*data-amount-minor="33950" data-currency="USD" data-field="net_minor"/s', $html );
		$this->assertStringContainsString( 'format=csv', $html );
		$this->assertStringContainsString( '_wpnonce=', $html );
	}

	public function test_statement_ignores_a_pinned_host_for_non_admins(): void {
		wp_set_current_user( $this->user( 'subscriber', array( 'mybnb_host_id' => 'h_other' ) ) );
		$_GET['mybnb_from'] = '2026-10-01';
		$_GET['mybnb_to']   = '2026-10-31';
		$html               = $this->block( 'payout-statement' )->render( array( 'hostId' => 'h_owner' ) );
		$this->assertStringNotContainsString( '33950', $html );
		$this->assertStringContainsString( 'hosts/h_other/statement', $this->sidecar->requests[0]['url'] ?? '' );
	}

	public function test_sidecar_outage_shows_a_plain_message_to_guests(): void {
		wp_set_current_user( $this->user( 'subscriber', array( 'mybnb_guest_id' => 'g_owner' ) ) );
		$this->sidecar->transport_error = new WP_Error( 'http_request_failed', 'Connection refused at 10.0.0.5' );
		$html                           = $this->block( 'booking-summary' )->render( array( 'bookingId' => 'bk_1' ) );
		$this->assertStringContainsString( 'mybnb-notice-error', $html );
		$this->assertStringNotContainsString( '10.0.0.5', $html, 'internal details are for admins only' );
	}

	public function test_host_preview_shows_the_sidecar_explanation_escaped_behind_details(): void {
		wp_set_current_user( $this->user( 'subscriber', array( 'mybnb_host_id' => 'h_owner' ) ) );
		$html = $this->block( 'cancellation-preview' )->render( array( 'bookingId' => 'bk_1', 'by' => 'host' ) );
		$this->assertStringContainsString( '&lt;script&gt;alert(2)&lt;/script&gt;', $html );
		$this->assertStringNotContainsString( '<script>', $html );
		$this->assertMatchesRegularExpression( '/<details class="mybnb-details">.*<ul class="mybnb-explanation" lang="en">/s', $html );
		$this->assertStringContainsString( 'data-field="host_penalty"', $html );
		$this->assertStringContainsString( 'A penalty of $50.00 is deducted from your future payouts.', $html );
	}

	public function test_my_bookings_lists_the_guest_own_bookings_escaped_with_a_next_page(): void {
		wp_set_current_user( $this->user( 'subscriber', array( 'mybnb_guest_id' => 'g_owner' ) ) );
		$html = $this->block( 'my-bookings' )->render( array( 'detailsUrl' => 'http://site.test/booking/?booking_id={booking_id}' ) );
		$this->assertStringContainsString( 'data-amount-minor="123456" data-currency="EUR" data-field="total_minor"', $html );
		$this->assertStringContainsString( 'href="http://site.test/booking/?booking_id=bk_1"', $html );
		$this->assertStringContainsString( 'bk_&lt;i&gt;x&lt;/i&gt;', $html );
		$this->assertStringContainsString( 'weird&lt;state&gt;', $html );
		$this->assertStringNotContainsString( '<i>', $html );
		$this->assertStringContainsString( 'data-field="check_in">October 1, 2026</td>', $html );
		$this->assertStringContainsString( 'mybnb_cursor=WyIyMDI2IiwiYmtfMSJd', $html );
		$this->assertStringContainsString( '/guests/g_owner/bookings?limit=10', $this->sidecar->requests[0]['url'] );
	}

	public function test_my_bookings_for_a_user_without_guest_id_asks_nothing(): void {
		wp_set_current_user( $this->user( 'subscriber', array( 'mybnb_host_id' => 'h_owner' ) ) );
		$this->assertStringContainsString( 'mybnb-notice-forbidden', $this->block( 'my-bookings' )->render( array() ) );
		wp_set_current_user( 0 );
		$this->assertStringContainsString( 'mybnb-notice-login', $this->block( 'my-bookings' )->render( array() ) );
		$this->assertCount( 0, $this->sidecar->requests );
	}

	public function test_the_guest_id_filter_supplies_the_mapping_and_bad_ids_count_as_none(): void {
		$user = $this->user( 'subscriber' );
		wp_set_current_user( $user );
		$supply = static fn ( $id, $user_id ) => $user_id === $user ? 'g_owner' : $id;
		add_filter( 'mybnb_guest_id_for_user', $supply, 10, 2 );
		try {
			$this->assertStringContainsString( 'data-field="total_minor"', $this->block( 'booking-summary' )->render( array( 'bookingId' => 'bk_1' ) ) );
		} finally {
			remove_filter( 'mybnb_guest_id_for_user', $supply, 10 );
		}
		$bad = static fn () => '../../etc';
		add_filter( 'mybnb_host_id_for_user', $bad );
		try {
			$this->assertSame( '', \MyBnB\Payments\Access\Gate::host_id( $user ) );
		} finally {
			remove_filter( 'mybnb_host_id_for_user', $bad );
		}
	}

	public function test_every_block_shows_the_styled_unavailable_state_when_the_sidecar_is_down(): void {
		wp_set_current_user( $this->user( 'subscriber', array( 'mybnb_guest_id' => 'g_owner', 'mybnb_host_id' => 'h_owner' ) ) );
		$this->sidecar->transport_error = new WP_Error( 'http_request_failed', 'cURL error 7: Connection refused' );
		$_GET['mybnb_from']             = '2026-10-01';
		$_GET['mybnb_to']               = '2026-10-31';
		foreach ( array( 'booking-summary', 'cancellation-preview', 'receipt', 'payout-statement', 'my-bookings' ) as $slug ) {
			$html = $this->block( $slug )->render( array( 'bookingId' => 'bk_1' ) );
			$this->assertStringContainsString( 'mybnb-notice-unavailable', $html, $slug );
			$this->assertStringContainsString( 'Temporarily unavailable', $html, $slug );
			$this->assertStringNotContainsString( 'Connection refused', $html, "$slug: details are for admins" );
		}
		// One refused read marks the sidecar down for a few seconds: the other blocks did not wait.
		$this->assertCount( 1, $this->sidecar->requests );
	}

	public function test_a_block_that_throws_still_renders_the_unavailable_state(): void {
		wp_set_current_user( $this->user( 'subscriber', array( 'mybnb_guest_id' => 'g_owner' ) ) );
		$boom = static function () {
			throw new RuntimeException( 'boom' );
		};
		add_filter( 'mybnb_guest_id_for_user', $boom );
		try {
			$html = $this->block( 'my-bookings' )->render_callback( array() );
		} finally {
			remove_filter( 'mybnb_guest_id_for_user', $boom );
		}
		$this->assertStringContainsString( 'mybnb-notice-unavailable', $html );
	}

	public function test_every_sidecar_string_is_escaped_in_every_block(): void {
		$markup = '<script>alert(9)</script><b onmouseover="x">"\'';
		$this->sidecar->poison( $markup );
		wp_set_current_user( $this->user( 'administrator', array( 'mybnb_guest_id' => 'g_owner', 'mybnb_host_id' => 'h_owner' ) ) );
		$_GET['mybnb_from'] = '2026-10-01';
		$_GET['mybnb_to']   = '2026-10-31';
		$renders            = array(
			'booking-summary'      => array( 'bookingId' => 'bk_1' ),
			'cancellation-preview' => array( 'bookingId' => 'bk_1' ),
			'receipt'              => array( 'bookingId' => 'bk_1' ),
			'payout-statement'     => array( 'hostId' => 'h_owner' ),
			'my-bookings'          => array(),
		);
		foreach ( $renders as $slug => $attributes ) {
			$html = $this->block( $slug )->render( $attributes );
			$this->assertStringContainsString( '&lt;script&gt;alert(9)&lt;/script&gt;', $html, "$slug shows the strings, escaped" );
			$this->assertStringNotContainsString( '<script', $html, $slug );
			$this->assertStringNotContainsString( '<b ', $html, $slug );
			$this->assertDoesNotMatchRegularExpression( '/="[^"]*"\'/', str_replace( '&quot;', '', $html ), "$slug: no attribute broken out of" );
		}
		$host = $this->block( 'cancellation-preview' )->render( array( 'bookingId' => 'bk_1', 'by' => 'host' ) );
		$this->assertStringNotContainsString( '<script', $host );
	}
}
