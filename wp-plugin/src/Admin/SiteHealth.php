<?php
/**
 * Tools → Site Health: is the sidecar reachable, does it accept our signature, is it spoken to
 * over https where it matters.
 *
 * @package MyBnB\Payments
 */

namespace MyBnB\Payments\Admin;

use MyBnB\Payments\Settings;
use MyBnB\Payments\Sidecar\Client;

/**
 * Three direct tests, each with a stable id under `mybnb_`.
 */
final class SiteHealth {

	public function __construct( private Settings $settings, private Client $client ) {}

	public function hooks(): void {
		add_filter( 'site_status_tests', array( $this, 'tests' ) );
	}

	/**
	 * @param array<string,mixed> $tests
	 * @return array<string,mixed>
	 */
	public function tests( $tests ): array {
		$tests = is_array( $tests ) ? $tests : array();
		$tests['direct']['mybnb_sidecar_reachable'] = array(
			'label' => __( 'MyBnB Payments sidecar reachable', 'mybnb-payments' ),
			'test'  => array( $this, 'reachable' ),
		);
		$tests['direct']['mybnb_signature_accepted'] = array(
			'label' => __( 'MyBnB Payments signature accepted', 'mybnb-payments' ),
			'test'  => array( $this, 'signature' ),
		);
		$tests['direct']['mybnb_https'] = array(
			'label' => __( 'MyBnB Payments sidecar over https', 'mybnb-payments' ),
			'test'  => array( $this, 'https' ),
		);
		return $tests;
	}

	/**
	 * @return array<string,mixed>
	 */
	public function reachable(): array {
		$answer = $this->client->readyz();
		if ( is_wp_error( $answer ) ) {
			return self::result( 'mybnb_sidecar_reachable', 'critical', __( 'The MyBnB Payments sidecar cannot be reached', 'mybnb-payments' ), $answer->get_error_message() );
		}
		/* translators: %s: status reported by the sidecar, e.g. "ready" */
		return self::result( 'mybnb_sidecar_reachable', 'good', __( 'The MyBnB Payments sidecar is reachable', 'mybnb-payments' ), sprintf( __( 'It reports: %s', 'mybnb-payments' ), isset( $answer['status'] ) && is_scalar( $answer['status'] ) ? (string) $answer['status'] : '?' ) );
	}

	/**
	 * @return array<string,mixed>
	 */
	public function signature(): array {
		$answer = $this->client->whoami();
		if ( is_wp_error( $answer ) ) {
			return self::result( 'mybnb_signature_accepted', 'critical', __( 'The MyBnB Payments sidecar does not accept this site\'s signature', 'mybnb-payments' ), $answer->get_error_message() );
		}
		/* translators: 1: key id, 2: role, 3: clock skew in seconds */
		$detail = sprintf( __( 'Key %1$s with role %2$s; clock skew %3$s s.', 'mybnb-payments' ), $answer['key_id'], $answer['role'], ( $answer['skew_s'] >= 0 ? '+' : '' ) . $answer['skew_s'] );
		if ( 'reader' !== $answer['role'] || abs( $answer['skew_s'] ) > 60 ) {
			return self::result( 'mybnb_signature_accepted', 'recommended', __( 'The MyBnB Payments key works, but needs attention', 'mybnb-payments' ), $detail . ' ' . __( 'Use a key with the reader role only, and keep the clocks within a minute.', 'mybnb-payments' ) );
		}
		return self::result( 'mybnb_signature_accepted', 'good', __( 'The MyBnB Payments sidecar accepts this site\'s signature', 'mybnb-payments' ), $detail );
	}

	/**
	 * @return array<string,mixed>
	 */
	public function https(): array {
		$url         = $this->settings->get( 'sidecar_url' );
		$environment = wp_get_environment_type();
		$status      = self::https_status( $url, $environment );
		if ( str_starts_with( strtolower( $url ), 'https://' ) ) {
			return self::result( 'mybnb_https', 'good', __( 'The MyBnB Payments sidecar is reached over https', 'mybnb-payments' ), $url );
		}
		if ( 'good' === $status ) {
			/* translators: %s: environment type, e.g. "local" */
			return self::result( 'mybnb_https', 'good', __( 'The MyBnB Payments sidecar uses http, allowed in development', 'mybnb-payments' ), sprintf( __( 'This site\'s environment type is %s.', 'mybnb-payments' ), $environment ) );
		}
		return self::result( 'mybnb_https', 'critical', __( 'The MyBnB Payments sidecar is not reached over https', 'mybnb-payments' ), __( 'Outside development, signed reads carry guests\' bookings: use an https:// sidecar URL.', 'mybnb-payments' ) );
	}

	/**
	 * The rule: https always passes; http passes only in a `local` or `development` environment.
	 */
	public static function https_status( string $url, string $environment ): string {
		if ( str_starts_with( strtolower( $url ), 'https://' ) ) {
			return 'good';
		}
		return in_array( $environment, array( 'local', 'development' ), true ) ? 'good' : 'critical';
	}

	/**
	 * @return array<string,mixed>
	 */
	private static function result( string $test, string $status, string $label, string $detail ): array {
		return array(
			'label'       => $label,
			'status'      => $status,
			'badge'       => array(
				'label' => __( 'MyBnB Payments', 'mybnb-payments' ),
				'color' => 'good' === $status ? 'blue' : 'red',
			),
			'description' => '<p>' . esc_html( $detail ) . '</p>',
			'actions'     => '<p><a href="' . esc_url( admin_url( 'options-general.php?page=' . SettingsPage::SLUG ) ) . '">' . esc_html__( 'MyBnB Payments settings', 'mybnb-payments' ) . '</a></p>',
			'test'        => $test,
		);
	}
}
