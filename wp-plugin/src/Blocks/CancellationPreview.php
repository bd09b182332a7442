<?php
/**
 * mybnb/cancellation-preview: what cancelling now would give back, under which rule, until when.
 *
 * @package MyBnB\Payments
 */

namespace MyBnB\Payments\Blocks;

use MyBnB\Payments\Access\Gate;

/**
 * The Cancel link carries the outcome hash the person saw, as their consent.
 */
final class CancellationPreview extends Block {

	public function slug(): string {
		return 'cancellation-preview';
	}

	/**
	 * @param array<string,mixed> $attributes
	 */
	public function render( array $attributes ): string {
		$booking_id = self::booking_id( $attributes );
		$by         = isset( $attributes['by'] ) && 'host' === $attributes['by'] ? 'host' : 'guest';
		if ( '' === $booking_id ) {
			return $this->notice( __( 'Choose a booking in the block settings, or open this page with ?booking_id=…', 'mybnb-payments' ) );
		}
		$this->prefetch_for(
			$by,
			array(
				array( '/bookings/' . rawurlencode( $booking_id ) ),
				array( '/preview/outcome', array( 'action' => 'cancel', 'booking_id' => $booking_id, 'by' => $by ) ),
			)
		);
		$allowed = $this->gate->can_view_booking( get_current_user_id(), $booking_id, $by );
		if ( is_wp_error( $allowed ) ) {
			return $this->error_notice( $allowed );
		}
		$preview = $this->client->cancellation_preview( $booking_id, $by );
		if ( is_wp_error( $preview ) ) {
			return $this->error_notice( $preview );
		}
		if ( 'guest' === $by ) {
			// The guest's fields only: never the host's payout or penalty (issue #13).
			$preview = \MyBnB\Payments\Access\GuestView::preview( $preview );
		}
		$outcome_hash = self::str( $preview, 'outcome_hash' );
		return $this->wrap(
			$this->inner( $preview, $booking_id, $by ),
			array(
				'booking-id'   => $booking_id,
				'by'           => $by,
				'outcome-hash' => $outcome_hash,
				'valid-until'  => self::str( $preview, 'valid_until' ),
				'evaluated-at' => self::str( $preview, 'evaluated_at' ),
				'rest-path'    => '/mybnb/v1/bookings/' . rawurlencode( $booking_id ) . '/preview?by=' . $by,
			)
		);
	}

	/**
	 * What a person reads first: the amounts and, in their language, why; then how long it holds and
	 * the Cancel link. The rule, its hash, the outcome hash and the consent sit behind "Details".
	 *
	 * @param array<string,mixed> $preview
	 */
	private function inner( array $preview, string $booking_id, string $by ): string {
		$outcome  = self::arr( $preview, 'outcome' );
		$currency = self::str( $outcome, 'currency' );
		$allowed  = ! empty( $preview['allowed'] );
		$booking  = $this->gate->booking( $booking_id );
		$tz       = is_array( $booking ) ? self::str( $booking, 'time_zone' ) : '';
		$html     = '<h3 class="mybnb-title">' . esc_html__( 'If you cancel now', 'mybnb-payments' ) . '</h3>';
		if ( ! $allowed ) {
			/* translators: %s: why cancelling is refused, e.g. "the stay is completed" */
			$html .= '<p class="mybnb-not-allowed" data-field="reason" data-reason="' . esc_attr( self::str( $preview, 'reason' ) ) . '">' . esc_html( sprintf( __( 'Cancellation is not possible now: %s.', 'mybnb-payments' ), Labels::refusal( self::str( $preview, 'reason' ) ) ) ) . '</p>';
		}
		// Each side sees its own fields only: a guest never sees the host's payout or penalty.
		$rows_for = 'host' === $by
			? array(
				'host_payout'     => __( 'Your payout', 'mybnb-payments' ),
				'host_penalty'    => __( 'Penalty charged to you', 'mybnb-payments' ),
				'refund_to_guest' => __( 'Refund to the guest', 'mybnb-payments' ),
			)
			: array(
				'refund_to_guest' => __( 'Refund to you', 'mybnb-payments' ),
				'credit_to_guest' => __( 'Travel credit to you', 'mybnb-payments' ),
			);
		$rows = '';
		foreach ( $rows_for as $field => $label ) {
			// Loyalty credits are a non-cash unit: shown as a count, never as money.
			$cell  = 'credit_to_guest' === $field ? self::credits_cell( $outcome[ $field ] ?? null, $field ) : self::money_cell( $outcome[ $field ] ?? null, $currency, $field );
			$rows .= '<tr><th scope="row">' . esc_html( $label ) . '</th>' . $cell . '</tr>';
		}
		$caption = 'host' === $by ? __( 'What this cancellation means for you', 'mybnb-payments' ) : __( 'What you would get back', 'mybnb-payments' );
		$html   .= self::table( $caption, array( __( 'Item', 'mybnb-payments' ), __( 'Amount', 'mybnb-payments' ) ), $rows, '', 'mybnb-outcome' );

		if ( $allowed ) {
			$lines = Explanation::lines( $outcome, $by );
			if ( array() !== $lines ) {
				$html .= '<ul class="mybnb-why">';
				foreach ( $lines as $line ) {
					$html .= '<li>' . esc_html( $line ) . '</li>';
				}
				$html .= '</ul>';
			}
		}

		$html .= $this->validity( $preview, $tz );

		$outcome_hash = self::str( $preview, 'outcome_hash' );
		$cancel_url   = $this->settings->cancel_url( $booking_id, $outcome_hash );
		if ( $allowed && '' !== $cancel_url && '' !== $outcome_hash ) {
			$html .= '<p class="mybnb-actions"><a class="wp-element-button mybnb-cancel" href="' . esc_url( $cancel_url ) . '">'
				. esc_html__( 'Cancel booking with this outcome', 'mybnb-payments' ) . '</a></p>';
		}
		return $html . $this->details( $preview, $by, $tz );
	}

	/**
	 * The rule (policy, version, hash), the outcome hash the Cancel link carries as consent, and
	 * for hosts and admins the sidecar's own explanation (English, as the sidecar writes it).
	 *
	 * @param array<string,mixed> $preview
	 */
	private function details( array $preview, string $by, string $tz ): string {
		$rule         = self::arr( $preview, 'rule' );
		$rhash        = self::str( $rule, 'hash' );
		$outcome_hash = self::str( $preview, 'outcome_hash' );
		$html         = '<details class="mybnb-details"><summary>' . esc_html__( 'Details', 'mybnb-payments' ) . '</summary>';
		$html        .= '<p class="mybnb-rule">' . esc_html__( 'Rule:', 'mybnb-payments' ) . ' <span data-field="policy">' . esc_html( self::str( $rule, 'policy' ) ) . '</span>, '
			/* translators: %s: policy version number */
			. '<span data-field="version">' . esc_html( sprintf( __( 'version %s', 'mybnb-payments' ), self::str( $rule, 'version' ) ) ) . '</span>, '
			. '<code data-field="rule_hash" title="' . esc_attr( $rhash ) . '">' . esc_html( self::short_hash( $rhash ) ) . '</code></p>';
		$html        .= '<p class="mybnb-outcome-hash">' . esc_html__( 'Outcome:', 'mybnb-payments' )
			. ' <code data-field="outcome_hash" title="' . esc_attr( $outcome_hash ) . '">' . esc_html( self::short_hash( $outcome_hash ) ) . '</code></p>';
		$evaluated = self::str( $preview, 'evaluated_at' );
		/* translators: %s: date and time the outcome was computed */
		$html .= '<p class="mybnb-consent">' . esc_html( sprintf( __( 'Computed on %s. Cancelling with the button records your consent to exactly this outcome: the booking engine sends its code (above) with your request, and the payments service refuses the cancellation if the outcome has changed since.', 'mybnb-payments' ), '' !== $evaluated ? self::datetime( $evaluated, $tz ) : '—' ) ) . '</p>';
		$explanation = self::arr( $preview, 'explanation' );
		// The sidecar's explanation also speaks of the host's payout and the platform's fee: hosts and
		// admins read it; a guest reads the lines above, built from the guest's own fields.
		if ( array() !== $explanation && ( 'host' === $by || Gate::is_admin( get_current_user_id() ) ) ) {
			$html .= '<ul class="mybnb-explanation" lang="en">';
			foreach ( $explanation as $line ) {
				$html .= is_scalar( $line ) ? '<li>' . esc_html( (string) $line ) . '</li>' : '';
			}
			$html .= '</ul>';
		}
		return $html . '</details>';
	}

	/**
	 * "Valid until …" and the countdown the view script keeps live (announced politely).
	 *
	 * @param array<string,mixed> $preview
	 */
	private function validity( array $preview, string $tz ): string {
		$valid_until = self::str( $preview, 'valid_until' );
		if ( '' === $valid_until ) {
			return '<p class="mybnb-valid">' . esc_html__( 'This outcome does not change with time.', 'mybnb-payments' ) . '</p>';
		}
		$until_ts = strtotime( $valid_until );
		$from_ts  = strtotime( self::str( $preview, 'evaluated_at' ) );
		$from_ts  = false === $from_ts ? time() : $from_ts;
		$left_s   = false === $until_ts ? 0 : max( 0, $until_ts - $from_ts );
		return '<p class="mybnb-valid">' . esc_html__( 'Valid until', 'mybnb-payments' ) . ' <time datetime="' . esc_attr( $valid_until ) . '">' . esc_html( self::datetime( $valid_until, $tz ) ) . '</time>'
			. ' <span class="mybnb-countdown" aria-live="polite" aria-atomic="true" data-seconds-left="' . esc_attr( (string) $left_s ) . '">'
			. esc_html( self::left_text( $left_s ) ) . '</span></p>';
	}

	/**
	 * "Time left" in minutes, the same wording as the view script's countdown (which takes over).
	 */
	private static function left_text( int $left_s ): string {
		if ( $left_s <= 0 ) {
			return __( '(expired: reload to see the current outcome)', 'mybnb-payments' );
		}
		$minutes = intdiv( $left_s, 60 );
		if ( $minutes < 1 ) {
			return __( '(less than a minute left)', 'mybnb-payments' );
		}
		$days  = intdiv( $minutes, 1440 );
		$hours = intdiv( $minutes % 1440, 60 );
		$mins  = $minutes % 60;
		$parts = array();
		if ( $days > 0 ) {
			/* translators: %d: number of days */
			$parts[] = sprintf( _n( '%d day', '%d days', $days, 'mybnb-payments' ), $days );
		}
		if ( $hours > 0 ) {
			/* translators: %d: number of hours */
			$parts[] = sprintf( _n( '%d hour', '%d hours', $hours, 'mybnb-payments' ), $hours );
		}
		if ( 0 === $days && $mins > 0 ) {
			/* translators: %d: number of minutes */
			$parts[] = sprintf( _n( '%d minute', '%d minutes', $mins, 'mybnb-payments' ), $mins );
		}
		/* translators: %s: time left, e.g. "2 hours 5 minutes" */
		return sprintf( __( '(%s left)', 'mybnb-payments' ), implode( ' ', $parts ) );
	}
}
