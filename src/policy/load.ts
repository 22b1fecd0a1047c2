import { closeSync, constants, fstatSync, openSync, readFileSync } from "node:fs";
import { parseDocument } from "yaml";
import type { z } from "zod";
import { type PolicyDocument, policySchema } from "./schema.js";

/** A policy that cannot be used. The message names the file, the key path
 * and the bad value; a syntax error gives the line and column. */
export class PolicyError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
  }
}

/** `a.b[2].c`, as a user would point at it in the file. */
export function keyPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? String(part) : `.${String(part)}`;
  }
  return out === "" ? "(top level)" : out;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const here = row[j] as number;
      row[j] = Math.min(here + 1, (row[j - 1] as number) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = here;
    }
  }
  return row[b.length] as number;
}

/** The known key closest to an unknown one, when it is close enough to be a
 * typo. */
export function didYouMean(unknown: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(unknown.length / 3)) + 1;
  for (const key of known) {
    const d = distance(unknown, key);
    if (d < bestDistance) {
      best = key;
      bestDistance = d;
    }
  }
  return best;
}

/** The keys an object schema allows at a key path, for "did you mean". */
function knownKeysAt(path: readonly PropertyKey[]): string[] {
  let schema: z.ZodType = policySchema;
  for (const part of path) {
    schema = unwrap(schema);
    const def = (schema as unknown as { def: Record<string, unknown> }).def;
    if (typeof part === "number" && def.type === "array") schema = def.element as z.ZodType;
    else if (def.type === "object") schema = (def.shape as Record<string, z.ZodType>)[String(part)] as z.ZodType;
    else if (def.type === "record") schema = def.valueType as z.ZodType;
    else return [];
    if (!schema) return [];
  }
  const def = (unwrap(schema) as unknown as { def: Record<string, unknown> }).def;
  return def.type === "object" ? Object.keys(def.shape as object) : [];
}

function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema as unknown as { def: { type: string; innerType?: z.ZodType } };
  while ((s.def.type === "optional" || s.def.type === "default") && s.def.innerType) {
    s = s.def.innerType as unknown as typeof s;
  }
  return s as unknown as z.ZodType;
}

function valueAt(doc: unknown, path: readonly PropertyKey[]): unknown {
  let v = doc;
  for (const part of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[part];
  }
  return v;
}

function describeIssue(issue: z.core.$ZodIssue, doc: unknown): string {
  const where = keyPath(issue.path);
  if (issue.code === "unrecognized_keys") {
    const known = knownKeysAt(issue.path);
    return issue.keys
      .map((key) => {
        const guess = didYouMean(key, known);
        return `${where}: unknown key '${key}'${guess ? ` (did you mean '${guess}'?)` : ""}`;
      })
      .join("\n");
  }
  const value = valueAt(doc, issue.path);
  const shown = value === undefined ? "" : ` (got ${JSON.stringify(value)})`;
  return `${where}: ${issue.message}${shown}`;
}

/** Validates a parsed document; `file` names it in errors. */
export function validatePolicy(doc: unknown, file: string): PolicyDocument {
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) {
    throw new PolicyError(file, "a policy is a mapping with at least `version: 1`");
  }
  const result = policySchema.safeParse(doc);
  if (!result.success) {
    throw new PolicyError(file, result.error.issues.map((issue) => describeIssue(issue, doc)).join("\n"));
  }
  return result.data;
}

/** Reads and validates a policy file (YAML, of which JSON is a subset). */
export function loadPolicyFile(file: string, { noFollow = false }: { noFollow?: boolean } = {}): PolicyDocument {
  let text: string;
  try {
    if (noFollow) {
      const fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW);
      try {
        if (!fstatSync(fd).isFile())
          throw Object.assign(new Error("not a regular file"), { code: "not a regular file" });
        text = readFileSync(fd, "utf8");
      } finally {
        closeSync(fd);
      }
    } else {
      text = readFileSync(file, "utf8");
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new PolicyError(
      file,
      code === "ELOOP"
        ? "is a symbolic link: a policy file found in the workdir must be a regular file (the sandboxed command can write there and could point it anywhere)"
        : `cannot read: ${code ?? String(error)}`,
    );
  }
  const parsed = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  const problem = parsed.errors[0];
  if (problem) {
    const at = problem.linePos?.[0];
    const where = at ? `line ${at.line}, column ${at.col}: ` : "";
    throw new PolicyError(
      file,
      `${where}${problem.message.split("\n")[0]?.replace(/ at line \d+, column \d+:?$/, "")}`,
    );
  }
  return validatePolicy(parsed.toJS(), file);
}
