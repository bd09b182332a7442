/** Mirrors block.json's attributes (block.json is the source). */
export type MyBookingsAttributes = {
	/** Link for each booking; {booking_id} is replaced (e.g. /booking/?booking_id={booking_id}). */
	detailsUrl: string;
	perPage: number;
	/** Wide by default: six columns. */
	align: string;
};
