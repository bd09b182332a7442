<?php
/**
 * "MyBnB" section of the user profile: which MyBnB guest and host a WordPress user is.
 *
 * @package MyBnB\Payments
 */

namespace MyBnB\Payments\Admin;

use MyBnB\Payments\Access\Gate;
use MyBnB\Payments\Ids;
use WP_Error;
use WP_User;

/**
 * Editable only by users with `edit_users` (and `edit_user` on that user), behind a nonce; values
 * are sanitised to the id shape or refused. Everyone else sees their own mapping read-only.
 * The mapping decides what a user may read, so a user can never set their own.
 */
final class UserProfile {

	private const NONCE = 'mybnb_user_ids';
	public const FIELDS = array(
		Gate::GUEST_META => 'mybnb_guest_id',
		Gate::HOST_META  => 'mybnb_host_id',
	);

	public function hooks(): void {
		add_action( 'show_user_profile', array( $this, 'render' ) );
		add_action( 'edit_user_profile', array( $this, 'render' ) );
		add_action( 'user_profile_update_errors', array( $this, 'validate' ), 10, 3 );
		add_action( 'personal_options_update', array( $this, 'save' ) );
		add_action( 'edit_user_profile_update', array( $this, 'save' ) );
	}

	public static function may_edit( int $user_id ): bool {
		return current_user_can( 'edit_users' ) && current_user_can( 'edit_user', $user_id );
	}

	public function render( WP_User $user ): void {
		$editable = self::may_edit( $user->ID );
		$values   = array(
			Gate::GUEST_META => (string) get_user_meta( $user->ID, Gate::GUEST_META, true ),
			Gate::HOST_META  => (string) get_user_meta( $user->ID, Gate::HOST_META, true ),
		);
		if ( ! $editable && '' === $values[ Gate::GUEST_META ] && '' === $values[ Gate::HOST_META ] ) {
			return;
		}
		echo '<h2 id="mybnb-profile">' . esc_html__( 'MyBnB', 'mybnb-payments' ) . '</h2>';
		echo '<table class="form-table" role="presentation">';
		$labels = array(
			Gate::GUEST_META => array( __( 'MyBnB guest id', 'mybnb-payments' ), __( 'This user sees the bookings, previews and receipts of this guest.', 'mybnb-payments' ) ),
			Gate::HOST_META  => array( __( 'MyBnB host id', 'mybnb-payments' ), __( 'This user sees the payout statements and host-side previews of this host.', 'mybnb-payments' ) ),
		);
		foreach ( $labels as $meta => $text ) {
			$id = self::FIELDS[ $meta ];
			echo '<tr><th scope="row"><label for="' . esc_attr( $id ) . '">' . esc_html( $text[0] ) . '</label></th><td>';
			if ( $editable ) {
				echo '<input type="text" class="regular-text code" id="' . esc_attr( $id ) . '" name="' . esc_attr( $id ) . '" value="' . esc_attr( $values[ $meta ] ) . '" pattern="[A-Za-z0-9_.:\-]{1,64}" maxlength="64" autocomplete="off">';
				echo '<p class="description">' . esc_html( $text[1] ) . '</p>';
			} else {
				echo '<input type="text" class="regular-text code" id="' . esc_attr( $id ) . '" value="' . esc_attr( $values[ $meta ] ) . '" readonly>';
				echo '<p class="description">' . esc_html__( 'Set by a site administrator.', 'mybnb-payments' ) . '</p>';
			}
			echo '</td></tr>';
		}
		echo '</table>';
		if ( $editable ) {
			wp_nonce_field( self::NONCE . '_' . $user->ID, self::NONCE );
		}
	}

	/**
	 * Refuses ids of the wrong shape before the profile is saved (the form shows the error).
	 *
	 * @param WP_Error         $errors
	 * @param bool             $update
	 * @param \stdClass|WP_User $user
	 */
	public function validate( $errors, $update, $user ): void {
		$user_id = isset( $user->ID ) ? (int) $user->ID : 0;
		if ( ! $this->submitted( $user_id ) ) {
			return;
		}
		foreach ( self::FIELDS as $field ) {
			$value = self::posted( $field );
			if ( '' !== $value && ! Ids::is_id( $value ) ) {
				/* translators: %s: field name */
				$errors->add( $field, sprintf( __( '%s: use 1 to 64 letters, digits, and _ . : - only.', 'mybnb-payments' ), $field === self::FIELDS[ Gate::GUEST_META ] ? __( 'MyBnB guest id', 'mybnb-payments' ) : __( 'MyBnB host id', 'mybnb-payments' ) ) );
			}
		}
	}

	/**
	 * Saves the ids: only with the capability and a valid nonce; an empty field removes the id.
	 */
	public function save( int $user_id ): void {
		if ( ! $this->submitted( $user_id ) ) {
			return;
		}
		foreach ( self::FIELDS as $meta => $field ) {
			$value = self::posted( $field );
			if ( '' === $value ) {
				delete_user_meta( $user_id, $meta );
			} elseif ( Ids::is_id( $value ) ) {
				update_user_meta( $user_id, $meta, $value );
			}
		}
	}

	/**
	 * True only for a form this user may save: capability, then nonce; anything else is ignored.
	 */
	private function submitted( int $user_id ): bool {
		if ( $user_id <= 0 || ! self::may_edit( $user_id ) ) {
			return false;
		}
		$nonce = isset( $_POST[ self::NONCE ] ) && is_string( $_POST[ self::NONCE ] ) ? sanitize_text_field( wp_unslash( $_POST[ self::NONCE ] ) ) : '';
		return false !== wp_verify_nonce( $nonce, self::NONCE . '_' . $user_id );
	}

	private static function posted( string $field ): string {
		// phpcs:ignore WordPress.Security.NonceVerification.Missing -- verified in submitted().
		// Validated against the id whitelist (Ids::is_id) by the callers, never "cleaned" into an id.
		return isset( $_POST[ $field ] ) && is_string( $_POST[ $field ] ) ? trim( wp_unslash( $_POST[ $field ] ) ) : ''; // phpcs:ignore WordPress.Security.ValidatedSanitizedInput.InputNotSanitized
	}
}
