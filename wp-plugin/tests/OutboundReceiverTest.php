<?php
/**
 * The outbound-events route: Standard Webhooks verification, cache invalidation through
 * transients only, nothing else written.
 *
 * @package MyBnB\Payments
 */

namespace MyBnB\Payments\Tests;

use MyBnB\Payments\Rest\OutboundReceiver;
use PHPUnit\Framework\TestCase;
use WP_REST_Request;

final class OutboundReceiverTest extends TestCase {

	/** @var array{secret:string, headers:array<string,string>, body:string} */
	private array $fixture;

	protected function setUp(): void {
		parent::setUp();
		$this->fixture = json_decode( (string) file_get_contents( __DIR__ . '/fixtures/outbound-event.json' ), true );
		update_option( OutboundReceiver::SECRET_OPTION, $this->fixture['secret'] );
		delete_transient( 'mybnb_seen_' . md5( $this->fixture['headers']['webhook-id'] ) );
	}

	protected function tearDown(): void {
		delete_option( OutboundReceiver::SECRET_OPTION );
		parent::tearDown();
	}

	/**
	 * @param array<string,string> $headers
	 */
	private function request( string $body, array $headers ): WP_REST_Request {
		$r = new WP_REST_Request( 'POST', '/mybnb/v1/outbound' );
		$r->set_body( $body );
		$r->set_header( 'content-type', 'application/json' );
		foreach ( $headers as $k => $v ) {
			$r->set_header( $k, $v );
		}
		return $r;
	}

	private function at_fixture_time(): OutboundReceiver {
		$ts = (int) $this->fixture['headers']['webhook-timestamp'];
		return new OutboundReceiver( static fn (): int => $ts + 10 );
	}

	public function test_a_message_signed_by_the_standardwebhooks_library_verifies_and_invalidates_only_transients(): void {
		global $wpdb;
		$receiver = $this->at_fixture_time();
		$request  = $this->request( $this->fixture['body'], $this->fixture['headers'] );
		$this->assertTrue( $receiver->verify( $request ) );
		$before_booking = OutboundReceiver::generation( 'booking', 'bk_wp_1' );
		$before_host    = OutboundReceiver::generation( 'host', 'host_wp_1' );
		$heard          = array();
		$listener       = static function ( string $kind, string $id ) use ( &$heard ): void {
			$heard[] = "$kind:$id";
		};
		add_action( 'mybnb_payments_invalidate', $listener, 10, 2 );
		$options_before = (int) $wpdb->get_var( "SELECT COUNT(*) FROM {$wpdb->options} WHERE option_name NOT LIKE '\\_transient%'" );
		$response       = $receiver->receive( $request );
		$options_after  = (int) $wpdb->get_var( "SELECT COUNT(*) FROM {$wpdb->options} WHERE option_name NOT LIKE '\\_transient%'" );
		remove_action( 'mybnb_payments_invalidate', $listener, 10 );
		$this->assertSame( 200, $response->get_status() );
		$this->assertSame( 'invalidated', $response->get_data()['result'] );
		$this->assertNotSame( $before_booking, OutboundReceiver::generation( 'booking', 'bk_wp_1' ) );
		$this->assertNotSame( $before_host, OutboundReceiver::generation( 'host', 'host_wp_1' ) );
		$this->assertSame( array( 'booking:bk_wp_1', 'host:host_wp_1' ), $heard );
		$this->assertSame( $options_before, $options_after, 'nothing but transients was written' );
		// The same webhook-id again: acknowledged, nothing changes.
		$generation = OutboundReceiver::generation( 'booking', 'bk_wp_1' );
		$this->assertSame( 'duplicate', $receiver->receive( $request )->get_data()['result'] );
		$this->assertSame( $generation, OutboundReceiver::generation( 'booking', 'bk_wp_1' ) );
	}

	public function test_a_changed_body_a_wrong_secret_or_a_stale_timestamp_is_refused(): void {
		$receiver = $this->at_fixture_time();
		$tampered = str_replace( '4200', '9999', $this->fixture['body'] );
		$this->assertSame( 401, $receiver->verify( $this->request( $tampered, $this->fixture['headers'] ) )->get_error_data()['status'] );
		$stale = new OutboundReceiver( fn (): int => (int) $this->fixture['headers']['webhook-timestamp'] + 3600 );
		$this->assertInstanceOf( \WP_Error::class, $stale->verify( $this->request( $this->fixture['body'], $this->fixture['headers'] ) ) );
		update_option( OutboundReceiver::SECRET_OPTION, 'whsec_' . base64_encode( 'a-rotated-out-secret-0123456789' ) );
		$this->assertInstanceOf( \WP_Error::class, $receiver->verify( $this->request( $this->fixture['body'], $this->fixture['headers'] ) ) );
		// During a rotation both secrets are configured: either one verifies.
		update_option( OutboundReceiver::SECRET_OPTION, 'whsec_' . base64_encode( 'a-rotated-out-secret-0123456789' ) . ' ' . $this->fixture['secret'] );
		$this->assertTrue( $receiver->verify( $this->request( $this->fixture['body'], $this->fixture['headers'] ) ) );
		$missing = $this->fixture['headers'];
		unset( $missing['webhook-signature'] );
		$this->assertInstanceOf( \WP_Error::class, $receiver->verify( $this->request( $this->fixture['body'], $missing ) ) );
		delete_option( OutboundReceiver::SECRET_OPTION );
		$this->assertSame( 503, $receiver->verify( $this->request( $this->fixture['body'], $this->fixture['headers'] ) )->get_error_data()['status'] );
	}

	public function test_the_route_is_registered_post_only_and_refuses_unsigned_requests(): void {
		$unsigned = rest_do_request( $this->request( $this->fixture['body'], array() ) );
		$this->assertSame( 401, $unsigned->get_status() );
		$get = rest_do_request( new WP_REST_Request( 'GET', '/mybnb/v1/outbound' ) );
		$this->assertContains( $get->get_status(), array( 404, 405 ) );
		// Signed now (the site's clock) with the configured secret, through WordPress's REST server.
		$id   = 'evt_' . str_repeat( 'c', 32 );
		$ts   = (string) time();
		$body = '{"id":"' . $id . '","type":"payout.sent","occurred_at":"2026-09-01T12:00:00Z","booking_id":"bk_wp_2","host_id":"host_wp_2","seq":1,"data":{}}';
		$key  = base64_decode( substr( $this->fixture['secret'], 6 ) );
		$sig  = 'v1,' . base64_encode( hash_hmac( 'sha256', "$id.$ts.$body", $key, true ) );
		delete_transient( 'mybnb_seen_' . md5( $id ) );
		$ok = rest_do_request( $this->request( $body, array( 'webhook-id' => $id, 'webhook-timestamp' => $ts, 'webhook-signature' => $sig ) ) );
		$this->assertSame( 200, $ok->get_status() );
		$this->assertSame( array( 'booking', 'host' ), $ok->get_data()['invalidated'] );
	}
}
