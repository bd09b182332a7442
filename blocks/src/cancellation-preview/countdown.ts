/**
 * The "time left" wording. Minute granularity on purpose: the text sits in a polite live region,
 * and a screen reader should hear it change at most once a minute.
 */
import { __, _n, sprintf } from '@wordpress/i18n';

export function leftText( leftMs: number ): string {
	if ( leftMs <= 0 ) {
		return __( '(expired: reload to see the current outcome)', 'mybnb-payments' );
	}
	const minutes = Math.floor( leftMs / 60000 );
	if ( minutes < 1 ) {
		return __( '(less than a minute left)', 'mybnb-payments' );
	}
	const days = Math.floor( minutes / 1440 );
	const hours = Math.floor( ( minutes % 1440 ) / 60 );
	const mins = minutes % 60;
	const parts: string[] = [];
	if ( days > 0 ) {
		/* translators: %d: number of days */
		parts.push( sprintf( _n( '%d day', '%d days', days, 'mybnb-payments' ), days ) );
	}
	if ( hours > 0 ) {
		/* translators: %d: number of hours */
		parts.push( sprintf( _n( '%d hour', '%d hours', hours, 'mybnb-payments' ), hours ) );
	}
	if ( days === 0 && mins > 0 ) {
		/* translators: %d: number of minutes */
		parts.push( sprintf( _n( '%d minute', '%d minutes', mins, 'mybnb-payments' ), mins ) );
	}
	/* translators: %s: time left, e.g. "2 hours 5 minutes" */
	return sprintf( __( '(%s left)', 'mybnb-payments' ), parts.join( ' ' ) );
}
