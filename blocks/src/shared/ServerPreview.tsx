/**
 * The editor's view of a dynamic block: settings in the sidebar, the PHP rendering in the canvas
 * (the same markup visitors get, for the editing user's own permissions).
 */
import { InspectorControls, useBlockProps } from '@wordpress/block-editor';
import { PanelBody, TextControl, SelectControl } from '@wordpress/components';
import ServerSideRender from '@wordpress/server-side-render';
import { __ } from '@wordpress/i18n';

export type Field =
	| { kind: 'text'; name: string; label: string; help?: string }
	| { kind: 'select'; name: string; label: string; options: { label: string; value: string }[] };

type Props = {
	blockName: string;
	attributes: Record< string, unknown >;
	setAttributes: ( next: Record< string, unknown > ) => void;
	fields: Field[];
};

export default function ServerPreview( { blockName, attributes, setAttributes, fields }: Props ) {
	const blockProps = useBlockProps();
	return (
		<div { ...blockProps }>
			<InspectorControls>
				<PanelBody title={ __( 'Settings', 'mybnb-payments' ) }>
					{ fields.map( ( field ) =>
						field.kind === 'text' ? (
							<TextControl
								key={ field.name }
								__next40pxDefaultSize
								__nextHasNoMarginBottom
								label={ field.label }
								help={ field.help }
								value={ String( attributes[ field.name ] ?? '' ) }
								onChange={ ( value: string ) => setAttributes( { [ field.name ]: value.trim() } ) }
							/>
						) : (
							<SelectControl
								key={ field.name }
								__next40pxDefaultSize
								__nextHasNoMarginBottom
								label={ field.label }
								value={ String( attributes[ field.name ] ?? '' ) }
								options={ field.options }
								onChange={ ( value: string ) => setAttributes( { [ field.name ]: value } ) }
							/>
						)
					) }
				</PanelBody>
			</InspectorControls>
			<ServerSideRender block={ blockName } attributes={ attributes } />
		</div>
	);
}

export const bookingIdField: Field = {
	kind: 'text',
	name: 'bookingId',
	label: __( 'Booking id', 'mybnb-payments' ),
	help: __( 'Leave empty to use ?booking_id= from the page address.', 'mybnb-payments' ),
};
