import { registerBlockType, type BlockConfiguration } from '@wordpress/blocks';
import metadata from './block.json';
import ServerPreview, { bookingIdField } from '../shared/ServerPreview';
import type { ReceiptAttributes } from './types';
import './style.css';

registerBlockType< ReceiptAttributes >( metadata.name, {
	...( metadata as unknown as BlockConfiguration< ReceiptAttributes > ),
	edit: ( { attributes, setAttributes } ) => (
		<ServerPreview
			blockName={ metadata.name }
			attributes={ attributes }
			setAttributes={ setAttributes }
			fields={ [ bookingIdField ] }
		/>
	),
	save: () => null,
} );
