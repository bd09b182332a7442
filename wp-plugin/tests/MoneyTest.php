<?php
/**
 * Money display by the currency's minor units.
 *
 * @package MyBnB\Payments
 */

use MyBnB\Payments\Money;
use PHPUnit\Framework\TestCase;

final class MoneyTest extends TestCase {

	public function test_minor_digits_follow_iso_4217(): void {
		$this->assertSame( 2, Money::minor_digits( 'USD' ) );
		$this->assertSame( 0, Money::minor_digits( 'JPY' ) );
		$this->assertSame( 0, Money::minor_digits( 'jpy' ) );
		$this->assertSame( 3, Money::minor_digits( 'KWD' ) );
	}

	public function test_decimal_is_exact(): void {
		$this->assertSame( '123.45', Money::decimal( 12345, 'USD' ) );
		$this->assertSame( '0.05', Money::decimal( 5, 'USD' ) );
		$this->assertSame( '-0.05', Money::decimal( -5, 'USD' ) );
		$this->assertSame( '12345', Money::decimal( 12345, 'JPY' ) );
		$this->assertSame( '1.005', Money::decimal( 1005, 'KWD' ) );
		$this->assertSame( '9999999999999.99', Money::decimal( 999999999999999, 'EUR' ) );
	}

	public function test_format_uses_currency_digits_and_locale(): void {
		$this->assertSame( '$1,234.56', Money::format( 123456, 'USD', 'en_US' ) );
		$this->assertStringNotContainsString( '.', Money::format( 123456, 'JPY', 'en_US' ), 'JPY has no minor unit' );
		$this->assertStringContainsString( '123,456', Money::format( 123456, 'JPY', 'en_US' ) );
		$this->assertStringContainsString( '1.234,56', Money::format( 123456, 'EUR', 'de_DE' ) );
		$this->assertStringContainsString( '1.005', Money::format( 1005, 'KWD', 'en_US' ) );
	}

	public function test_non_integers_render_as_a_dash(): void {
		$this->assertSame( '—', Money::format( '100', 'USD' ) );
		$this->assertSame( '—', Money::format( 1.5, 'USD' ) );
		$this->assertSame( '—', Money::format( null, 'USD' ) );
		$this->assertSame( '—', Money::format( 100, '<b>' ) );
	}
}
