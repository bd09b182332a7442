<?php
/**
 * Base for tests that run inside the real site: a fake sidecar, settings, users, cleaned up after.
 *
 * @package MyBnB\Payments
 */

namespace MyBnB\Payments\Tests;

use MyBnB\Payments\Plugin;
use MyBnB\Payments\Settings;
use PHPUnit\Framework\TestCase;

abstract class SiteTestCase extends TestCase {

	protected FakeSidecar $sidecar;

	/** @var int[] */
	private array $users = array();

	/** @var mixed */
	private $saved_option;

	/** @var mixed */
	private $saved_secret;

	protected function setUp(): void {
		parent::setUp();
		$this->saved_option = get_option( Settings::OPTION, null );
		update_option(
			Settings::OPTION,
			array(
				'sidecar_url'         => 'http://127.0.0.1:9',
				'key_id'              => 'wp-test',
				'cancel_url_template' => 'http://engine.test/bookings/{booking_id}/cancel?consent={outcome_hash}',
			)
		);
		$this->saved_secret = get_option( Settings::SECRET_OPTION, null );
		update_option( Settings::SECRET_OPTION, 'test-secret-never-shown', false );
		// Each test starts with nothing cached and the sidecar not marked down.
		mybnb_cache_flush_all();
		$this->sidecar = new FakeSidecar();
		$this->sidecar->install();
		Plugin::instance()->gate->forget();
		wp_set_current_user( 0 );
		$this->booking_fixture();
	}

	protected function tearDown(): void {
		$this->sidecar->uninstall();
		wp_set_current_user( 0 );
		foreach ( $this->users as $id ) {
			wp_delete_user( $id );
		}
		if ( null === $this->saved_secret ) {
			delete_option( Settings::SECRET_OPTION );
		} else {
			update_option( Settings::SECRET_OPTION, $this->saved_secret, false );
		}
		mybnb_cache_flush_all();
		if ( null === $this->saved_option ) {
			delete_option( Settings::OPTION );
		} else {
			update_option( Settings::OPTION, $this->saved_option );
		}
		parent::tearDown();
	}

	/**
	 * @param array<string,string> $meta
	 */
	protected function user( string $role, array $meta = array() ): int {
		$id = wp_insert_user(
			array(
				'user_login' => 'mybnb_t_' . wp_generate_password( 8, false ),
				'user_pass'  => wp_generate_password( 16 ),
				'role'       => $role,
			)
		);
		$this->assertIsInt( $id );
		foreach ( $meta as $key => $value ) {
			update_user_meta( $id, $key, $value );
		}
		$this->users[] = $id;
		return $id;
	}

	/**
	 * One booking of guest g_owner with host h_owner, in the sidecar's read shapes.
	 */
	private function booking_fixture(): void {
		$rule = array( 'policy' => 'cancellation/moderate', 'version' => 1, 'hash' => 'sha256:' . str_repeat( 'ab', 32 ) );
		$this->sidecar->json(
			'/bookings/bk_1',
			array(
				'booking_id'     => 'bk_1',
				'listing_id'     => 'l_1',
				'guest_id'       => 'g_owner',
				'host_id'        => 'h_owner',
				'state'          => 'paid',
				'currency'       => 'USD',
				'check_in'       => '2026-10-01',
				'check_out'      => '2026-10-04',
				'check_in_time'  => '15:00',
				'time_zone'      => 'Europe/Lisbon',
				'rule'           => $rule,
				'price_lines'    => array(
					array( 'code' => 'nightly_total', 'label' => 'Nights', 'amount_minor' => 30000 ),
					array( 'code' => 'cleaning_fee', 'label' => 'Cleaning fee', 'amount_minor' => 5000 ),
					array( 'code' => 'pet_fee', 'label' => 'Pet <b>fee</b>', 'amount_minor' => 0 ),
				),
				'total_minor'    => 35000,
				'paid_minor'     => 35000,
				'refunded_minor' => 0,
				'fees'           => array( 'host_fee_minor' => 1050, 'stripe_fee_minor' => 1045 ),
				'transfers'      => array(),
				'next_step'      => array( 'action' => 'host_payout', 'due_at' => '2026-10-02T15:00:00Z' ),
			)
		);
		$this->sidecar->json(
			'/preview/outcome?action=cancel&booking_id=bk_1&by=guest',
			array(
				'allowed'      => true,
				'rule'         => $rule,
				'outcome'      => array( 'currency' => 'USD', 'refund_to_guest' => 30000, 'credit_to_guest' => 0, 'host_payout' => 4850, 'platform_fee_kept' => 0, 'taxes_kept' => 0, 'host_penalty' => 0, 'host_recovery' => 0, 'lines' => array( 'nightly_refund' => 30000, 'cleaning_refund' => 0, 'service_fee_refund' => 0, 'taxes_refund' => 0, 'nightly_kept' => 0, 'cleaning_kept' => 5000, 'host_fee' => 150, 'service_fee_kept' => 0 ) ),
				'valid_until'  => '2026-09-24T14:00:00Z',
				'explanation'  => array( 'Full refund of nights until 7 days before check-in <script>alert(1)</script>', 'Refund to guest USD 300.00; host payout USD 50.00; platform keeps USD 0.00.' ),
				'outcome_hash' => 'sha256:' . str_repeat( 'cd', 32 ),
				'evaluated_at' => '2026-09-20T14:00:00Z',
			)
		);
		$this->sidecar->json(
			'/preview/outcome?action=cancel&booking_id=bk_1&by=host',
			array(
				'allowed'      => true,
				'rule'         => $rule,
				'outcome'      => array( 'currency' => 'USD', 'refund_to_guest' => 35000, 'credit_to_guest' => 0, 'host_payout' => 0, 'platform_fee_kept' => 0, 'taxes_kept' => 0, 'host_penalty' => 5000, 'host_recovery' => 0, 'lines' => array() ),
				'valid_until'  => null,
				'explanation'  => array( 'Host cancellation: full refund to the guest. <script>alert(2)</script>' ),
				'outcome_hash' => 'sha256:' . str_repeat( 'ef', 32 ),
				'evaluated_at' => '2026-09-20T14:00:00Z',
			)
		);
		$this->sidecar->json(
			'/bookings/bk_1/receipt',
			array(
				'booking_id'      => 'bk_1',
				'guest_id'        => 'g_owner',
				'currency'        => 'USD',
				'lines'           => array(
					array( 'label' => 'Stay', 'amount_minor' => 35000, 'kind' => 'charge', 'unit' => 'USD' ),
					array( 'label' => 'Loyalty credits (non-cash)', 'amount_minor' => 35, 'kind' => 'credit', 'unit' => 'CREDIT' ),
				),
				'paid_minor'      => 35000,
				'refunded_minor'  => 0,
				'net_paid_minor'  => 35000,
				'credits_granted' => 0,
			)
		);
		$this->sidecar->json(
			'/hosts/h_owner/statement?from=2026-10-01&to=2026-10-31',
			array(
				'host_id'  => 'h_owner',
				'from'     => '2026-10-01',
				'to'       => '2026-10-31',
				'bookings' => array( array( 'booking_id' => 'bk_1', 'currency' => 'USD', 'gross_minor' => 35000, 'host_fee_minor' => 1050, 'refunds_minor' => 0, 'reversals_minor' => 0, 'penalties_minor' => 0, 'transfers_minor' => 33950, 'net_minor' => 33950 ) ),
				'totals'   => array( array( 'currency' => 'USD', 'gross_minor' => 35000, 'host_fee_minor' => 1050, 'refunds_minor' => 0, 'reversals_minor' => 0, 'penalties_minor' => 0, 'transfers_minor' => 33950, 'net_minor' => 33950 ) ),
			)
		);
		$this->sidecar->json( '/whoami', array( 'key_id' => 'wp-test', 'role' => 'reader', 'server_time' => gmdate( 'Y-m-d\TH:i:s\Z' ) ) );
		$this->sidecar->json(
			'/guests/g_owner/bookings?limit=10',
			array(
				'guest_id'    => 'g_owner',
				'limit'       => 10,
				'bookings'    => array(
					array( 'booking_id' => 'bk_1', 'listing_id' => 'l_1', 'host_id' => 'h_owner', 'state' => 'paid', 'currency' => 'EUR', 'check_in' => '2026-10-01', 'check_out' => '2026-10-04', 'check_in_time' => '15:00', 'time_zone' => 'Europe/Lisbon', 'total_minor' => 123456, 'paid_minor' => 123456, 'refunded_minor' => 0 ),
					array( 'booking_id' => 'bk_<i>x</i>', 'state' => 'weird<state>', 'currency' => 'USD', 'check_in' => 'not-a-date', 'check_out' => '', 'total_minor' => 'NaN' ),
				),
				'next_cursor' => 'WyIyMDI2IiwiYmtfMSJd',
			)
		);
		$this->sidecar->raw( '/hosts/h_owner/statement?from=2026-10-01&to=2026-10-31&format=csv', 200, 'text/csv; charset=utf-8', "booking_id,currency,net_minor\nbk_1,USD,33950\n" );
	}
}
