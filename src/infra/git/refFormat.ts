// The rules of `git check-ref-format --branch`, checked in-process so that validating a batch of
// branch names costs no process each. The integration tests compare it with git itself.

// Control characters, space, and the characters git reserves for revision syntax.
const FORBIDDEN_CHAR = /[\x00-\x20\x7f~^:?*[\\]/;

/** Why `name` cannot be a local branch name, or null when git would accept it. */
export function branchNameError(name: string): string | null {
  if (name.length === 0) return 'the branch name is empty';
  if (name.startsWith('-')) return 'a branch name must not start with "-"';
  if (name === 'HEAD') return '"HEAD" is not a branch name';
  if (name === '@') return '"@" is not a branch name';
  const bad = FORBIDDEN_CHAR.exec(name);
  if (bad) return `a branch name must not contain ${JSON.stringify(bad[0])} (nor spaces, control characters or ~^:?*[\\)`;
  if (name.includes('..')) return 'a branch name must not contain ".."';
  if (name.includes('@{')) return 'a branch name must not contain "@{"';
  if (name.startsWith('/') || name.endsWith('/') || name.includes('//')) {
    return 'a branch name must not start or end with "/" nor contain "//"';
  }
  if (name.endsWith('.')) return 'a branch name must not end with "."';
  for (const part of name.split('/')) {
    if (part.startsWith('.')) return `no part of a branch name may start with "." (${JSON.stringify(part)})`;
    if (part.endsWith('.lock')) return `no part of a branch name may end with ".lock" (${JSON.stringify(part)})`;
  }
  return null;
}
