/** Quotes one word for a POSIX shell. */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replaceAll("'", "'\\''")}'`;
}

/** Quotes a word in which `placeholder` stands for the expansion of `"$var"`. */
export function shellQuoteWithVar(word: string, placeholder: string, variable: string): string {
  return word
    .split(placeholder)
    .map((piece) => (piece === "" ? "" : shellQuote(piece)))
    .join(`"$${variable}"`);
}
