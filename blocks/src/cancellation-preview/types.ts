/** Mirrors block.json's attributes (block.json is the source). */
export type CancellationPreviewAttributes = {
	bookingId: string;
	by: 'guest' | 'host';
};
