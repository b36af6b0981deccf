/**
 * Hands the browser a file to save. The hub's exports need the member's token, which a plain link cannot carry, so
 * the pages fetch them and give the browser the bytes as they came (the CSV's BOM included); a chart's PNG is the
 * canvas as drawn, a data address.
 */
export function saveFile(file: Blob, name: string): void {
  const address = URL.createObjectURL(file);
  saveAddress(address, name);
  // The browser has taken the bytes once the click is handled; the address is only needed for that.
  setTimeout(() => URL.revokeObjectURL(address), 10_000);
}

/** Saves what an address holds (a data address or an object URL) under `name`. */
export function saveAddress(address: string, name: string): void {
  const link = document.createElement('a');
  link.href = address;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
}
