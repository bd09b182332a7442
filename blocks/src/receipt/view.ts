/**
 * Hydration: the Print button (hidden until JavaScript can honour it) and a refresh of the totals.
 */
import apiFetch from '@wordpress/api-fetch';
import { eachBlock, setAmount } from '../shared/dom';
import type { Receipt } from '../shared/types';

eachBlock( 'mybnb-receipt', ( root ) => {
	const print = root.querySelector< HTMLButtonElement >( 'button.mybnb-print' );
	if ( print ) {
		print.hidden = false;
		print.addEventListener( 'click', () => window.print() );
	}
	const path = root.dataset.restPath;
	if ( ! path ) {
		return;
	}
	apiFetch< Receipt >( { path } )
		.then( ( receipt ) => {
			const currency = receipt.currency ?? '';
			for ( const field of [ 'paid_minor', 'refunded_minor', 'net_paid_minor' ] as const ) {
				setAmount( root.querySelector( `[data-field="${ field }"]` ), receipt[ field ], currency );
			}
			root.dataset.hydrated = 'true';
		} )
		.catch( () => {
			// Keep the server-rendered numbers.
		} );
} );
