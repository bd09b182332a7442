<?php
/**
 * The client: GET only, signed, timeouts, and sidecar errors mapped to WP_Error.
 *
 * @package MyBnB\Payments
 */

use MyBnB\Payments\Plugin;
use MyBnB\Payments\Sidecar\Client;
use MyBnB\Payments\Tests\SiteTestCase;

final class ClientTest extends SiteTestCase {

	private function client(): Client {
		return Plugin::instance()->client;
	}

	public function test_sends_a_signed_get_with_a_timeout_and_no_body(): void {
		$booking = $this->client()->booking( 'bk_1' );
		$this->assertIsArray( $booking );
		$this->assertSame( 'g_owner', $booking['guest_id'] );
		$this->assertCount( 1, $this->sidecar->requests );
		$request = $this->sidecar->requests[0];
		$this->assertSame( 'GET', $request['method'] );
		$this->assertEmpty( $request['body'] );
		$this->assertMatchesRegularExpression( '/^keyId=[^,]+,t=\d+,v1=[0-9a-f]{64}$/', $request['headers']['MyBnB-Signature'] );
		$this->assertStringEndsWith( '/bookings/bk_1', $request['url'] );
	}

	public function test_exposes_no_way_to_write(): void {
		$methods = array_map( static fn ( ReflectionMethod $m ) => $m->getName(), ( new ReflectionClass( Client::class ) )->getMethods( ReflectionMethod::IS_PUBLIC ) );
		foreach ( $methods as $name ) {
			$this->assertDoesNotMatchRegularExpression( '/post|put|patch|delete|write|send|request/i', $name, "public method $name" );
		}
		$source = (string) file_get_contents( ( new ReflectionClass( Client::class ) )->getFileName() );
		$this->assertDoesNotMatchRegularExpression( '/wp_remote_(post|request|head)|wp_safe_remote_post|[\'"]method[\'"]\s*=>/', $source );
		// The parallel reads (Requests::request_multiple) are GETs without a body, too.
		$this->assertDoesNotMatchRegularExpression( '/Requests::(POST|PUT|PATCH|DELETE|HEAD|OPTIONS)|[\'"]data[\'"]\s*=>/', $source );
		$this->assertSame( 1, preg_match_all( '/[\'"]type[\'"]\s*=>\s*\\\\?WpOrg\\\\Requests\\\\Requests::GET/', $source ), 'the one parallel request type is GET' );
	}

	public function test_problem_json_maps_to_mybnb_code_with_status_and_detail(): void {
		$this->sidecar->raw( '/bookings/bk_gone', 404, 'application/problem+json', '{"type":"about:blank","title":"Not found","status":404,"code":"not_found","detail":"booking bk_gone is unknown"}' );
		$error = $this->client()->booking( 'bk_gone' );
		$this->assertInstanceOf( WP_Error::class, $error );
		$this->assertSame( 'mybnb_not_found', $error->get_error_code() );
		$this->assertSame( 'booking bk_gone is unknown', $error->get_error_message() );
		$this->assertSame( array( 'status' => 404 ), $error->get_error_data() );
	}

	public function test_problem_without_detail_uses_title_and_keeps_503(): void {
		$this->sidecar->raw( '/readyz', 503, 'application/problem+json', '{"type":"about:blank","title":"Schema behind","status":503,"code":"schema_behind"}' );
		$error = $this->client()->readyz();
		$this->assertInstanceOf( WP_Error::class, $error );
		$this->assertSame( 'mybnb_schema_behind', $error->get_error_code() );
		$this->assertSame( 'Schema behind', $error->get_error_message() );
		$this->assertSame( 503, $error->get_error_data()['status'] );
	}

	public function test_a_stale_signature_is_refused_and_mapped(): void {
		// Same settings and transport, but a clock 10 minutes behind: outside the 300 s tolerance.
		$stale = new Client( Plugin::instance()->settings, null, static fn (): int => time() - 600 );
		$error = $stale->booking( 'bk_1' );
		$this->assertInstanceOf( WP_Error::class, $error );
		$this->assertSame( 'mybnb_signature_invalid', $error->get_error_code() );
		$this->assertSame( 401, $error->get_error_data()['status'] );
	}

	public function test_non_problem_error_is_a_bad_gateway(): void {
		$this->sidecar->raw( '/bookings/bk_html', 500, 'text/html', '<h1>oops</h1>' );
		$error = $this->client()->booking( 'bk_html' );
		$this->assertSame( 'mybnb_bad_gateway', $error->get_error_code() );
		$this->assertSame( 502, $error->get_error_data()['status'] );
	}

	public function test_unsafe_problem_code_is_not_trusted(): void {
		$this->sidecar->raw( '/bookings/bk_x', 400, 'application/problem+json', '{"title":"x","status":400,"code":"Robert\'); DROP"}' );
		$this->assertSame( 'mybnb_bad_gateway', $this->client()->booking( 'bk_x' )->get_error_code() );
	}

	public function test_transport_failure_is_unreachable_503(): void {
		$this->sidecar->transport_error = new WP_Error( 'http_request_failed', 'cURL error 7: Connection refused' );
		$error                          = $this->client()->booking( 'bk_1' );
		$this->assertSame( 'mybnb_sidecar_unreachable', $error->get_error_code() );
		$this->assertSame( 503, $error->get_error_data()['status'] );
		$this->assertStringContainsString( 'Connection refused', $error->get_error_message() );
	}

	public function test_2xx_that_is_not_json_is_a_bad_response(): void {
		$this->sidecar->raw( '/bookings/bk_bad', 200, 'application/json', 'not json' );
		$this->assertSame( 'mybnb_bad_response', $this->client()->booking( 'bk_bad' )->get_error_code() );
	}

	public function test_not_configured_sends_nothing(): void {
		if ( defined( 'MYBNB_SIDECAR_URL' ) ) {
			$this->markTestSkipped( 'MYBNB_SIDECAR_URL is fixed by wp-config.php' );
		}
		update_option( 'mybnb_payments_settings', array() );
		$error = $this->client()->booking( 'bk_1' );
		$this->assertSame( 'mybnb_not_configured', $error->get_error_code() );
		$this->assertCount( 0, $this->sidecar->requests );
	}
}
