/** Mirrors block.json's attributes (block.json is the source). */
export type BookingSummaryAttributes = {
	bookingId: string;
};
