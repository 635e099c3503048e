// Instance type names and patterns: "c6i.2xlarge", "g5.*", "*.4xlarge", "c7?.large".
// `*` matches any run of characters, `?` exactly one; everything else is literal.

const compiled = new Map<string, RegExp>();

export function typePatternToRegExp(pattern: string): RegExp {
  let re = compiled.get(pattern);
  if (!re) {
    const body = pattern
      .split('')
      .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
      .join('');
    re = new RegExp(`^${body}$`);
    compiled.set(pattern, re);
  }
  return re;
}

export function matchesTypePattern(typeName: string, pattern: string): boolean {
  return typePatternToRegExp(pattern).test(typeName);
}

export function matchesAnyTypePattern(typeName: string, patterns: readonly string[]): boolean {
  return patterns.some((p) => matchesTypePattern(typeName, p));
}

/** A valid pattern: instance type characters plus the two wildcards. */
export function isValidTypePattern(pattern: string): boolean {
  return /^[a-z0-9.*?-]+$/i.test(pattern);
}
