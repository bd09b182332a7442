<?php
/**
 * Short-lived cache of the sidecar's read answers, in transients.
 *
 * @package MyBnB\Payments
 */

namespace MyBnB\Payments\Sidecar;

/**
 * Keyed by what is signed (sidecar, key id, method and exact path with query), never by the
 * signature itself (it carries a timestamp). Early invalidation without deleting rows one by one:
 * every key includes a generation, global or per booking; flushing bumps the generation, and the
 * old entries expire on their own within the TTL.
 */
final class Cache {

	public const DEFAULT_TTL_S   = 30;
	private const GLOBAL_GEN     = 'mybnb_payments_cache_gen';
	private const LISTS_GEN      = 'mybnb_payments_lists_gen';
	private const BOOKING_GEN    = 'mybnb_payments_gen_';
	private const DOWN_FLAG      = 'mybnb_payments_sidecar_down';
	private const DOWN_FOR_S     = 10;

	/** @var array<string, mixed> answers already read in this PHP request */
	private array $memo = array();

	/**
	 * Seconds an answer is kept (filter `mybnb_payments_cache_ttl_s`, 0 disables, at most 300).
	 */
	public static function ttl_s(): int {
		return max( 0, min( 300, (int) apply_filters( 'mybnb_payments_cache_ttl_s', self::DEFAULT_TTL_S ) ) );
	}

	/**
	 * The transient name for one signed read.
	 */
	public function key( string $origin, string $key_id, string $path_with_query ): string {
		$booking = self::booking_of( $path_with_query );
		$scoped  = '' !== $booking ? (string) get_transient( self::BOOKING_GEN . md5( $booking ) ) : (string) get_option( self::LISTS_GEN, '0' );
		$gen     = (string) get_option( self::GLOBAL_GEN, '0' ) . '.' . $scoped;
		return 'mybnb_c_' . md5( $origin . "\n" . $key_id . "\nGET\n" . $path_with_query . "\n" . $gen );
	}

	/**
	 * @return array{status:int, content_type:string, body:string, stored_at:int}|null
	 */
	public function get( string $key ): ?array {
		if ( array_key_exists( $key, $this->memo ) ) {
			return $this->memo[ $key ];
		}
		if ( 0 === self::ttl_s() ) {
			return null;
		}
		$hit = get_transient( $key );
		if ( ! is_array( $hit ) || ! isset( $hit['status'], $hit['content_type'], $hit['body'], $hit['stored_at'] ) ) {
			return null;
		}
		$this->memo[ $key ] = $hit;
		return $hit;
	}

	/**
	 * @param array{status:int, content_type:string, body:string} $answer
	 */
	public function put( string $key, array $answer, int $ttl_s ): void {
		$answer['stored_at'] = time();
		$this->memo[ $key ]  = $answer;
		$ttl_s               = min( $ttl_s, self::ttl_s() );
		if ( $ttl_s > 0 ) {
			set_transient( $key, $answer, $ttl_s );
		}
	}

	/** Forgets what this PHP request has read (tests, long-running processes). */
	public function forget(): void {
		$this->memo = array();
	}

	/**
	 * Marks the sidecar unreachable for a few seconds, so a page with several blocks waits for the
	 * timeout once, not once per read.
	 */
	public function mark_down( string $why ): void {
		set_transient( self::DOWN_FLAG, $why, self::DOWN_FOR_S );
	}

	/** The reason the sidecar was marked down, or '' when it is not. */
	public function down(): string {
		$why = get_transient( self::DOWN_FLAG );
		return is_string( $why ) ? $why : '';
	}

	public function mark_up(): void {
		delete_transient( self::DOWN_FLAG );
	}

	/**
	 * Everything cached about one booking (its view, receipt, previews) and every list that may
	 * hold it (statements, a guest's bookings) is read afresh from now on.
	 */
	public function flush_booking( string $booking_id ): void {
		// A generation outlives the TTL by far, so an old entry can never come back into use.
		set_transient( self::BOOKING_GEN . md5( $booking_id ), uniqid( '', true ), DAY_IN_SECONDS );
		update_option( self::LISTS_GEN, uniqid( '', true ), false );
		$this->memo = array();
	}

	/** Everything: every booking and every list. */
	public function flush_all(): void {
		update_option( self::GLOBAL_GEN, uniqid( '', true ), false );
		$this->memo = array();
		$this->mark_up();
	}

	/** Option names this cache owns (uninstall removes them). */
	public const OPTIONS = array( self::GLOBAL_GEN, self::LISTS_GEN );

	/**
	 * The booking a read is about: /bookings/{id}…, or booking_id= in the query.
	 */
	public static function booking_of( string $path_with_query ): string {
		if ( preg_match( '#/bookings/([^/?]+)#', $path_with_query, $m ) ) {
			return rawurldecode( $m[1] );
		}
		$query = (string) wp_parse_url( $path_with_query, PHP_URL_QUERY );
		parse_str( $query, $args );
		return isset( $args['booking_id'] ) && is_string( $args['booking_id'] ) ? $args['booking_id'] : '';
	}
}
