/**
 * Hydration: choosing another period reloads the statement through the REST route without leaving
 * the page (the form still works as a plain GET without JavaScript).
 */
import apiFetch from '@wordpress/api-fetch';
import { addQueryArgs } from '@wordpress/url';
import { __, sprintf } from '@wordpress/i18n';
import { eachBlock, el } from '../shared/dom';
import { formatMinor } from '../shared/money';
import type { Statement, StatementRow } from '../shared/types';

const COLUMNS = [ 'gross_minor', 'host_fee_minor', 'refunds_minor', 'reversals_minor', 'penalties_minor', 'transfers_minor', 'net_minor' ] as const;

function row( head: string, data: StatementRow, className: string ): HTMLTableRowElement {
	const currency = data.currency ?? '';
	const tr = el( 'tr', { class: className, 'data-currency': currency } );
	tr.append( el( 'th', { scope: 'row' }, head ) );
	for ( const column of COLUMNS ) {
		const value = data[ column ];
		const attrs: Record< string, string > = { class: 'mybnb-amount', 'data-field': column };
		if ( typeof value === 'number' ) {
			attrs[ 'data-amount-minor' ] = String( value );
			attrs[ 'data-currency' ] = currency;
		}
		tr.append( el( 'td', attrs, formatMinor( value, currency ) ) );
	}
	return tr;
}

function render( root: HTMLElement, statement: Statement ): void {
	const table = root.querySelector( 'table.mybnb-statement' );
	const body = table?.querySelector( 'tbody' );
	const foot = table?.querySelector( 'tfoot' ) ?? table?.appendChild( el( 'tfoot' ) );
	if ( ! table || ! body || ! foot ) {
		return;
	}
	body.replaceChildren( ...( statement.bookings ?? [] ).map( ( b ) => row( b.booking_id ?? '', b, 'mybnb-booking-row' ) ) );
	if ( ! body.children.length ) {
		const empty = el( 'tr' );
		empty.append( el( 'td', { colspan: '8' }, __( 'No bookings in this period.', 'mybnb-payments' ) ) );
		body.append( empty );
	}
	/* translators: %s: currency code */
	foot.replaceChildren( ...( statement.totals ?? [] ).map( ( t ) => row( sprintf( __( 'Total %s', 'mybnb-payments' ), t.currency ?? '' ), t, 'mybnb-total-row' ) ) );
	const caption = table.querySelector( 'caption' );
	if ( caption ) {
		/* translators: 1: start date, 2: end date */
		caption.textContent = sprintf( __( 'Payout statement %1$s to %2$s', 'mybnb-payments' ), statement.from ?? '', statement.to ?? '' );
	}
}

eachBlock( 'mybnb-payout-statement', ( root ) => {
	const form = root.querySelector< HTMLFormElement >( 'form.mybnb-period' );
	const path = root.dataset.restPath;
	if ( ! form || ! path ) {
		return;
	}
	form.addEventListener( 'submit', ( event ) => {
		const from = ( form.elements.namedItem( 'mybnb_from' ) as HTMLInputElement | null )?.value ?? '';
		const to = ( form.elements.namedItem( 'mybnb_to' ) as HTMLInputElement | null )?.value ?? '';
		if ( ! from || ! to ) {
			return;
		}
		event.preventDefault();
		root.setAttribute( 'aria-busy', 'true' );
		apiFetch< Statement >( { path: addQueryArgs( path, { from, to } ) } )
			.then( ( statement ) => {
				render( root, statement );
				root.dataset.from = from;
				root.dataset.to = to;
				const csv = root.querySelector< HTMLAnchorElement >( 'a.mybnb-csv' );
				if ( csv ) {
					const url = new URL( csv.href );
					url.searchParams.set( 'from', from );
					url.searchParams.set( 'to', to );
					csv.href = url.toString();
				}
				const page = new URL( window.location.href );
				page.searchParams.set( 'mybnb_from', from );
				page.searchParams.set( 'mybnb_to', to );
				window.history.replaceState( null, '', page.toString() );
			} )
			.catch( () => form.submit() )
			.finally( () => root.removeAttribute( 'aria-busy' ) );
	} );
	root.dataset.hydrated = 'true';
} );
