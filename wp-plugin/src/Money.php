<?php
/**
 * Money display: integer minor units in, a locale-formatted string out.
 *
 * @package MyBnB\Payments
 */

namespace MyBnB\Payments;

/**
 * Amounts arrive as integer minor units with an ISO 4217 currency. The number of fraction digits
 * comes from the currency (JPY 0, USD 2, KWD 3), never from the amount.
 */
final class Money {

	private const ZERO_DECIMAL  = array( 'BIF', 'CLP', 'DJF', 'GNF', 'ISK', 'JPY', 'KMF', 'KRW', 'PYG', 'RWF', 'UGX', 'UYI', 'VND', 'VUV', 'XAF', 'XOF', 'XPF' );
	private const THREE_DECIMAL = array( 'BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND' );

	public static function minor_digits( string $currency ): int {
		$currency = strtoupper( $currency );
		if ( in_array( $currency, self::ZERO_DECIMAL, true ) ) {
			return 0;
		}
		return in_array( $currency, self::THREE_DECIMAL, true ) ? 3 : 2;
	}

	/**
	 * The exact decimal string of an amount, e.g. (-12345, 'USD') => "-123.45", (500, 'JPY') => "500".
	 * Integer arithmetic only.
	 */
	public static function decimal( int $amount_minor, string $currency ): string {
		$digits = self::minor_digits( $currency );
		$sign   = $amount_minor < 0 ? '-' : '';
		$abs    = ltrim( (string) $amount_minor, '-' );
		if ( 0 === $digits ) {
			return $sign . $abs;
		}
		$abs = str_pad( $abs, $digits + 1, '0', STR_PAD_LEFT );
		return $sign . substr( $abs, 0, -$digits ) . '.' . substr( $abs, -$digits );
	}

	/**
	 * Formats for the site's locale: with ICU (php-intl) as a currency amount; without it, WordPress's
	 * own separators followed by the currency code.
	 *
	 * @param mixed  $amount_minor Integer minor units (anything else renders as an em dash).
	 * @param string $currency     ISO 4217 code.
	 * @param string $locale       WordPress locale, e.g. "en_US"; defaults to the current one.
	 */
	public static function format( $amount_minor, string $currency, string $locale = '' ): string {
		if ( ! is_int( $amount_minor ) || ! preg_match( '/^[A-Za-z]{3}$/', $currency ) ) {
			return '—';
		}
		$currency = strtoupper( $currency );
		$digits   = self::minor_digits( $currency );
		$locale   = '' !== $locale ? $locale : ( function_exists( 'determine_locale' ) ? determine_locale() : 'en_US' );
		if ( class_exists( '\NumberFormatter' ) ) {
			$formatter = new \NumberFormatter( $locale, \NumberFormatter::CURRENCY );
			$formatter->setAttribute( \NumberFormatter::MIN_FRACTION_DIGITS, $digits );
			$formatter->setAttribute( \NumberFormatter::MAX_FRACTION_DIGITS, $digits );
			// The decimal string is exact; ICU parses it back as a double, exact for display below 2^53.
			$text = $formatter->formatCurrency( (float) self::decimal( $amount_minor, $currency ), $currency );
			if ( false !== $text ) {
				return $text;
			}
		}
		return self::format_plain( $amount_minor, $currency, $digits );
	}

	private static function format_plain( int $amount_minor, string $currency, int $digits ): string {
		global $wp_locale;
		$decimal_point = isset( $wp_locale->number_format['decimal_point'] ) ? $wp_locale->number_format['decimal_point'] : '.';
		$parts         = explode( '.', ltrim( self::decimal( $amount_minor, $currency ), '-' ) );
		// Whole part below 10^15 here (the ledger's limit): exact through number_format's double.
		$whole = function_exists( 'number_format_i18n' ) ? number_format_i18n( (int) $parts[0] ) : number_format( (int) $parts[0] );
		$text  = $whole . ( $digits > 0 ? $decimal_point . $parts[1] : '' );
		return ( $amount_minor < 0 ? '-' : '' ) . $text . ' ' . $currency;
	}
}
