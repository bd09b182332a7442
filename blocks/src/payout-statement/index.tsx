import { registerBlockType, type BlockConfiguration } from '@wordpress/blocks';
import { __ } from '@wordpress/i18n';
import metadata from './block.json';
import ServerPreview from '../shared/ServerPreview';
import type { PayoutStatementAttributes } from './types';
import './style.css';

registerBlockType< PayoutStatementAttributes >( metadata.name, {
	...( metadata as unknown as BlockConfiguration< PayoutStatementAttributes > ),
	edit: ( { attributes, setAttributes } ) => (
		<ServerPreview
			blockName={ metadata.name }
			attributes={ attributes }
			setAttributes={ setAttributes }
			fields={ [
				{
					kind: 'text',
					name: 'hostId',
					label: __( 'Host id (administrators only)', 'mybnb-payments' ),
					help: __( 'Leave empty: each host sees their own statement.', 'mybnb-payments' ),
				},
			] }
		/>
	),
	save: () => null,
} );
