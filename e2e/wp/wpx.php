<?php
// wpx.php - a small stand-in for wp-cli (no wp-cli package on Debian 12, and no downloads here).
// usage: php wpx.php SITE_DIR COMMAND [ARGS...]
//   install TITLE USER PASS EMAIL | version | permalinks STRUCTURE | activate PLUGIN_FILE
//   user NAME PASS ROLE [META_KEY=VALUE ...]   create or update a user, print its id
//   page SLUG TITLE CONTENT_FILE               create or update a published page, print "id url"
//   install-zip ZIP                            install a plugin zip like an admin upload (overwrites)
//   eval 'PHP CODE'
// Variables here become WordPress globals once wp-load.php runs: never name one $plugin, $post, $wp.
$wpx_site = rtrim( $argv[1] ?? '', '/' );
$wpx_cmd  = $argv[2] ?? '';
$wpx_args = array_slice( $argv, 3 );
if ( ! is_file( "$wpx_site/wp-load.php" ) ) {
	fwrite( STDERR, "wpx: no WordPress in '$wpx_site'\n" );
	exit( 2 );
}
$_SERVER['HTTP_HOST']   = 'localhost';
$_SERVER['SERVER_NAME'] = 'localhost';
$_SERVER['REQUEST_URI'] = '/';
if ( 'install' === $wpx_cmd ) {
	define( 'WP_INSTALLING', true );
}
require "$wpx_site/wp-load.php";
require_once ABSPATH . 'wp-admin/includes/plugin.php';
function wpx_fail( $m ) {
	fwrite( STDERR, "wpx: $m\n" );
	exit( 1 );
}
switch ( $wpx_cmd ) {
	case 'install':
		require_once ABSPATH . 'wp-admin/includes/upgrade.php';
		if ( is_blog_installed() ) {
			echo "already installed\n";
			break;
		}
		add_filter( 'pre_wp_mail', '__return_true' );
		$wpx_r = wp_install( $wpx_args[0], $wpx_args[1], $wpx_args[3], true, '', wp_slash( $wpx_args[2] ) );
		echo "installed (user id {$wpx_r['user_id']})\n";
		break;
	case 'version':
		echo get_bloginfo( 'version' ), "\n";
		break;
	case 'permalinks':
		if ( get_option( 'permalink_structure' ) !== $wpx_args[0] ) {
			$GLOBALS['wp_rewrite']->set_permalink_structure( $wpx_args[0] );
		}
		flush_rewrite_rules( false );
		echo get_option( 'permalink_structure' ), "\n";
		break;
	case 'activate':
		if ( is_plugin_active( $wpx_args[0] ) ) {
			echo "already active: {$wpx_args[0]}\n";
			break;
		}
		$wpx_r = activate_plugin( $wpx_args[0] );
		if ( is_wp_error( $wpx_r ) ) {
			wpx_fail( $wpx_r->get_error_message() . " ({$wpx_args[0]})" );
		}
		echo "activated: {$wpx_args[0]}\n";
		break;
	case 'user':
		$wpx_user = get_user_by( 'login', $wpx_args[0] );
		$wpx_data = array( 'user_login' => $wpx_args[0], 'user_pass' => $wpx_args[1], 'role' => $wpx_args[2], 'user_email' => $wpx_args[0] . '@example.com' );
		if ( $wpx_user ) {
			$wpx_data['ID'] = $wpx_user->ID;
		}
		$wpx_id = $wpx_user ? wp_update_user( $wpx_data ) : wp_insert_user( $wpx_data );
		if ( is_wp_error( $wpx_id ) ) {
			wpx_fail( $wpx_id->get_error_message() );
		}
		delete_user_meta( $wpx_id, 'mybnb_guest_id' );
		delete_user_meta( $wpx_id, 'mybnb_host_id' );
		foreach ( array_slice( $wpx_args, 3 ) as $wpx_kv ) {
			list( $wpx_k, $wpx_v ) = explode( '=', $wpx_kv, 2 );
			update_user_meta( $wpx_id, $wpx_k, $wpx_v );
		}
		echo $wpx_id, "\n";
		break;
	case 'page':
		$wpx_existing = get_page_by_path( $wpx_args[0], OBJECT, 'page' );
		$wpx_post     = array(
			'post_type'    => 'page',
			'post_name'    => $wpx_args[0],
			'post_title'   => $wpx_args[1],
			'post_content' => file_get_contents( $wpx_args[2] ),
			'post_status'  => 'publish',
			'post_author'  => 1,
		);
		if ( $wpx_existing ) {
			$wpx_post['ID'] = $wpx_existing->ID;
		}
		$wpx_id = wp_insert_post( wp_slash( $wpx_post ), true );
		if ( is_wp_error( $wpx_id ) ) {
			wpx_fail( $wpx_id->get_error_message() );
		}
		echo $wpx_id, ' ', get_permalink( $wpx_id ), "\n";
		break;
	case 'install-zip':
		require_once ABSPATH . 'wp-admin/includes/class-wp-upgrader.php';
		require_once ABSPATH . 'wp-admin/includes/file.php';
		require_once ABSPATH . 'wp-admin/includes/misc.php';
		$wpx_skin     = new Automatic_Upgrader_Skin();
		$wpx_upgrader = new Plugin_Upgrader( $wpx_skin );
		$wpx_r        = $wpx_upgrader->install( $wpx_args[0], array( 'overwrite_package' => true ) );
		if ( true !== $wpx_r ) {
			$wpx_msg = is_wp_error( $wpx_r ) ? $wpx_r->get_error_message() : implode( '; ', array_map( 'wp_strip_all_tags', (array) $wpx_skin->get_upgrade_messages() ) );
			wpx_fail( 'zip install failed: ' . $wpx_msg );
		}
		echo 'installed from zip: ', $wpx_upgrader->plugin_info(), "\n";
		break;
	case 'eval':
		eval( $wpx_args[0] ); // phpcs:ignore -- test tool.
		break;
	default:
		wpx_fail( "unknown command '$wpx_cmd'" );
}
