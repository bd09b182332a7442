<?php
/**
 * Settings: constants win, the secret is never echoed, blank keeps the stored secret.
 *
 * @package MyBnB\Payments
 */

use MyBnB\Payments\Admin\SettingsPage;
use MyBnB\Payments\Plugin;
use MyBnB\Payments\Settings;
use MyBnB\Payments\Tests\SiteTestCase;

final class SettingsTest extends SiteTestCase {

	private function page_html(): string {
		wp_set_current_user( $this->user( 'administrator' ) );
		ob_start();
		( new SettingsPage( Plugin::instance()->settings, Plugin::instance()->client ) )->render();
		return (string) ob_get_clean();
	}

	public function test_secret_is_never_echoed(): void {
		$html = $this->page_html();
		$this->assertStringNotContainsString( 'test-secret-never-shown', $html );
		$this->assertStringContainsString( 'id="mybnb-test-connection"', $html );
		if ( ! defined( 'MYBNB_SECRET' ) ) {
			$this->assertMatchesRegularExpression( '/type="password"[^>]*value=""/', $html );
		}
	}

	public function test_blank_secret_keeps_the_stored_one_and_urls_are_checked(): void {
		$clean = ( new Settings() )->sanitize(
			array(
				'sidecar_url'         => 'javascript:alert(1)',
				'key_id'              => 'wp1',
				'secret'              => '',
				'cancel_url_template' => 'https://engine.example/b/{booking_id}/cancel?c={outcome_hash}',
			)
		);
		$this->assertArrayNotHasKey( 'secret', $clean, 'the secret never goes into the autoloaded settings' );
		if ( ! defined( 'MYBNB_SECRET' ) ) {
			$this->assertSame( 'test-secret-never-shown', get_option( Settings::SECRET_OPTION ) );
			( new Settings() )->sanitize( array( 'secret' => 'a-new-secret-typed' ) );
			$this->assertSame( 'a-new-secret-typed', ( new Settings() )->get( 'secret' ) );
			global $wpdb;
			$autoload = $wpdb->get_var( $wpdb->prepare( "SELECT autoload FROM {$wpdb->options} WHERE option_name = %s", Settings::SECRET_OPTION ) );
			$this->assertContains( $autoload, array( 'no', 'off' ), 'the secret option is not autoloaded' );
			$this->assertSame( 'option', ( new Settings() )->secret_source() );
		}
		if ( ! defined( 'MYBNB_SIDECAR_URL' ) ) {
			$this->assertSame( '', $clean['sidecar_url'] );
		}
		$this->assertSame( 'https://engine.example/b/{booking_id}/cancel?c={outcome_hash}', $clean['cancel_url_template'] );
	}

	public function test_cancel_url_encodes_its_values(): void {
		$this->assertSame(
			'http://engine.test/bookings/bk%201/cancel?consent=sha256%3Aabc',
			( new Settings() )->cancel_url( 'bk 1', 'sha256:abc' )
		);
	}

	public function test_test_connection_reports_the_sidecar_answer(): void {
		$this->sidecar->json( '/readyz', array( 'status' => 'ready' ) );
		$_GET['mybnb_test_connection'] = '1';
		$_REQUEST['_wpnonce']          = wp_create_nonce( 'mybnb_test_connection' );
		wp_set_current_user( $this->user( 'administrator' ) );
		$_REQUEST['_wpnonce'] = wp_create_nonce( 'mybnb_test_connection' );
		ob_start();
		( new SettingsPage( Plugin::instance()->settings, Plugin::instance()->client ) )->render();
		$html = (string) ob_get_clean();
		unset( $_GET['mybnb_test_connection'], $_REQUEST['_wpnonce'] );
		$this->assertStringContainsString( 'notice-success', $html );
		$this->assertStringContainsString( 'Key wp-test, role: reader', $html );
		$this->assertMatchesRegularExpression( '/Clock skew: [+-]\d+ s/', $html );
		$this->assertStringNotContainsString( 'test-secret-never-shown', $html );
		$this->assertNotEmpty( $this->sidecar->requests[0]['headers']['MyBnB-Signature'] ?? '' );
	}

	/**
	 * @runInSeparateProcess
	 * @preserveGlobalState disabled
	 */
	public function test_constants_win_and_are_shown_read_only(): void {
		if ( defined( 'MYBNB_SIDECAR_URL' ) ) {
			$this->markTestSkipped( 'wp-config.php already fixes the constants' );
		}
		define( 'MYBNB_SIDECAR_URL', 'http://sidecar.internal:8080' );
		define( 'MYBNB_SECRET', 'constant-secret-never-shown' );
		$settings = new Settings();
		$this->assertSame( 'http://sidecar.internal:8080', $settings->get( 'sidecar_url' ) );
		$this->assertTrue( $settings->is_fixed( 'secret' ) );
		$this->assertSame( 'wp-test', $settings->get( 'key_id' ), 'the option still serves unfixed fields' );
		$this->assertArrayNotHasKey( 'secret', $settings->sanitize( array( 'secret' => 'typed' ) ) );
		$html = $this->page_html();
		$this->assertStringNotContainsString( 'constant-secret-never-shown', $html );
		$this->assertStringContainsString( 'value="http://sidecar.internal:8080" readonly', $html );
		$this->assertStringNotContainsString( 'name="mybnb_payments_settings[sidecar_url]"', $html );
	}

	public function test_test_connection_warns_about_a_key_that_is_not_a_reader_and_a_skewed_clock(): void {
		$this->sidecar->json( '/whoami', array( 'key_id' => 'wp-test', 'role' => 'booking-engine', 'server_time' => gmdate( 'Y-m-d\TH:i:s\Z', time() + 120 ) ) );
		wp_set_current_user( $this->user( 'administrator' ) );
		$_GET['mybnb_test_connection'] = '1';
		$_REQUEST['_wpnonce']          = wp_create_nonce( 'mybnb_test_connection' );
		ob_start();
		( new SettingsPage( Plugin::instance()->settings, Plugin::instance()->client ) )->render();
		$html = (string) ob_get_clean();
		unset( $_GET['mybnb_test_connection'], $_REQUEST['_wpnonce'] );
		$this->assertStringContainsString( 'notice-warning', $html );
		$this->assertStringContainsString( 'role: booking-engine', $html );
		$this->assertMatchesRegularExpression( '/Clock skew: \+1(19|20|21) s/', $html );
	}

	public function test_site_health_tests_report_reachability_signature_and_https(): void {
		$this->sidecar->json( '/readyz', array( 'status' => 'ready' ) );
		$tests = apply_filters( 'site_status_tests', array( 'direct' => array(), 'async' => array() ) );
		foreach ( array( 'mybnb_sidecar_reachable', 'mybnb_signature_accepted', 'mybnb_https' ) as $id ) {
			$this->assertArrayHasKey( $id, $tests['direct'] );
		}
		$this->assertSame( 'good', call_user_func( $tests['direct']['mybnb_sidecar_reachable']['test'] )['status'] );
		$this->assertSame( 'good', call_user_func( $tests['direct']['mybnb_signature_accepted']['test'] )['status'] );
		$https = call_user_func( $tests['direct']['mybnb_https']['test'] );
		// This site is `local` and its sidecar http: allowed; in production it would be critical.
		$this->assertSame( 'good', $https['status'] );
		$this->sidecar->transport_error = new WP_Error( 'http_request_failed', 'Connection refused' );
		$this->assertSame( 'critical', call_user_func( $tests['direct']['mybnb_sidecar_reachable']['test'] )['status'] );
		$this->assertSame( 'critical', call_user_func( $tests['direct']['mybnb_signature_accepted']['test'] )['status'] );
	}

	public function test_https_is_critical_outside_development(): void {
		$rule = array( \MyBnB\Payments\Admin\SiteHealth::class, 'https_status' );
		$this->assertSame( 'critical', $rule( 'http://sidecar.internal:8787', 'production' ) );
		$this->assertSame( 'critical', $rule( 'http://sidecar.internal:8787', 'staging' ) );
		$this->assertSame( 'good', $rule( 'https://sidecar.internal', 'production' ) );
		$this->assertSame( 'good', $rule( 'http://127.0.0.1:8787', 'local' ) );
		$this->assertSame( 'good', $rule( 'http://127.0.0.1:8787', 'development' ) );
	}
}
