/** Access classes a rule grants: read files and list directories, modify
 * (write, create, remove, rename/link with REFER, truncate, device ioctls),
 * execute. Written as a string of the letters r, w, x. */
export type Access = string;

const LETTERS = new Set(["r", "w", "x"]);

/** Normalizes access letters to the canonical order "rwx", or throws naming
 * the offending letter. */
export function normalizeAccess(access: string, where: string): Access {
  if (access.length === 0) {
    throw new Error(`${where}: access is empty; give letters from r, w, x`);
  }
  for (const c of access) {
    if (!LETTERS.has(c)) {
      throw new Error(`${where}: access '${access}' has '${c}'; only r, w, x are allowed`);
    }
  }
  return ["r", "w", "x"].filter((c) => access.includes(c)).join("");
}
