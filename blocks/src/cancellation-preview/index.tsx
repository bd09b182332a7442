import { registerBlockType, type BlockConfiguration } from '@wordpress/blocks';
import { __ } from '@wordpress/i18n';
import metadata from './block.json';
import ServerPreview, { bookingIdField } from '../shared/ServerPreview';
import type { CancellationPreviewAttributes } from './types';
import './style.css';

registerBlockType< CancellationPreviewAttributes >( metadata.name, {
	...( metadata as unknown as BlockConfiguration< CancellationPreviewAttributes > ),
	edit: ( { attributes, setAttributes } ) => (
		<ServerPreview
			blockName={ metadata.name }
			attributes={ attributes }
			setAttributes={ setAttributes }
			fields={ [
				bookingIdField,
				{
					kind: 'select',
					name: 'by',
					label: __( 'Who cancels', 'mybnb-payments' ),
					options: [
						{ label: __( 'Guest', 'mybnb-payments' ), value: 'guest' },
						{ label: __( 'Host', 'mybnb-payments' ), value: 'host' },
					],
				},
			] }
		/>
	),
	save: () => null,
} );
