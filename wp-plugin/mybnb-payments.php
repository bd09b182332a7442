<?php
/**
 * Plugin Name:       MyBnB Payments
 * Description:       Read-only views of MyBnB bookings, cancellation previews, receipts and host payout statements, served by the MyBnB Payments sidecar.
 * Version:           0.2.0
 * Requires at least: 6.6
 * Requires PHP:      8.1
 * Author:            MyBnB
 * License:           GPL-2.0-or-later
 * License URI:       https://www.gnu.org/licenses/gpl-2.0.html
 * Text Domain:       mybnb-payments
 * Domain Path:       /languages
 *
 * @package MyBnB\Payments
 */

// This file only boots: every behaviour lives in namespaced classes under src/.
if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

define( 'MYBNB_PAYMENTS_FILE', __FILE__ );
define( 'MYBNB_PAYMENTS_VERSION', '0.2.0' );

require_once __DIR__ . '/src/autoload.php';
require_once __DIR__ . '/src/functions.php';

\MyBnB\Payments\Plugin::boot( __FILE__ );
