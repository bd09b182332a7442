<?php
/**
 * REST permission callbacks: owner, other user, anonymous, admin, for every route.
 *
 * @package MyBnB\Payments
 */

use MyBnB\Payments\Plugin;
use MyBnB\Payments\Tests\SiteTestCase;

final class PermissionsTest extends SiteTestCase {

	private const BOOKING_ROUTES = array(
		'/mybnb/v1/bookings/bk_1',
		'/mybnb/v1/bookings/bk_1/preview',
		'/mybnb/v1/bookings/bk_1/receipt',
	);
	private const STATEMENT = '/mybnb/v1/hosts/h_owner/statement';

	private function get( string $route, array $query = array() ): WP_REST_Response {
		$request = new WP_REST_Request( 'GET', $route );
		$request->set_query_params( $query );
		return rest_get_server()->dispatch( $request );
	}

	private function statement( array $extra = array() ): WP_REST_Response {
		return $this->get( self::STATEMENT, array_merge( array( 'from' => '2026-10-01', 'to' => '2026-10-31' ), $extra ) );
	}

	private function assertRefused( int $status, WP_REST_Response $response, string $what ): void {
		$this->assertSame( $status, $response->get_status(), $what );
		$data = $response->get_data();
		$this->assertSame( array( 'code', 'message', 'data' ), array_keys( $data ), "$what: error only, no data" );
		$this->assertStringNotContainsString( 'g_owner', (string) wp_json_encode( $data ), $what );
		$this->assertStringNotContainsString( '35000', (string) wp_json_encode( $data ), $what );
	}

	private const OUTBOUND = '/mybnb/v1/outbound';

	public function test_routes_are_get_only_with_real_permission_callbacks(): void {
		$routes = rest_get_server()->get_routes( 'mybnb/v1' );
		$this->assertGreaterThanOrEqual( 5, count( $routes ) - 1 );
		foreach ( $routes as $path => $handlers ) {
			if ( '/mybnb/v1' === $path ) {
				continue;
			}
			foreach ( $handlers as $handler ) {
				// The one POST: the outbound-event receiver (#15), which verifies a Standard Webhooks
				// signature and only invalidates cached reads (OutboundReceiverTest proves both).
				$methods = self::OUTBOUND === $path ? array( 'POST' => true ) : array( 'GET' => true );
				$this->assertSame( $methods, $handler['methods'], $path );
				$this->assertIsCallable( $handler['permission_callback'], $path );
				$this->assertNotSame( '__return_true', $handler['permission_callback'], $path );
			}
		}
		wp_set_current_user( $this->user( 'administrator' ) );
		foreach ( array_keys( $routes ) as $path ) {
			if ( '/mybnb/v1' === $path ) {
				continue;
			}
			$concrete = preg_replace( '/\(\?P<id>[^)]*\)/', 'bk_1', $path );
			$writes   = self::OUTBOUND === $path ? array( 'PUT', 'PATCH', 'DELETE' ) : array( 'POST', 'PUT', 'PATCH', 'DELETE' );
			foreach ( $writes as $method ) {
				$status = rest_get_server()->dispatch( new WP_REST_Request( $method, $concrete ) )->get_status();
				$this->assertSame( 404, $status, "no route answers $method $concrete" );
			}
		}
		$this->assertArrayHasKey( '/mybnb/v1/me/bookings', $routes, 'the new read is covered' );
		$this->assertArrayHasKey( self::OUTBOUND, $routes, 'the cache-invalidation receiver is covered' );
		// An unsigned POST to the receiver is refused before it touches anything.
		$unsigned = rest_get_server()->dispatch( new WP_REST_Request( 'POST', self::OUTBOUND ) )->get_status();
		$this->assertContains( $unsigned, array( 400, 401, 403, 503 ), 'unsigned outbound POST refused (503: no receiver secret configured)' );
		// Besides REST: the plugin's only other inbound handlers save profile ids (user meta) and
		// settings; none reaches the sidecar with anything but a signed GET (ClientTest).
		$this->assertCount( 0, array_filter( $this->sidecar->requests, static fn ( $r ) => 'GET' !== $r['method'] ) );
	}

	public function test_anonymous_gets_401_everywhere_and_the_sidecar_is_not_asked(): void {
		foreach ( self::BOOKING_ROUTES as $route ) {
			$this->assertRefused( 401, $this->get( $route ), $route );
		}
		$this->assertRefused( 401, $this->statement(), 'statement' );
		$this->assertRefused( 401, $this->get( '/mybnb/v1/connection' ), 'connection' );
		$this->assertCount( 0, $this->sidecar->requests );
	}

	public function test_owner_guest_sees_own_booking_preview_and_receipt(): void {
		wp_set_current_user( $this->user( 'subscriber', array( 'mybnb_guest_id' => 'g_owner' ) ) );
		$booking = $this->get( '/mybnb/v1/bookings/bk_1' );
		$this->assertSame( 200, $booking->get_status() );
		$this->assertSame( 35000, $booking->get_data()['total_minor'] );
		$this->assertArrayNotHasKey( 'fees', $booking->get_data(), 'host and platform fees are not the guest\'s' );
		$this->assertArrayNotHasKey( 'transfers', $booking->get_data() );
		$preview = $this->get( '/mybnb/v1/bookings/bk_1/preview' );
		$this->assertSame( 200, $preview->get_status() );
		$this->assertSame( 'sha256:' . str_repeat( 'cd', 32 ), $preview->get_data()['outcome_hash'] );
		$this->assertSame( 'no-store', $preview->get_headers()['Cache-Control'] );
		$outcome = $preview->get_data()['outcome'];
		$this->assertSame( 30000, $outcome['refund_to_guest'] );
		foreach ( array( 'host_payout', 'host_penalty', 'host_recovery', 'platform_fee_kept' ) as $field ) {
			$this->assertArrayNotHasKey( $field, $outcome, "a guest's preview carries no $field" );
		}
		$this->assertStringNotContainsString( 'host payout', strtolower( (string) wp_json_encode( $preview->get_data() ) ) );
		$this->assertSame( 35000, $this->get( '/mybnb/v1/bookings/bk_1/receipt' )->get_data()['net_paid_minor'] );
	}

	public function test_other_guest_gets_403_and_no_data(): void {
		wp_set_current_user( $this->user( 'subscriber', array( 'mybnb_guest_id' => 'g_other' ) ) );
		foreach ( self::BOOKING_ROUTES as $route ) {
			$this->assertRefused( 403, $this->get( $route ), $route );
		}
	}

	public function test_user_without_ids_gets_403_without_asking_the_sidecar(): void {
		wp_set_current_user( $this->user( 'subscriber' ) );
		foreach ( self::BOOKING_ROUTES as $route ) {
			$this->assertRefused( 403, $this->get( $route ), $route );
		}
		$this->assertRefused( 403, $this->statement(), 'statement' );
		$this->assertCount( 0, $this->sidecar->requests );
	}

	public function test_unknown_booking_is_403_for_guests_not_404(): void {
		wp_set_current_user( $this->user( 'subscriber', array( 'mybnb_guest_id' => 'g_owner' ) ) );
		$this->assertRefused( 403, $this->get( '/mybnb/v1/bookings/bk_nope' ), 'unknown booking' );
	}

	public function test_host_sees_own_statement_only(): void {
		wp_set_current_user( $this->user( 'subscriber', array( 'mybnb_host_id' => 'h_owner' ) ) );
		$own = $this->statement();
		$this->assertSame( 200, $own->get_status() );
		$this->assertSame( 33950, $own->get_data()['totals'][0]['net_minor'] );
		$this->assertRefused( 403, $this->get( '/mybnb/v1/hosts/h_other/statement', array( 'from' => '2026-10-01', 'to' => '2026-10-31' ) ), 'other host' );
		$this->assertRefused( 403, $this->get( '/mybnb/v1/bookings/bk_1' ), 'host reading the guest view' );
		$this->assertSame( 200, $this->get( '/mybnb/v1/bookings/bk_1/preview', array( 'by' => 'host' ) )->get_status(), 'host-side preview of own booking' );
	}

	public function test_other_host_gets_403(): void {
		wp_set_current_user( $this->user( 'subscriber', array( 'mybnb_host_id' => 'h_other' ) ) );
		$this->assertRefused( 403, $this->statement(), 'statement' );
		$this->assertRefused( 403, $this->get( '/mybnb/v1/bookings/bk_1/preview', array( 'by' => 'host' ) ), 'host preview' );
	}

	public function test_guest_id_of_a_host_does_not_open_statements(): void {
		wp_set_current_user( $this->user( 'subscriber', array( 'mybnb_guest_id' => 'h_owner' ) ) );
		$this->assertRefused( 403, $this->statement(), 'guest meta equal to a host id' );
	}

	public function test_admin_sees_any_and_sidecar_errors_pass_through(): void {
		wp_set_current_user( $this->user( 'administrator' ) );
		foreach ( self::BOOKING_ROUTES as $route ) {
			$this->assertSame( 200, $this->get( $route )->get_status(), $route );
		}
		$this->assertSame( 200, $this->statement()->get_status() );
		$this->assertArrayHasKey( 'fees', $this->get( '/mybnb/v1/bookings/bk_1' )->get_data(), 'admins see the whole booking' );
		$missing = $this->get( '/mybnb/v1/bookings/bk_nope' );
		$this->assertSame( 404, $missing->get_status() );
		$this->assertSame( 'mybnb_not_found', $missing->get_data()['code'] );
	}

	public function test_editor_is_not_admin(): void {
		wp_set_current_user( $this->user( 'editor' ) );
		$this->assertRefused( 403, $this->get( '/mybnb/v1/bookings/bk_1' ), 'editor' );
		$this->assertRefused( 403, $this->get( '/mybnb/v1/connection' ), 'editor connection' );
	}

	public function test_statement_dates_are_validated(): void {
		wp_set_current_user( $this->user( 'subscriber', array( 'mybnb_host_id' => 'h_owner' ) ) );
		$this->assertSame( 400, $this->get( self::STATEMENT, array( 'from' => '2026-02-30', 'to' => '2026-03-01' ) )->get_status() );
		$this->assertSame( 400, $this->get( self::STATEMENT, array( 'from' => '2026-10-01' ) )->get_status() );
	}

	public function test_csv_is_passed_through_for_the_owner(): void {
		wp_set_current_user( $this->user( 'subscriber', array( 'mybnb_host_id' => 'h_owner' ) ) );
		$csv = $this->statement( array( 'format' => 'csv' ) );
		$this->assertSame( 200, $csv->get_status() );
		$this->assertSame( "booking_id,currency,net_minor\nbk_1,USD,33950\n", $csv->get_data() );
		$this->assertStringStartsWith( 'text/csv', $csv->get_headers()['Content-Type'] );
		$this->assertStringContainsString( 'attachment;', $csv->get_headers()['Content-Disposition'] );
	}

	public function test_my_bookings_route_is_the_callers_own_list_only(): void {
		$this->assertRefused( 401, $this->get( '/mybnb/v1/me/bookings' ), 'anonymous' );
		wp_set_current_user( $this->user( 'subscriber', array( 'mybnb_host_id' => 'h_owner' ) ) );
		$this->assertRefused( 403, $this->get( '/mybnb/v1/me/bookings' ), 'no guest id' );
		wp_set_current_user( $this->user( 'subscriber', array( 'mybnb_guest_id' => 'g_owner' ) ) );
		$mine = $this->get( '/mybnb/v1/me/bookings', array( 'guest_id' => 'g_other' ) );
		$this->assertSame( 200, $mine->get_status() );
		$this->assertSame( 'g_owner', $mine->get_data()['guest_id'], 'a guest_id parameter is ignored' );
		$this->assertSame( 400, $this->get( '/mybnb/v1/me/bookings', array( 'cursor' => '../x' ) )->get_status() );
	}

	public function test_guest_preview_over_rest_carries_only_the_guest_fields(): void {
		wp_set_current_user( $this->user( 'subscriber', array( 'mybnb_guest_id' => 'g_owner' ) ) );
		$data = $this->get( '/mybnb/v1/bookings/bk_1/preview' )->get_data();
		$this->assertSame( 30000, $data['outcome']['refund_to_guest'] );
		foreach ( array( 'host_payout', 'host_penalty', 'host_recovery', 'platform_fee_kept' ) as $field ) {
			$this->assertArrayNotHasKey( $field, $data['outcome'], $field );
		}
		$this->assertArrayNotHasKey( 'host_fee', $data['outcome']['lines'] );
		$this->assertArrayNotHasKey( 'explanation', $data );
		$this->assertSame( 'sha256:' . str_repeat( 'cd', 32 ), $data['outcome_hash'], 'the hash the guest consents to is untouched' );
		wp_set_current_user( $this->user( 'administrator' ) );
		Plugin::instance()->gate->forget();
		$this->assertArrayHasKey( 'host_payout', $this->get( '/mybnb/v1/bookings/bk_1/preview' )->get_data()['outcome'], 'admins see it all' );
	}
}
