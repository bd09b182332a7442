<?php
// Written into the e2e site by e2e/wp-env.sh: quiet an offline box.
add_filter( 'pre_wp_mail', '__return_true' );              // no MTA here
add_filter( 'pre_option_show_avatars', '__return_zero' );  // avatar hosts are unreachable
// No update checks and no block directory: both call out to the internet, which is closed here.
remove_action( 'admin_init', '_maybe_update_core' );
remove_action( 'admin_init', '_maybe_update_plugins' );
remove_action( 'admin_init', '_maybe_update_themes' );
remove_action( 'enqueue_block_editor_assets', 'wp_enqueue_editor_block_directory_assets' );
