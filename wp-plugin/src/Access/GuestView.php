<?php
/**
 * What a guest may see of an answer the sidecar gives about their booking.
 *
 * @package MyBnB\Payments
 */

namespace MyBnB\Payments\Access;

/**
 * A guest sees the guest's fields only: what they get back, never what the host is paid or
 * charged, nor the platform's share (issue #13). The outcome hash is kept: it is the guest's
 * consent to the whole outcome, which the sidecar re-checks when the cancellation arrives.
 */
final class GuestView {

	/** The outcome fields that are the guest's. */
	public const OUTCOME_FIELDS = array( 'currency', 'refund_to_guest', 'credit_to_guest' );

	/** Explanation lines about the host's or the platform's money are not shown to a guest. */
	private const NOT_FOR_GUEST = '/host (payout|fee|penalty)|from the host|platform keeps|the host keeps/i';

	/**
	 * @param array<string,mixed> $preview
	 * @return array<string,mixed>
	 */
	public static function preview( array $preview ): array {
		if ( isset( $preview['outcome'] ) && is_array( $preview['outcome'] ) ) {
			$preview['outcome'] = array_intersect_key( $preview['outcome'], array_flip( self::OUTCOME_FIELDS ) );
		}
		if ( isset( $preview['explanation'] ) && is_array( $preview['explanation'] ) ) {
			$preview['explanation'] = array_values(
				array_filter(
					$preview['explanation'],
					static fn( $line ): bool => is_scalar( $line ) && ! preg_match( self::NOT_FOR_GUEST, (string) $line )
				)
			);
		}
		return $preview;
	}
}
