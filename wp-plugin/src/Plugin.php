<?php
/**
 * Composition root: builds the objects once and hooks them into WordPress.
 *
 * @package MyBnB\Payments
 */

namespace MyBnB\Payments;

use MyBnB\Payments\Access\Gate;
use MyBnB\Payments\Admin\SettingsPage;
use MyBnB\Payments\Admin\SiteHealth;
use MyBnB\Payments\Admin\UserProfile;
use MyBnB\Payments\Blocks\BookingSummary;
use MyBnB\Payments\Blocks\CancellationPreview;
use MyBnB\Payments\Blocks\MyBookings;
use MyBnB\Payments\Blocks\PayoutStatement;
use MyBnB\Payments\Blocks\Receipt;
use MyBnB\Payments\Blocks\Registry;
use MyBnB\Payments\Rest\Routes;
use MyBnB\Payments\Sidecar\Client;

/**
 * One instance per request.
 */
final class Plugin {

	private static ?Plugin $instance = null;

	public readonly Settings $settings;
	public readonly Client $client;
	public readonly Gate $gate;
	public readonly Routes $routes;
	public readonly Registry $blocks;

	private function __construct( public readonly string $plugin_file ) {
		$this->settings = new Settings();
		$this->client   = new Client( $this->settings );
		$this->gate     = new Gate( $this->client );
		$this->routes   = new Routes( $this->client, $this->gate );
		$this->blocks   = new Registry(
			dirname( $plugin_file ) . '/build',
			array(
				new BookingSummary( $this->client, $this->gate, $this->settings ),
				new CancellationPreview( $this->client, $this->gate, $this->settings ),
				new Receipt( $this->client, $this->gate, $this->settings ),
				new PayoutStatement( $this->client, $this->gate, $this->settings ),
				new MyBookings( $this->client, $this->gate, $this->settings ),
			)
		);
	}

	public static function boot( string $plugin_file ): self {
		if ( null === self::$instance ) {
			self::$instance = new self( $plugin_file );
			self::$instance->hooks();
		}
		return self::$instance;
	}

	public static function instance(): ?self {
		return self::$instance;
	}

	private function hooks(): void {
		add_action( 'init', array( $this, 'load_textdomain' ) );
		add_action( 'init', array( $this->blocks, 'register' ) );
		add_action( 'rest_api_init', array( $this->routes, 'register' ) );
		add_action( 'rest_api_init', array( new Rest\OutboundReceiver(), 'register' ) );
		if ( is_admin() ) {
			( new SettingsPage( $this->settings, $this->client ) )->hooks();
			( new UserProfile() )->hooks();
		}
		// Site Health runs its direct tests in admin pages and over REST (wp-site-health/v1).
		( new SiteHealth( $this->settings, $this->client ) )->hooks();
		add_filter( 'plugin_action_links_' . plugin_basename( $this->plugin_file ), array( $this, 'action_links' ) );
	}

	public function load_textdomain(): void {
		load_plugin_textdomain( 'mybnb-payments', false, dirname( plugin_basename( $this->plugin_file ) ) . '/languages' );
	}

	/**
	 * @param string[] $links
	 * @return string[]
	 */
	public function action_links( array $links ): array {
		$url = admin_url( 'options-general.php?page=' . SettingsPage::SLUG );
		array_unshift( $links, '<a href="' . esc_url( $url ) . '">' . esc_html__( 'Settings', 'mybnb-payments' ) . '</a>' );
		return $links;
	}
}
