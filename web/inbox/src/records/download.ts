/**
 * Saves a file the hub answered (a CSV export): the exports need the member's token, which a plain link cannot
 * carry, so the page fetches it and hands the browser the bytes as they came (the BOM included).
 */
export function saveFile(file: Blob, name: string): void {
  const address = URL.createObjectURL(file);
  const link = document.createElement('a');
  link.href = address;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  // The browser has taken the bytes once the click is handled; the address is only needed for that.
  setTimeout(() => URL.revokeObjectURL(address), 10_000);
}
