/**
 * Hydration: a live countdown to valid_until, and a re-read of the preview when the page's outcome
 * may be stale (on load, and when the window closes). When the outcome changes, the amounts, the
 * hash and the Cancel link change with it, so the link always carries what is on screen.
 */
import apiFetch from '@wordpress/api-fetch';
import { _n, sprintf } from '@wordpress/i18n';
import { eachBlock, setAmount, setText, shortHash } from '../shared/dom';
import type { CancellationPreview } from '../shared/types';
import { leftText } from './countdown';

// A guest's block shows the guest's fields only; the host's payout and penalty are the host's.
const GUEST_FIELDS = [ 'refund_to_guest' ] as const;
const HOST_FIELDS = [ 'refund_to_guest', 'host_payout', 'host_penalty' ] as const;

function apply( root: HTMLElement, preview: CancellationPreview ): void {
	const previous = root.dataset.outcomeHash ?? '';
	const next = preview.outcome_hash ?? '';
	if ( ! next || next === previous ) {
		return;
	}
	const currency = preview.outcome?.currency ?? '';
	for ( const field of root.dataset.by === 'host' ? HOST_FIELDS : GUEST_FIELDS ) {
		setAmount( root.querySelector( `[data-field="${ field }"]` ), preview.outcome?.[ field ], currency );
	}
	// Credits are a non-cash unit: a count, never money.
	const credits = root.querySelector( '[data-field="credit_to_guest"]' );
	const n = preview.outcome?.credit_to_guest ?? 0;
	setText( credits, sprintf( _n( '%s credit', '%s credits', n, 'mybnb-payments' ), n.toLocaleString() ) );
	credits?.setAttribute( 'data-credits', String( n ) );
	const hashCode = root.querySelector( '[data-field="outcome_hash"]' );
	setText( hashCode, shortHash( next ) );
	hashCode?.setAttribute( 'title', next );
	const cancel = root.querySelector< HTMLAnchorElement >( 'a.mybnb-cancel' );
	if ( cancel ) {
		cancel.href = cancel.href.split( encodeURIComponent( previous ) ).join( encodeURIComponent( next ) );
		cancel.hidden = preview.allowed === false;
	}
	root.dataset.outcomeHash = next;
	root.dataset.validUntil = preview.valid_until ?? '';
}

function startCountdown( root: HTMLElement, refresh: () => void ): void {
	const live = root.querySelector< HTMLElement >( '.mybnb-countdown' );
	if ( ! live ) {
		return;
	}
	// Count from the server's own evaluation (seconds left then), not from the browser's clock,
	// which may disagree with the sidecar's.
	let deadline = Date.now() + Number( live.dataset.secondsLeft ?? '0' ) * 1000;
	let refreshed = false;
	const tick = () => {
		const left = deadline - Date.now();
		const text = leftText( left );
		if ( live.textContent !== text ) {
			live.textContent = text;
		}
		const cancel = root.querySelector< HTMLAnchorElement >( 'a.mybnb-cancel' );
		if ( left <= 0 ) {
			if ( cancel ) {
				cancel.setAttribute( 'aria-disabled', 'true' );
				cancel.classList.add( 'is-expired' );
			}
			if ( ! refreshed ) {
				refreshed = true;
				refresh();
			}
		}
	};
	root.addEventListener( 'mybnb:valid-until', ( event ) => {
		const seconds = ( event as CustomEvent< number > ).detail;
		deadline = Date.now() + seconds * 1000;
		refreshed = false;
		root.querySelector( 'a.mybnb-cancel' )?.removeAttribute( 'aria-disabled' );
		root.querySelector( 'a.mybnb-cancel' )?.classList.remove( 'is-expired' );
	} );
	tick();
	window.setInterval( tick, 1000 );
}

eachBlock( 'mybnb-cancellation-preview', ( root ) => {
	const path = root.dataset.restPath;
	if ( ! path ) {
		return;
	}
	const refresh = () => {
		apiFetch< CancellationPreview >( { path } )
			.then( ( preview ) => {
				apply( root, preview );
				if ( preview.valid_until && preview.evaluated_at ) {
					const seconds = Math.max( 0, ( Date.parse( preview.valid_until ) - Date.parse( preview.evaluated_at ) ) / 1000 );
					root.dispatchEvent( new CustomEvent( 'mybnb:valid-until', { detail: seconds } ) );
				}
				root.dataset.hydrated = 'true';
			} )
			.catch( () => {
				// Keep what the server rendered.
			} );
	};
	startCountdown( root, refresh );
	refresh();
} );
