import { registerBlockType, type BlockConfiguration } from '@wordpress/blocks';
import { __ } from '@wordpress/i18n';
import metadata from './block.json';
import ServerPreview from '../shared/ServerPreview';
import type { MyBookingsAttributes } from './types';
import './style.css';

registerBlockType< MyBookingsAttributes >( metadata.name, {
	...( metadata as unknown as BlockConfiguration< MyBookingsAttributes > ),
	edit: ( { attributes, setAttributes } ) => (
		<ServerPreview
			blockName={ metadata.name }
			attributes={ attributes }
			setAttributes={ setAttributes }
			fields={ [
				{
					kind: 'text',
					name: 'detailsUrl',
					label: __( 'Booking page address', 'mybnb-payments' ),
					help: __( '{booking_id} is replaced, e.g. /booking/?booking_id={booking_id}. Leave empty for no links.', 'mybnb-payments' ),
				},
			] }
		/>
	),
	save: () => null,
} );
