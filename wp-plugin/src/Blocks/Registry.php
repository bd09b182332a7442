<?php
/**
 * Registers the four dynamic blocks from their built block.json files.
 *
 * @package MyBnB\Payments
 */

namespace MyBnB\Payments\Blocks;

/**
 * block.json (built from blocks/src/<slug>/ into build/<slug>/) is the one source of each block's
 * attributes and scripts; PHP adds only the render callback.
 */
final class Registry {

	/**
	 * @param Block[] $blocks
	 */
	public function __construct( private string $build_dir, private array $blocks ) {}

	public const COMMON_STYLE = 'mybnb-payments-blocks';

	public function register(): void {
		// Styles every block shares (tables, notices); each block.json lists this handle.
		$css = dirname( $this->build_dir ) . '/assets/blocks.css';
		wp_register_style( self::COMMON_STYLE, plugins_url( 'assets/blocks.css', $this->build_dir ), array(), (string) filemtime( $css ) );
		foreach ( $this->blocks as $block ) {
			$dir = $this->build_dir . '/' . $block->slug();
			if ( ! is_file( $dir . '/block.json' ) ) {
				// Not built (a source checkout without `npm --prefix blocks run build`): nothing to register.
				continue;
			}
			$type = register_block_type( $dir, array( 'render_callback' => array( $block, 'render_callback' ) ) );
			if ( ! $type ) {
				continue;
			}
			// The scripts' strings come from languages/mybnb-payments-{locale}-{md5 of build/…/x.js}.json.
			foreach ( array_merge( $type->editor_script_handles, $type->view_script_handles ) as $handle ) {
				wp_set_script_translations( $handle, 'mybnb-payments', dirname( $this->build_dir ) . '/languages' );
			}
		}
	}

	/**
	 * @return Block[]
	 */
	public function blocks(): array {
		return $this->blocks;
	}
}
