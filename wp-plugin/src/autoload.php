<?php
/**
 * PSR-4 autoloader for MyBnB\Payments\ -> src/ (no Composer needed on a WordPress host).
 *
 * @package MyBnB\Payments
 */

spl_autoload_register(
	static function ( string $class_name ): void {
		$prefix = 'MyBnB\\Payments\\';
		if ( strncmp( $class_name, $prefix, strlen( $prefix ) ) !== 0 ) {
			return;
		}
		$relative = substr( $class_name, strlen( $prefix ) );
		$file     = __DIR__ . '/' . str_replace( '\\', '/', $relative ) . '.php';
		if ( is_file( $file ) ) {
			require_once $file;
		}
	}
);
