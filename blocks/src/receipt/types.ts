/** Mirrors block.json's attributes (block.json is the source). */
export type ReceiptAttributes = {
	bookingId: string;
};
