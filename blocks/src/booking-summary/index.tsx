import { registerBlockType, type BlockConfiguration } from '@wordpress/blocks';
import metadata from './block.json';
import ServerPreview, { bookingIdField } from '../shared/ServerPreview';
import type { BookingSummaryAttributes } from './types';
import './style.css';

registerBlockType< BookingSummaryAttributes >( metadata.name, {
	...( metadata as unknown as BlockConfiguration< BookingSummaryAttributes > ),
	edit: ( { attributes, setAttributes } ) => (
		<ServerPreview
			blockName={ metadata.name }
			attributes={ attributes }
			setAttributes={ setAttributes }
			fields={ [ bookingIdField ] }
		/>
	),
	// Dynamic: PHP renders the numbers.
	save: () => null,
} );
