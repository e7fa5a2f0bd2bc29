// Reading `git config -z --get-regexp` output as git means it: entries are `key\nvalue`, or a bare
// `key` (set without "=", which as a boolean is true); booleans as git reads them.

export interface ConfigEntry {
  /** Lower-cased, as git compares section and variable names. */
  key: string;
  /** null: the key was given without a value. */
  value: string | null;
}

export function parseConfigZ(stdout: string): ConfigEntry[] {
  return stdout
    .split('\0')
    .filter(Boolean)
    .map((entry) => {
      const nl = entry.indexOf('\n');
      return nl < 0 ? { key: entry.toLowerCase(), value: null } : { key: entry.slice(0, nl).toLowerCase(), value: entry.slice(nl + 1) };
    });
}

/** git's reading of a boolean: no value is true; null when git would refuse the value. */
export function gitBool(value: string | null): boolean | null {
  if (value === null) return true;
  const v = value.trim().toLowerCase();
  if (['true', 'yes', 'on'].includes(v)) return true;
  if (['false', 'no', 'off', ''].includes(v)) return false;
  return /^-?\d+$/.test(v) ? Number(v) !== 0 : null;
}
