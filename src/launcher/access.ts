/** Access classes a rule grants: read files and list directories, modify
 * (write, create, remove, rename/link with REFER, truncate, device ioctls),
 * execute, connect to pathname unix sockets (RESOLVE_UNIX, Landlock ABI 9).
 * Written as a string of the letters r, w, x, c. */
export type Access = string;

/** The letters, in their canonical order. */
export const ACCESS_LETTERS = ["r", "w", "x", "c"] as const;

/** Normalizes access letters to the canonical order "rwxc", or throws naming
 * the offending letter. */
export function normalizeAccess(access: string, where: string): Access {
  if (access.length === 0) {
    throw new Error(`${where}: access is empty; give letters from r, w, x, c`);
  }
  for (const c of access) {
    if (!(ACCESS_LETTERS as readonly string[]).includes(c)) {
      throw new Error(`${where}: access '${access}' has '${c}'; only r, w, x, c are allowed`);
    }
  }
  return ACCESS_LETTERS.filter((c) => access.includes(c)).join("");
}
