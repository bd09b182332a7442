<?php
/**
 * The signing vector: the PHP signer must reproduce the documented example byte for byte.
 *
 * @package MyBnB\Payments
 */

use MyBnB\Payments\Sidecar\Client;
use MyBnB\Payments\Sidecar\Signer;
use PHPUnit\Framework\TestCase;

final class SignerTest extends TestCase {

	/**
	 * Vector computed independently with node:crypto (see docs/wordpress.md):
	 * secret "wp1-demo-secret", t 1767225600, GET /preview/outcome?action=cancel&booking_id=bk_demo_1&by=guest, empty body.
	 */
	public function test_reproduces_the_reference_vector(): void {
		$path = '/preview/outcome?action=cancel&booking_id=bk_demo_1&by=guest';
		$this->assertSame(
			'1767225600.GET./preview/outcome?action=cancel&booking_id=bk_demo_1&by=guest.e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
			Signer::signed_payload( 1767225600, 'GET', $path, '' )
		);
		$this->assertSame(
			'keyId=wp1,t=1767225600,v1=90f226e3a08932dbc27d8037ccb5d532f9ca863f7c1eeed964db812f2ef5432d',
			Signer::header( 'wp1', 'wp1-demo-secret', 1767225600, 'GET', $path, '' )
		);
	}

	public function test_every_signed_part_changes_the_signature(): void {
		$base = Signer::v1( 's', 100, 'GET', '/a?x=1', '' );
		$this->assertNotSame( $base, Signer::v1( 't', 100, 'GET', '/a?x=1', '' ) );
		$this->assertNotSame( $base, Signer::v1( 's', 101, 'GET', '/a?x=1', '' ) );
		$this->assertNotSame( $base, Signer::v1( 's', 100, 'POST', '/a?x=1', '' ) );
		$this->assertNotSame( $base, Signer::v1( 's', 100, 'GET', '/a?x=2', '' ) );
		$this->assertNotSame( $base, Signer::v1( 's', 100, 'GET', '/a?x=1', '{}' ) );
		$this->assertSame( $base, Signer::v1( 's', 100, 'get', '/a?x=1', '' ), 'method is upper-cased' );
	}

	public function test_query_is_encoded_rfc3986_in_the_order_given(): void {
		$this->assertSame(
			'/base/hosts/h%201/statement?from=2026-01-01&to=2026-01-31&note=a%20b%2Bc',
			Client::path_with_query( '/base/', '/hosts/h%201/statement', array( 'from' => '2026-01-01', 'to' => '2026-01-31', 'note' => 'a b+c' ) )
		);
		$this->assertSame( '/readyz', Client::path_with_query( '', '/readyz', array() ) );
	}
}
