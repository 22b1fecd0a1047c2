/** A small option reader: `--flag VALUE` and `--flag=VALUE`. With
 * stopAtPositional, `--` or the first non-option word starts the command;
 * with positionals, words are collected wherever they stand. Errors name the
 * flag. */
export class UsageError extends Error {}

export interface OptionSpec {
  /** Takes a value. */
  value: boolean;
  /** May be given more than once. */
  repeat?: boolean;
}

export interface Parsed {
  options: Map<string, string[]>;
  rest: string[];
}

export function parseOptions(
  argv: string[],
  specs: Record<string, OptionSpec>,
  { stopAtPositional, positionals = false }: { stopAtPositional: boolean; positionals?: boolean },
): Parsed {
  const options = new Map<string, string[]>();
  const words: string[] = [];
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--") {
      i++;
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      if (stopAtPositional) break;
      if (positionals) {
        words.push(arg);
        continue;
      }
      throw new UsageError(`unexpected argument '${arg}'`);
    }
    const eq = arg.indexOf("=");
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const spec = specs[name];
    if (!spec) throw new UsageError(`${name}: unknown option`);
    let value = "";
    if (spec.value) {
      if (eq > 0) value = arg.slice(eq + 1);
      else if (i + 1 < argv.length) value = argv[++i] as string;
      else throw new UsageError(`${name}: missing value`);
    } else if (eq > 0) {
      throw new UsageError(`${name}: takes no value`);
    }
    const seen = options.get(name) ?? [];
    if (seen.length > 0 && !spec.repeat) throw new UsageError(`${name}: given more than once`);
    seen.push(value);
    options.set(name, seen);
  }
  return { options, rest: [...words, ...argv.slice(i)] };
}

export function oneOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new UsageError(`${flag}: '${value}' is not one of ${allowed.join(", ")}`);
  }
  return value as T;
}
