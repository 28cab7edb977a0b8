/** Dollars as the reports print them, and the rounding their totals use. */

/** To the cent. */
export const cents = (usd: number) => Math.round(usd * 100) / 100;

/** `$1,234.50`, `-$3.00`. */
export const usd = (value: number) =>
  `${value < 0 ? "-" : ""}$${Math.abs(value).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

/** A change: `+$3.00`, `-$3.00`, `$0.00`. */
export const signedUsd = (value: number) => (value > 0 ? `+${usd(value)}` : usd(value));
