<?php
/**
 * Shared rendering for the plugin's dynamic blocks.
 *
 * @package MyBnB\Payments
 */

namespace MyBnB\Payments\Blocks;

use MyBnB\Payments\Access\Gate;
use MyBnB\Payments\Ids;
use MyBnB\Payments\Money;
use MyBnB\Payments\Settings;
use MyBnB\Payments\Sidecar\Client;
use WP_Error;

/**
 * PHP renders every number (so the page is complete without JavaScript); the view script only
 * hydrates. Every value is escaped where it is written into HTML.
 */
abstract class Block {

	public function __construct( protected Client $client, protected Gate $gate, protected Settings $settings ) {}

	/** Block name without namespace, e.g. "booking-summary" (also its build folder). */
	abstract public function slug(): string;

	/**
	 * @param array<string,mixed> $attributes Block attributes (block.json is their source).
	 */
	abstract public function render( array $attributes ): string;

	/**
	 * render_callback signature.
	 *
	 * @param array<string,mixed> $attributes
	 * @param string              $content
	 */
	public function render_callback( $attributes, $content = '' ): string {
		try {
			return $this->render( is_array( $attributes ) ? $attributes : array() );
		} catch ( \Throwable $e ) {
			// Whatever went wrong, the page still renders, with the block's calm "unavailable" state.
			if ( defined( 'WP_DEBUG' ) && WP_DEBUG ) {
				error_log( 'mybnb-payments: ' . $this->slug() . ' failed: ' . $e->getMessage() ); // phpcs:ignore WordPress.PHP.DevelopmentFunctions
			}
			return $this->unavailable();
		}
	}

	/**
	 * Reads the block needs, asked of the sidecar together (in parallel) when the user may see them:
	 * the permission check's own read and the data it guards. Nothing is shown before the check.
	 *
	 * @param array<int, array{0:string, 1?:array<string,string>}> $reads
	 */
	protected function prefetch_for( string $side, array $reads ): void {
		$user_id = get_current_user_id();
		$own     = 'host' === $side ? Gate::host_id( $user_id ) : Gate::guest_id( $user_id );
		if ( $user_id > 0 && ( '' !== $own || Gate::is_admin( $user_id ) ) ) {
			$this->client->prefetch( $reads );
		}
	}

	/**
	 * The styled state shown when the sidecar cannot answer: the page renders, the block says so.
	 */
	protected function unavailable( string $detail = '' ): string {
		$html = '<div class="mybnb-notice mybnb-notice-error mybnb-notice-unavailable" role="status">'
			. '<p class="mybnb-notice-title"><strong>' . esc_html__( 'Temporarily unavailable', 'mybnb-payments' ) . '</strong></p>'
			. '<p>' . esc_html__( 'This information is not available right now. Please try again in a few minutes.', 'mybnb-payments' ) . '</p>'
			. ( '' !== $detail ? '<p class="mybnb-notice-detail"><code>' . esc_html( $detail ) . '</code></p>' : '' )
			. '</div>';
		return $this->wrap( $html );
	}

	/**
	 * The booking id from the block's attribute, else from ?booking_id= (one page serves any booking).
	 *
	 * @param array<string,mixed> $attributes
	 */
	protected static function booking_id( array $attributes ): string {
		$id = isset( $attributes['bookingId'] ) && is_string( $attributes['bookingId'] ) ? trim( $attributes['bookingId'] ) : '';
		if ( '' === $id && isset( $_GET['booking_id'] ) && is_string( $_GET['booking_id'] ) ) { // phpcs:ignore WordPress.Security.NonceVerification -- read-only view selector.
			$id = sanitize_text_field( wp_unslash( $_GET['booking_id'] ) ); // phpcs:ignore WordPress.Security.NonceVerification
		}
		return Ids::is_id( $id ) ? $id : '';
	}

	/**
	 * The block's outer element.
	 *
	 * @param array<string,string> $data data-* attributes (names without the prefix).
	 */
	protected function wrap( string $inner_html, array $data = array() ): string {
		$extra = array( 'class' => 'mybnb-block mybnb-' . $this->slug() );
		foreach ( $data as $name => $value ) {
			$extra[ 'data-' . $name ] = $value;
		}
		// get_block_wrapper_attributes() only works while WordPress renders a block.
		$rendering = class_exists( '\WP_Block_Supports' ) && null !== \WP_Block_Supports::$block_to_render;
		$attrs     = $rendering ? get_block_wrapper_attributes( $extra ) : '';
		if ( '' === $attrs ) {
			// Outside a block render (tests, direct calls): write the attributes ourselves.
			$parts = array();
			foreach ( $extra as $name => $value ) {
				$parts[] = $name . '="' . esc_attr( $value ) . '"';
			}
			$attrs = implode( ' ', $parts );
		}
		return '<div ' . $attrs . '>' . $inner_html . '</div>';
	}

	/**
	 * A message in place of data (no data is ever shown next to it).
	 */
	protected function notice( string $message, string $kind = 'info' ): string {
		return $this->wrap( '<p class="mybnb-notice mybnb-notice-' . esc_attr( $kind ) . '" role="status">' . esc_html( $message ) . '</p>' );
	}

	/**
	 * The notice for a refused or failed read. Admins see the code; others a plain sentence.
	 */
	protected function error_notice( WP_Error $error ): string {
		$status = (int) ( $error->get_error_data()['status'] ?? 500 );
		if ( 401 === $status && ! is_user_logged_in() ) {
			$login = wp_login_url( self::current_url() );
			return $this->wrap(
				'<p class="mybnb-notice mybnb-notice-login" role="status">' . esc_html__( 'Please log in to see this.', 'mybnb-payments' )
				. ' <a href="' . esc_url( $login ) . '">' . esc_html__( 'Log in', 'mybnb-payments' ) . '</a></p>'
			);
		}
		if ( 403 === $status || 401 === $status ) {
			return $this->notice( __( 'You are not allowed to see this.', 'mybnb-payments' ), 'forbidden' );
		}
		$detail = '';
		if ( current_user_can( 'manage_options' ) ) {
			/* translators: 1: error code, 2: error message */
			$detail = sprintf( __( 'The payments service answered %1$s: %2$s', 'mybnb-payments' ), $error->get_error_code(), $error->get_error_message() );
		}
		return $this->unavailable( $detail );
	}

	/**
	 * An amount cell: the formatted money, with the exact integer kept for scripts and tests.
	 *
	 * @param mixed $amount_minor
	 */
	protected static function money_cell( $amount_minor, string $currency, string $field = '' ): string {
		$attrs = ' class="mybnb-amount"';
		if ( is_int( $amount_minor ) ) {
			$attrs .= ' data-amount-minor="' . esc_attr( (string) $amount_minor ) . '" data-currency="' . esc_attr( $currency ) . '"';
		}
		if ( '' !== $field ) {
			$attrs .= ' data-field="' . esc_attr( $field ) . '"';
		}
		return '<td' . $attrs . '>' . esc_html( Money::format( $amount_minor, $currency ) ) . '</td>';
	}

	/**
	 * A cell with a count of loyalty credits (a non-cash unit, never formatted as money).
	 *
	 * @param mixed  $credits Whole credits from the sidecar.
	 * @param string $field   data-field name for hydration.
	 */
	protected static function credits_cell( $credits, string $field ): string {
		$n = is_int( $credits ) ? $credits : 0;
		/* translators: %s: number of loyalty credits */
		$text = sprintf( _n( '%s credit', '%s credits', $n, 'mybnb-payments' ), number_format_i18n( $n ) );
		return '<td class="mybnb-credits" data-credits="' . esc_attr( (string) $n ) . '" data-field="' . esc_attr( $field ) . '">' . esc_html( $text ) . '</td>';
	}

	/**
	 * A table with a caption and column headers.
	 *
	 * @param string[] $headers Column header texts (escaped here).
	 * @param string   $body    Already-escaped <tr> rows.
	 * @param string   $foot    Already-escaped <tr> rows for <tfoot>.
	 */
	protected static function table( string $caption, array $headers, string $body, string $foot = '', string $class = '' ): string {
		$head = '';
		foreach ( $headers as $header ) {
			$head .= '<th scope="col">' . esc_html( $header ) . '</th>';
		}
		return '<table class="mybnb-table ' . esc_attr( $class ) . '"><caption>' . esc_html( $caption ) . '</caption>'
			. '<thead><tr>' . $head . '</tr></thead><tbody>' . $body . '</tbody>'
			. ( '' !== $foot ? '<tfoot>' . $foot . '</tfoot>' : '' ) . '</table>';
	}

	/**
	 * "sha256:0123456789ab…" for display; the full value goes in a title/data attribute.
	 */
	protected static function short_hash( string $hash ): string {
		$hex = str_starts_with( $hash, 'sha256:' ) ? substr( $hash, 7 ) : $hash;
		return strlen( $hex ) > 12 ? substr( $hex, 0, 12 ) . '…' : $hex;
	}

	/**
	 * @param array<string,mixed> $data
	 * @param string              $key
	 */
	protected static function str( array $data, string $key ): string {
		return isset( $data[ $key ] ) && is_scalar( $data[ $key ] ) ? (string) $data[ $key ] : '';
	}

	/**
	 * @param array<string,mixed> $data
	 * @return array<int|string,mixed>
	 */
	protected static function arr( array $data, string $key ): array {
		return isset( $data[ $key ] ) && is_array( $data[ $key ] ) ? $data[ $key ] : array();
	}

	/**
	 * Formats an ISO instant in the site's date and time format, in the booking's time zone when it
	 * is known (a stay happens where the listing is), else the site's. Month and day names follow the
	 * site's language (wp_date).
	 */
	protected static function datetime( string $iso, string $time_zone = '' ): string {
		$ts = strtotime( $iso );
		if ( false === $ts ) {
			return $iso;
		}
		$tz = self::zone( $time_zone );
		return self::format_instant( $ts, $tz ?? wp_timezone(), true ) . ( null !== $tz ? ' (' . $tz->getName() . ')' : '' );
	}

	/**
	 * A local calendar date (YYYY-MM-DD, optionally with HH:MM) of the booking, in the site's date
	 * format and language, read in the booking's own time zone.
	 */
	protected static function local_date( string $date, string $time = '', string $time_zone = '' ): string {
		if ( ! Ids::is_date( $date ) ) {
			return $date;
		}
		$tz = self::zone( $time_zone ) ?? wp_timezone();
		try {
			$at = new \DateTimeImmutable( $date . ' ' . ( preg_match( '/^\d{2}:\d{2}$/', $time ) ? $time : '12:00' ), $tz );
		} catch ( \Exception $e ) {
			return $date;
		}
		return self::format_instant( $at->getTimestamp(), $tz, (bool) preg_match( '/^\d{2}:\d{2}$/', $time ) );
	}

	/**
	 * Date (and time) for the reader's locale. With php-intl, ICU's long date and short time for
	 * the locale (month names and order in the reader's language even without WordPress's core
	 * language pack); without it, the site's own formats through wp_date().
	 */
	private static function format_instant( int $ts, \DateTimeZone $tz, bool $with_time ): string {
		if ( class_exists( '\IntlDateFormatter' ) ) {
			$formatter = new \IntlDateFormatter( determine_locale(), \IntlDateFormatter::LONG, $with_time ? \IntlDateFormatter::SHORT : \IntlDateFormatter::NONE, $tz->getName() );
			$text      = $formatter->format( $ts );
			if ( is_string( $text ) && '' !== $text ) {
				return $text;
			}
		}
		return wp_date( get_option( 'date_format' ) . ( $with_time ? ' ' . get_option( 'time_format' ) : '' ), $ts, $tz );
	}

	private static function zone( string $time_zone ): ?\DateTimeZone {
		if ( '' === $time_zone ) {
			return null;
		}
		try {
			return new \DateTimeZone( $time_zone );
		} catch ( \Exception $e ) {
			return null;
		}
	}

	protected static function current_url(): string {
		$uri = isset( $_SERVER['REQUEST_URI'] ) ? sanitize_text_field( wp_unslash( $_SERVER['REQUEST_URI'] ) ) : '/';
		return home_url( $uri );
	}
}
