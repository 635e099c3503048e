import { expect } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config/load-config.ts';
import type { InputIssue } from '../../src/config/input-issues.ts';

/** A small valid config; tests append or replace sections. */
export const MINIMAL_CONFIG = `
algorithms:
  segment:
    image: example/segment:1
    resources: { cpu: 2048, memoryMiB: 4096 }
`;

/** The issues parseConfig reports for `text`; fails the test when it parses. */
export function issuesOf(text: string): InputIssue[] {
  try {
    parseConfig(text, 'test.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return [...(error as ConfigError).issues];
  }
  throw new Error('expected the config to be rejected');
}

/** The single issue at `path`; fails when there is none. */
export function issueAt(text: string, path: string): InputIssue {
  const issues = issuesOf(text);
  const found = issues.find((issue) => issue.path === path);
  if (!found) throw new Error(`no issue at ${path}; got:\n${issues.map((i) => `${i.path}: ${i.message}`).join('\n')}`);
  return found;
}
