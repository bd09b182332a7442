/**
 * Hydration: re-reads the booking (pages may be cached) and refreshes the numbers in place.
 */
import apiFetch from '@wordpress/api-fetch';
import { eachBlock, setAmount } from '../shared/dom';
import type { Booking } from '../shared/types';

eachBlock( 'mybnb-booking-summary', ( root ) => {
	const path = root.dataset.restPath;
	if ( ! path ) {
		return;
	}
	apiFetch< Booking >( { path } )
		.then( ( booking ) => {
			const currency = booking.currency ?? '';
			for ( const line of booking.price_lines ?? [] ) {
				if ( line.code ) {
					setAmount( root.querySelector( `[data-field="${ CSS.escape( line.code ) }"]` ), line.amount_minor, currency );
				}
			}
			for ( const field of [ 'total_minor', 'paid_minor', 'refunded_minor' ] as const ) {
				setAmount( root.querySelector( `[data-field="${ field }"]` ), booking[ field ], currency );
			}
			root.dataset.hydrated = 'true';
		} )
		.catch( () => {
			// Keep the server-rendered numbers.
		} );
} );
