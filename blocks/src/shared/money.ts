/**
 * Money display in the browser, matching the PHP side: integer minor units, fraction digits from
 * the currency (JPY 0, USD 2, KWD 3), locale from the page.
 */
const ZERO_DECIMAL = new Set( [ 'BIF', 'CLP', 'DJF', 'GNF', 'ISK', 'JPY', 'KMF', 'KRW', 'PYG', 'RWF', 'UGX', 'UYI', 'VND', 'VUV', 'XAF', 'XOF', 'XPF' ] );
const THREE_DECIMAL = new Set( [ 'BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND' ] );

export function minorDigits( currency: string ): number {
	const code = currency.toUpperCase();
	if ( ZERO_DECIMAL.has( code ) ) {
		return 0;
	}
	return THREE_DECIMAL.has( code ) ? 3 : 2;
}

export function pageLocale(): string {
	return document.documentElement.lang || 'en-US';
}

export function formatMinor( amountMinor: unknown, currency: string, locale: string = pageLocale() ): string {
	if ( typeof amountMinor !== 'number' || ! Number.isSafeInteger( amountMinor ) || ! /^[A-Za-z]{3}$/.test( currency ) ) {
		return '—';
	}
	const digits = minorDigits( currency );
	try {
		return new Intl.NumberFormat( locale, {
			style: 'currency',
			currency: currency.toUpperCase(),
			minimumFractionDigits: digits,
			maximumFractionDigits: digits,
		} ).format( amountMinor / 10 ** digits );
	} catch {
		return `${ ( amountMinor / 10 ** digits ).toFixed( digits ) } ${ currency.toUpperCase() }`;
	}
}
