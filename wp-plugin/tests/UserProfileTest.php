<?php
/**
 * Guest and host ids on the profile: editable only with edit_users, behind a nonce, sanitised.
 *
 * @package MyBnB\Payments
 */

use MyBnB\Payments\Admin\UserProfile;
use MyBnB\Payments\Tests\SiteTestCase;

final class UserProfileTest extends SiteTestCase {

	protected function tearDown(): void {
		$_POST = array();
		parent::tearDown();
	}

	private function form_html( int $user_id ): string {
		ob_start();
		( new UserProfile() )->render( get_userdata( $user_id ) );
		return (string) ob_get_clean();
	}

	private function post_ids( int $user_id, string $guest, string $host, bool $nonce = true ): void {
		$_POST = array(
			'mybnb_guest_id' => $guest,
			'mybnb_host_id'  => $host,
		);
		if ( $nonce ) {
			$_POST['mybnb_user_ids'] = wp_create_nonce( 'mybnb_user_ids_' . $user_id );
		}
		$errors = new WP_Error();
		( new UserProfile() )->validate( $errors, true, get_userdata( $user_id ) );
		if ( ! $errors->has_errors() ) {
			( new UserProfile() )->save( $user_id );
		}
	}

	public function test_an_admin_maps_a_user_to_a_guest_and_a_host(): void {
		$guest = $this->user( 'subscriber' );
		wp_set_current_user( $this->user( 'administrator' ) );
		$html = $this->form_html( $guest );
		$this->assertStringContainsString( 'name="mybnb_guest_id"', $html );
		$this->assertStringContainsString( 'name="mybnb_user_ids"', $html, 'nonce field' );
		$this->post_ids( $guest, ' g_owner ', 'h_owner' );
		$this->assertSame( 'g_owner', get_user_meta( $guest, 'mybnb_guest_id', true ), 'trimmed' );
		$this->assertSame( 'h_owner', get_user_meta( $guest, 'mybnb_host_id', true ) );
		$this->post_ids( $guest, '', 'h_owner' );
		$this->assertSame( '', get_user_meta( $guest, 'mybnb_guest_id', true ), 'empty removes' );
	}

	public function test_bad_ids_are_refused_with_an_error(): void {
		$guest = $this->user( 'subscriber', array( 'mybnb_guest_id' => 'g_owner' ) );
		wp_set_current_user( $this->user( 'administrator' ) );
		$_POST  = array( 'mybnb_guest_id' => '<script>x</script>', 'mybnb_host_id' => '', 'mybnb_user_ids' => wp_create_nonce( 'mybnb_user_ids_' . $guest ) );
		$errors = new WP_Error();
		( new UserProfile() )->validate( $errors, true, get_userdata( $guest ) );
		$this->assertTrue( $errors->has_errors() );
		$this->post_ids( $guest, 'a b', '' );
		$this->assertSame( 'g_owner', get_user_meta( $guest, 'mybnb_guest_id', true ), 'unchanged' );
	}

	public function test_a_subscriber_cannot_set_their_own_ids(): void {
		$me = $this->user( 'subscriber', array( 'mybnb_guest_id' => 'g_mine' ) );
		wp_set_current_user( $me );
		$html = $this->form_html( $me );
		$this->assertStringNotContainsString( 'name="mybnb_guest_id"', $html, 'no editable field' );
		$this->assertStringContainsString( 'value="g_mine" readonly', $html );
		$this->post_ids( $me, 'g_owner', 'h_owner' );
		$this->post_ids( $me, 'g_owner', 'h_owner', false );
		$this->assertSame( 'g_mine', get_user_meta( $me, 'mybnb_guest_id', true ) );
		$this->assertSame( '', get_user_meta( $me, 'mybnb_host_id', true ) );
	}

	public function test_an_editor_cannot_map_users_and_an_admin_needs_the_nonce(): void {
		$guest = $this->user( 'subscriber' );
		wp_set_current_user( $this->user( 'editor' ) );
		$this->assertSame( '', $this->form_html( $guest ), 'nothing to show or edit' );
		$this->post_ids( $guest, 'g_owner', '' );
		$this->assertSame( '', get_user_meta( $guest, 'mybnb_guest_id', true ) );
		wp_set_current_user( $this->user( 'administrator' ) );
		$this->post_ids( $guest, 'g_owner', '', false );
		$this->assertSame( '', get_user_meta( $guest, 'mybnb_guest_id', true ), 'no nonce, no change' );
		$_POST = array( 'mybnb_guest_id' => 'g_owner', 'mybnb_user_ids' => wp_create_nonce( 'mybnb_user_ids_' . ( $guest + 1 ) ) );
		( new UserProfile() )->save( $guest );
		$this->assertSame( '', get_user_meta( $guest, 'mybnb_guest_id', true ), 'a nonce for another user does not count' );
	}

	public function test_the_form_escapes_stored_values(): void {
		$guest = $this->user( 'subscriber', array( 'mybnb_guest_id' => '"><script>alert(1)</script>' ) );
		wp_set_current_user( $this->user( 'administrator' ) );
		$html = $this->form_html( $guest );
		$this->assertStringNotContainsString( '<script>', $html );
		$this->assertStringContainsString( '&quot;&gt;&lt;script&gt;', $html );
	}
}
