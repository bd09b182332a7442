<?php
/**
 * The read cache: transients keyed by the signed request, short TTL, early flush, parallel reads.
 *
 * @package MyBnB\Payments
 */

use MyBnB\Payments\Plugin;
use MyBnB\Payments\Sidecar\Cache;
use MyBnB\Payments\Tests\SiteTestCase;

final class CacheTest extends SiteTestCase {

	private function client() {
		return Plugin::instance()->client;
	}

	/** A new PHP request: only the transients remain. */
	private function next_request(): void {
		Plugin::instance()->gate->forget();
	}

	public function test_a_read_is_served_from_the_cache_on_the_next_page_view(): void {
		$this->assertSame( 35000, $this->client()->booking( 'bk_1' )['total_minor'] );
		$this->next_request();
		$this->assertSame( 35000, $this->client()->booking( 'bk_1' )['total_minor'] );
		$this->assertCount( 1, $this->sidecar->requests, 'the second view asked nothing' );
		$this->next_request();
		$this->client()->receipt( 'bk_1' );
		$this->assertCount( 2, $this->sidecar->requests, 'another path is another key' );
	}

	public function test_keys_follow_the_signed_request_not_the_signature(): void {
		$cache = new Cache();
		$a     = $cache->key( 'http://s', 'wp1', '/bookings/bk_1' );
		$this->assertSame( $a, $cache->key( 'http://s', 'wp1', '/bookings/bk_1' ) );
		$this->assertNotSame( $a, $cache->key( 'http://s', 'wp2', '/bookings/bk_1' ), 'another key id' );
		$this->assertNotSame( $a, $cache->key( 'http://t', 'wp1', '/bookings/bk_1' ), 'another sidecar' );
		$this->assertNotSame( $a, $cache->key( 'http://s', 'wp1', '/bookings/bk_1/receipt' ) );
		$this->assertLessThanOrEqual( 172, strlen( $a ), 'a valid transient name' );
	}

	public function test_errors_and_previews_are_not_kept(): void {
		$this->sidecar->raw( '/bookings/bk_gone', 404, 'application/problem+json', '{"code":"not_found","status":404,"title":"Not found"}' );
		$this->client()->booking( 'bk_gone' );
		$this->next_request();
		$this->client()->booking( 'bk_gone' );
		$this->assertCount( 2, $this->sidecar->requests, 'a 404 is asked again' );
		$this->client()->cancellation_preview( 'bk_1', 'guest' );
		$this->client()->cancellation_preview( 'bk_1', 'guest' );
		$this->assertCount( 3, $this->sidecar->requests, 'within one page view a preview is read once' );
		$this->next_request();
		$this->client()->cancellation_preview( 'bk_1', 'guest' );
		$this->assertCount( 4, $this->sidecar->requests, 'the next page view reads the preview afresh (it is consent)' );
	}

	public function test_flush_for_a_booking_forgets_it_and_the_lists_but_not_other_bookings(): void {
		$this->sidecar->json( '/bookings/bk_2', array( 'booking_id' => 'bk_2', 'guest_id' => 'g_owner' ) );
		$this->client()->booking( 'bk_1' );
		$this->client()->booking( 'bk_2' );
		$this->client()->host_statement( 'h_owner', '2026-10-01', '2026-10-31' );
		$this->assertCount( 3, $this->sidecar->requests );
		mybnb_cache_flush_for( 'bk_1' );
		$this->next_request();
		$this->client()->booking( 'bk_1' );
		$this->client()->booking( 'bk_2' );
		$this->client()->host_statement( 'h_owner', '2026-10-01', '2026-10-31' );
		$paths = array_map( static fn ( $r ) => wp_parse_url( $r['url'], PHP_URL_PATH ), array_slice( $this->sidecar->requests, 3 ) );
		$this->assertSame( array( '/bookings/bk_1', '/hosts/h_owner/statement' ), $paths );
	}

	public function test_ttl_zero_disables_the_cache(): void {
		$off = static fn () => 0;
		add_filter( 'mybnb_payments_cache_ttl_s', $off );
		try {
			$this->client()->booking( 'bk_1' );
			$this->next_request();
			$this->client()->booking( 'bk_1' );
			$this->assertCount( 2, $this->sidecar->requests );
		} finally {
			remove_filter( 'mybnb_payments_cache_ttl_s', $off );
		}
	}

	public function test_timeout_is_three_seconds_by_default_and_bounded(): void {
		$this->client()->booking( 'bk_1' );
		$this->assertSame( 3, Plugin::instance()->client::timeout_s() );
		$huge = static fn () => 999;
		add_filter( 'mybnb_payments_sidecar_timeout_s', $huge );
		$this->assertSame( 30, Plugin::instance()->client::timeout_s() );
		remove_filter( 'mybnb_payments_sidecar_timeout_s', $huge );
	}

	public function test_prefetch_reads_together_then_serves_from_the_cache(): void {
		$this->client()->prefetch( array( array( '/bookings/bk_1' ), array( '/bookings/bk_1/receipt' ) ) );
		$this->assertCount( 2, $this->sidecar->requests );
		foreach ( $this->sidecar->requests as $request ) {
			$this->assertMatchesRegularExpression( '/^keyId=wp-test,t=\d+,v1=[0-9a-f]{64}$/', $request['headers']['MyBnB-Signature'], 'each parallel read is signed' );
		}
		$this->assertSame( 35000, $this->client()->receipt( 'bk_1' )['net_paid_minor'] );
		$this->assertSame( 'g_owner', $this->client()->booking( 'bk_1' )['guest_id'] );
		$this->assertCount( 2, $this->sidecar->requests, 'the later calls were served by the prefetch' );
	}

	/**
	 * A tiny real sidecar stand-in that answers every request after $delay_us (php -S, 4 workers).
	 *
	 * @return array{0:resource, 1:int, 2:string} process, port, script
	 */
	private function slow_server( int $delay_us ): array {
		$server = stream_socket_server( 'tcp://127.0.0.1:0', $errno, $errstr );
		$this->assertNotFalse( $server, $errstr );
		$port = (int) substr( strrchr( stream_socket_get_name( $server, false ), ':' ), 1 );
		fclose( $server );
		$script = sys_get_temp_dir() . '/mybnb-slow-' . $port . '.php';
		file_put_contents( $script, '<?php usleep(' . $delay_us . '); header("Content-Type: application/json"); echo json_encode(array("path" => $_SERVER["REQUEST_URI"]));' );
		$proc = proc_open( array( PHP_BINARY, '-S', '127.0.0.1:' . $port, $script ), array( array( 'pipe', 'r' ), array( 'file', '/dev/null', 'w' ), array( 'file', '/dev/null', 'w' ) ), $pipes, null, array( 'PHP_CLI_SERVER_WORKERS' => '4' ) );
		for ( $i = 0; $i < 50 && ! @fsockopen( '127.0.0.1', $port ); $i++ ) { // phpcs:ignore
			usleep( 100000 );
		}
		$this->sidecar->uninstall(); // over the wire this time
		$opt                = get_option( 'mybnb_payments_settings' );
		$opt['sidecar_url'] = 'http://127.0.0.1:' . $port;
		update_option( 'mybnb_payments_settings', $opt );
		return array( $proc, $port, $script );
	}

	private function stop_server( array $server ): void {
		proc_terminate( $server[0] );
		proc_close( $server[0] );
		@unlink( $server[2] ); // phpcs:ignore
		$this->sidecar->install();
	}

	public function test_prefetch_really_goes_out_in_parallel_over_the_wire(): void {
		// Every read takes 1 s: three together take ~1 s; one after another would take 3 s. (1 s, not
		// more, leaves each read 2 s below the client's 3 s timeout on a loaded machine.)
		// php -S's workers sometimes take connections one after another on a busy machine, so the
		// best of three tries counts (fresh ids each time: never served from the cache). A client
		// reading one after another would take 3 s every time.
		$server = $this->slow_server( 1000000 );
		try {
			$best = INF;
			for ( $try = 0; $try < 3 && $best >= 2.7; $try++ ) {
				$started = microtime( true );
				$this->client()->prefetch( array( array( "/bookings/bk_a$try" ), array( "/bookings/bk_b$try" ), array( "/bookings/bk_c$try" ) ) );
				$best = min( $best, microtime( true ) - $started );
				$this->assertSame( "/bookings/bk_b$try", $this->client()->booking( "bk_b$try" )['path'], 'served from the prefetch' );
			}
			$this->assertLessThan( 2.7, $best, 'three 1 s reads together, not one after another' );
		} finally {
			$this->stop_server( $server );
		}
	}

	public function test_a_hung_sidecar_costs_one_timeout_per_page_not_one_per_read(): void {
		$server = $this->slow_server( 8000000 );
		try {
			$started = microtime( true );
			$first   = $this->client()->booking( 'bk_1' );
			$waited  = microtime( true ) - $started;
			$this->assertSame( 'mybnb_sidecar_unreachable', $first->get_error_code() );
			$this->assertGreaterThan( 2.5, $waited, 'it waited for the timeout' );
			$this->assertLessThan( 5.0, $waited, 'the 3 s timeout, not the 8 s the sidecar would take' );
			$started = microtime( true );
			$this->assertSame( 'mybnb_sidecar_unreachable', $this->client()->receipt( 'bk_1' )->get_error_code() );
			$this->assertLessThan( 0.5, microtime( true ) - $started, 'marked down: the next read fails at once' );
		} finally {
			$this->stop_server( $server );
		}
	}
}
