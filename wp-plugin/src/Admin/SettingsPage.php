<?php
/**
 * Settings → MyBnB Payments.
 *
 * @package MyBnB\Payments
 */

namespace MyBnB\Payments\Admin;

use MyBnB\Payments\Settings;
use MyBnB\Payments\Sidecar\Client;

/**
 * Sidecar URL, key id, secret and the cancel-page template. Fields fixed by wp-config.php constants
 * are shown read-only; the secret is never written back into the page.
 */
final class SettingsPage {

	public const SLUG        = 'mybnb-payments';
	private const TEST_ACTION = 'mybnb_test_connection';

	public function __construct( private Settings $settings, private Client $client ) {}

	public function hooks(): void {
		add_action( 'admin_menu', array( $this, 'menu' ) );
		add_action( 'admin_init', array( $this, 'register_setting' ) );
	}

	public function menu(): void {
		add_options_page(
			__( 'MyBnB Payments', 'mybnb-payments' ),
			__( 'MyBnB Payments', 'mybnb-payments' ),
			'manage_options',
			self::SLUG,
			array( $this, 'render' )
		);
	}

	public function register_setting(): void {
		register_setting(
			self::SLUG,
			Settings::OPTION,
			array(
				'type'              => 'array',
				'sanitize_callback' => array( $this->settings, 'sanitize' ),
				'show_in_rest'      => false,
				'default'           => array(),
			)
		);
	}

	public function render(): void {
		if ( ! current_user_can( 'manage_options' ) ) {
			return;
		}
		echo '<div class="wrap"><h1>' . esc_html__( 'MyBnB Payments', 'mybnb-payments' ) . '</h1>';
		$this->render_test_result();
		echo '<form method="post" action="' . esc_url( admin_url( 'options.php' ) ) . '">';
		settings_fields( self::SLUG );
		echo '<table class="form-table" role="presentation">';
		$this->text_row( 'sidecar_url', __( 'Sidecar URL', 'mybnb-payments' ), 'url', __( 'For example http://127.0.0.1:8080', 'mybnb-payments' ) );
		$this->text_row( 'key_id', __( 'Key id', 'mybnb-payments' ), 'text', __( 'A key with the reader role.', 'mybnb-payments' ) );
		$this->secret_row();
		$this->text_row( 'cancel_url_template', __( 'Cancel page URL', 'mybnb-payments' ), 'text', __( 'The booking engine\'s cancel page. {booking_id} and {outcome_hash} are replaced.', 'mybnb-payments' ) );
		echo '</table>';
		submit_button();
		echo '</form>';
		$test_url = wp_nonce_url( add_query_arg( array( 'page' => self::SLUG, self::TEST_ACTION => '1' ), admin_url( 'options-general.php' ) ), self::TEST_ACTION );
		echo '<p><a class="button button-secondary" id="mybnb-test-connection" href="' . esc_url( $test_url ) . '">' . esc_html__( 'Test connection', 'mybnb-payments' ) . '</a></p>';
		echo '</div>';
	}

	private function text_row( string $field, string $label, string $type, string $help ): void {
		$id = 'mybnb-' . $field;
		echo '<tr><th scope="row"><label for="' . esc_attr( $id ) . '">' . esc_html( $label ) . '</label></th><td>';
		if ( $this->settings->is_fixed( $field ) ) {
			echo '<input type="text" id="' . esc_attr( $id ) . '" class="regular-text" value="' . esc_attr( $this->settings->get( $field ) ) . '" readonly> ';
			/* translators: %s: PHP constant name */
			echo '<p class="description">' . esc_html( sprintf( __( 'Set by %s in wp-config.php.', 'mybnb-payments' ), Settings::CONSTANTS[ $field ] ) ) . '</p>';
		} else {
			echo '<input type="' . esc_attr( $type ) . '" id="' . esc_attr( $id ) . '" name="' . esc_attr( Settings::OPTION . '[' . $field . ']' ) . '" class="regular-text" value="' . esc_attr( $this->settings->get( $field ) ) . '">';
			echo '<p class="description">' . esc_html( $help ) . '</p>';
		}
		echo '</td></tr>';
	}

	private function secret_row(): void {
		$has = '' !== $this->settings->get( 'secret' );
		echo '<tr><th scope="row"><label for="mybnb-secret">' . esc_html__( 'Secret', 'mybnb-payments' ) . '</label></th><td>';
		if ( $this->settings->is_fixed( 'secret' ) ) {
			echo '<input type="text" id="mybnb-secret" class="regular-text" value="' . esc_attr__( '(set in wp-config.php)', 'mybnb-payments' ) . '" readonly>';
			echo '<p class="description">' . esc_html__( 'Set by MYBNB_SECRET in wp-config.php.', 'mybnb-payments' ) . '</p>';
		} else {
			// Never echo the stored secret: an empty field keeps it.
			$placeholder = $has ? __( '(saved; leave blank to keep)', 'mybnb-payments' ) : '';
			echo '<input type="password" id="mybnb-secret" autocomplete="new-password" name="' . esc_attr( Settings::OPTION . '[secret]' ) . '" class="regular-text" value="" placeholder="' . esc_attr( $placeholder ) . '">';
		}
		echo '</td></tr>';
	}

	private function render_test_result(): void {
		// phpcs:ignore WordPress.Security.NonceVerification.Recommended -- verified just below.
		if ( ! isset( $_GET[ self::TEST_ACTION ] ) ) {
			return;
		}
		check_admin_referer( self::TEST_ACTION );
		$answer = $this->client->whoami();
		$items  = array();
		if ( is_wp_error( $answer ) ) {
			/* translators: 1: error code, 2: error message */
			$text  = sprintf( __( 'Connection failed (%1$s): %2$s', 'mybnb-payments' ), $answer->get_error_code(), $answer->get_error_message() );
			$class = 'notice-error';
		} else {
			$class = 'notice-success';
			$text  = __( 'Connected: the sidecar accepted this site\'s signature.', 'mybnb-payments' );
			/* translators: 1: key id, 2: key role, e.g. "reader" */
			$items[] = sprintf( __( 'Key %1$s, role: %2$s', 'mybnb-payments' ), $answer['key_id'], $answer['role'] );
			/* translators: %s: signed number of seconds, e.g. "+2" */
			$items[] = sprintf( __( 'Clock skew: %s s (the sidecar refuses signatures more than 300 s apart)', 'mybnb-payments' ), ( $answer['skew_s'] >= 0 ? '+' : '' ) . $answer['skew_s'] );
			/* translators: %d: milliseconds */
			$items[] = sprintf( __( 'Round trip: %d ms', 'mybnb-payments' ), $answer['elapsed_ms'] );
			if ( 'reader' !== $answer['role'] ) {
				$class   = 'notice-warning';
				$items[] = __( 'This key can do more than read: give WordPress a key with the reader role only.', 'mybnb-payments' );
			}
			if ( abs( $answer['skew_s'] ) > 60 ) {
				$class   = 'notice-warning';
				$items[] = __( 'The clocks disagree by more than a minute: synchronise this server\'s clock.', 'mybnb-payments' );
			}
		}
		echo '<div id="mybnb-test-result" class="notice ' . esc_attr( $class ) . '" role="status"><p>' . esc_html( $text ) . '</p>';
		if ( array() !== $items ) {
			echo '<ul>';
			foreach ( $items as $item ) {
				echo '<li>' . esc_html( $item ) . '</li>';
			}
			echo '</ul>';
		}
		echo '</div>';
	}
}
