<?php
/**
 * Why a cancellation gives back what it does, in the reader's language.
 *
 * @package MyBnB\Payments
 */

namespace MyBnB\Payments\Blocks;

use MyBnB\Payments\Money;

/**
 * Built from the preview's structured outcome (stable field names with integer amounts: the
 * sidecar's codes and parameters), never by translating its English sentences. Each side reads
 * only its own fields: a guest's lines never mention the host's payout or penalty.
 */
final class Explanation {

	/**
	 * @param array<string,mixed> $outcome The preview's `outcome`.
	 * @param string              $by      'guest' or 'host'.
	 * @return string[] plain text lines (escape at output).
	 */
	public static function lines( array $outcome, string $by ): array {
		$currency = isset( $outcome['currency'] ) && is_string( $outcome['currency'] ) ? $outcome['currency'] : '';
		$lines    = isset( $outcome['lines'] ) && is_array( $outcome['lines'] ) ? $outcome['lines'] : array();
		$int      = static fn ( array $from, string $key ): int => isset( $from[ $key ] ) && is_int( $from[ $key ] ) ? $from[ $key ] : 0;
		$money    = static fn ( int $minor ): string => Money::format( $minor, $currency );
		$out      = array();
		if ( 'host' === $by ) {
			$refund = $int( $outcome, 'refund_to_guest' );
			/* translators: %s: amount */
			$out[] = $refund > 0 ? sprintf( __( 'The guest is refunded everything paid: %s.', 'mybnb-payments' ), $money( $refund ) ) : __( 'Nothing has been paid yet, so nothing is refunded.', 'mybnb-payments' );
			$penalty = $int( $outcome, 'host_penalty' );
			if ( $penalty > 0 ) {
				/* translators: %s: amount */
				$out[] = sprintf( __( 'A penalty of %s is deducted from your future payouts.', 'mybnb-payments' ), $money( $penalty ) );
			}
			$credits = $int( $outcome, 'credit_to_guest' );
			if ( $credits > 0 ) {
				/* translators: %s: number of travel credits */
				$out[] = sprintf( _n( 'The guest receives %s travel credit.', 'The guest receives %s travel credits.', $credits, 'mybnb-payments' ), number_format_i18n( $credits ) );
			}
			$recovery = $int( $outcome, 'host_recovery' );
			if ( $recovery > 0 ) {
				/* translators: %s: amount */
				$out[] = sprintf( __( '%s already paid out to you is to be recovered.', 'mybnb-payments' ), $money( $recovery ) );
			}
			return $out;
		}
		foreach (
			array(
				array( 'nightly_refund', 'nightly_kept', __( 'Nights', 'mybnb-payments' ) ),
				array( 'cleaning_refund', 'cleaning_kept', __( 'Cleaning fee', 'mybnb-payments' ) ),
				array( 'service_fee_refund', 'service_fee_kept', __( 'Guest service fee', 'mybnb-payments' ) ),
			) as list( $refunded_key, $kept_key, $label )
		) {
			$refunded = $int( $lines, $refunded_key );
			$whole    = $refunded + $int( $lines, $kept_key );
			if ( $whole <= 0 ) {
				continue;
			}
			if ( $refunded === $whole ) {
				/* translators: 1: what (e.g. "Nights"), 2: amount */
				$out[] = sprintf( __( '%1$s: %2$s, refunded in full.', 'mybnb-payments' ), $label, $money( $whole ) );
			} elseif ( 0 === $refunded ) {
				/* translators: 1: what (e.g. "Cleaning fee"), 2: amount */
				$out[] = sprintf( __( '%1$s: %2$s, not refunded.', 'mybnb-payments' ), $label, $money( $whole ) );
			} else {
				/* translators: 1: what (e.g. "Nights"), 2: amount refunded, 3: amount paid */
				$out[] = sprintf( __( '%1$s: %2$s refunded of %3$s.', 'mybnb-payments' ), $label, $money( $refunded ), $money( $whole ) );
			}
		}
		$taxes = $int( $lines, 'taxes_refund' );
		if ( $taxes > 0 ) {
			/* translators: %s: amount */
			$out[] = sprintf( __( 'Taxes refunded in proportion: %s.', 'mybnb-payments' ), $money( $taxes ) );
		}
		$credits = $int( $outcome, 'credit_to_guest' );
		if ( $credits > 0 ) {
			/* translators: %s: number of travel credits */
			$out[] = sprintf( _n( '%s travel credit comes back to you.', '%s travel credits come back to you.', $credits, 'mybnb-payments' ), number_format_i18n( $credits ) );
		}
		return $out;
	}
}
