<?php
// Written into the e2e site by e2e/wp-env.sh: quiet an offline box.
add_filter( 'pre_wp_mail', '__return_true' );              // no MTA here
add_filter( 'pre_option_show_avatars', '__return_zero' );  // avatar hosts are unreachable
