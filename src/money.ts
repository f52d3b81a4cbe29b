// Sums of the gateway's decimal cost strings ("0.0065", "0.35"), exactly: a batch of thousands of
// tasks adds thousands of binary fractions, and an invoice does not round the way a float does.

/** The exact sum of decimal strings; entries that are not plain decimals are skipped. */
export function sumDecimals(values: Iterable<string | undefined>): string {
  let total = 0n;
  let scale = 0;
  for (const value of values) {
    const match = value === undefined ? null : /^(\d+)(?:\.(\d+))?$/.exec(value.trim());
    if (!match) continue;
    const fraction = match[2] ?? "";
    if (fraction.length > scale) {
      total *= 10n ** BigInt(fraction.length - scale);
      scale = fraction.length;
    }
    total += BigInt(match[1]! + fraction.padEnd(scale, "0"));
  }
  if (scale === 0) return total.toString();
  const digits = total.toString().padStart(scale + 1, "0");
  return `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}
