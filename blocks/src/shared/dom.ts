/**
 * Small DOM helpers for the view scripts. Text goes in through textContent only: nothing fetched
 * is ever parsed as HTML.
 */
import domReady from '@wordpress/dom-ready';
import { formatMinor } from './money';

export function eachBlock( className: string, hydrate: ( root: HTMLElement ) => void ): void {
	domReady( () => {
		document.querySelectorAll< HTMLElement >( `.${ className }` ).forEach( ( root ) => {
			try {
				hydrate( root );
			} catch ( error ) {
				// The server-rendered numbers stay; hydration is an improvement, not a requirement.
				// eslint-disable-next-line no-console
				console.warn( 'mybnb: hydration failed', error );
			}
		} );
	} );
}

/** Updates an amount cell rendered by PHP (`data-field`), keeping `data-amount-minor` exact. */
export function setAmount( cell: Element | null, amountMinor: unknown, currency: string ): void {
	if ( ! cell ) {
		return;
	}
	cell.textContent = formatMinor( amountMinor, currency );
	if ( typeof amountMinor === 'number' ) {
		cell.setAttribute( 'data-amount-minor', String( amountMinor ) );
		cell.setAttribute( 'data-currency', currency );
	}
}

export function setText( element: Element | null, text: string ): void {
	if ( element ) {
		element.textContent = text;
	}
}

export function el< K extends keyof HTMLElementTagNameMap >( tag: K, attrs: Record< string, string > = {}, text?: string ): HTMLElementTagNameMap[ K ] {
	const node = document.createElement( tag );
	for ( const [ name, value ] of Object.entries( attrs ) ) {
		node.setAttribute( name, value );
	}
	if ( text !== undefined ) {
		node.textContent = text;
	}
	return node;
}

export function shortHash( hash: string ): string {
	const hex = hash.startsWith( 'sha256:' ) ? hash.slice( 7 ) : hash;
	return hex.length > 12 ? `${ hex.slice( 0, 12 ) }…` : hex;
}
