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

	private const SECRET = 'sk_sidecar_example_0123456789abcdef';
	private const T      = 1788000000;

	/**
	 * docs/signing.md, worked example 2: the signed read WordPress sends.
	 */
	public function test_reproduces_the_documented_read_vector(): void {
		$path = '/preview/outcome?action=cancel&booking_id=bk_1001&by=guest';
		$this->assertSame(
			'1788000000.GET./preview/outcome?action=cancel&booking_id=bk_1001&by=guest.e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
			Signer::signed_payload( self::T, 'GET', $path, '' )
		);
		$this->assertSame(
			'keyId=wp-reader-1,t=1788000000,v1=a9605e4bf3dd9354f42cc19ca2cd9225aa5a1005f9d6d9a82dc4257ed37dae8c',
			Signer::header( 'wp-reader-1', self::SECRET, self::T, 'GET', $path, '' )
		);
		$this->assertSame(
			$path,
			MyBnB\Payments\Sidecar\Client::path_with_query( '', '/preview/outcome', array( 'action' => 'cancel', 'booking_id' => 'bk_1001', 'by' => 'guest' ) ),
			'the client builds exactly the documented request line'
		);
	}

	/**
	 * docs/signing.md, worked example 1 (a POST the plugin never sends): same algorithm, with a body.
	 */
	public function test_reproduces_the_documented_event_vector(): void {
		$body = '{"id":"bev_0001","type":"stay.checked_in","occurred_at":"2026-09-05T15:30:00Z","data":{"booking_id":"bk_1001"}}';
		$this->assertSame(
			'1788000000.POST./events/booking.e8ef6884a1fdff1f17aa4befc3751b9d7fc02fd71668a5998935a95df98eede4',
			Signer::signed_payload( self::T, 'POST', '/events/booking', $body )
		);
		$this->assertSame(
			'keyId=be-2026-09,t=1788000000,v1=c9554af4d53374687e31d486b35b915eb77c2f84f9985a063e46e8042cee6106',
			Signer::header( 'be-2026-09', self::SECRET, self::T, 'POST', '/events/booking', $body )
		);
	}

	/**
	 * The vectors above are the ones docs/signing.md publishes (when the repository is at hand).
	 */
	public function test_vectors_match_the_document(): void {
		$doc = dirname( __DIR__, 2 ) . '/docs/signing.md';
		if ( ! is_file( $doc ) ) {
			$this->markTestSkipped( 'docs/signing.md not beside the plugin (installed from the zip)' );
		}
		$text = (string) file_get_contents( $doc );
		$this->assertStringContainsString( self::SECRET, $text );
		$this->assertStringContainsString( 'MyBnB-Signature: keyId=wp-reader-1,t=1788000000,v1=a9605e4bf3dd9354f42cc19ca2cd9225aa5a1005f9d6d9a82dc4257ed37dae8c', $text );
		$this->assertStringContainsString( 'MyBnB-Signature: keyId=be-2026-09,t=1788000000,v1=c9554af4d53374687e31d486b35b915eb77c2f84f9985a063e46e8042cee6106', $text );
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
