// Reading loadmaster's config: YAML syntax, then the schema, then the references that
// need the catalog. Each stage reports all of its problems at once.
import { LineCounter, parseDocument } from 'yaml';
import { checkReferences } from './check-references.ts';
import { configSchema, type LoadmasterConfig } from './config-schema.ts';
import { InputError, type InputIssue } from './input-issues.ts';
import { readSourceFile } from './read-source-file.ts';
import { locatorFor } from './source-locations.ts';
import { validateWithSchema } from './zod-issues.ts';

export type { LoadmasterConfig } from './config-schema.ts';

export class ConfigError extends InputError {
  constructor(source: string, issues: readonly InputIssue[]) {
    super(source, issues);
    this.name = 'ConfigError';
  }
}

/** Parses and validates config text; `source` names it in messages (usually the file path). */
export function parseConfig(text: string, source: string): LoadmasterConfig {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter });
  if (document.errors.length > 0) {
    throw new ConfigError(
      source,
      document.errors.map((error) => {
        const position = error.linePos?.[0];
        // yaml appends " at line L, column C:" and a code excerpt; the position goes in the path instead.
        const message = error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
        return position
          ? { path: `line ${position.line}, column ${position.col}`, message, line: position.line }
          : { path: '', message };
      }),
    );
  }

  const locate = locatorFor(document, lineCounter);
  let content: unknown;
  try {
    content = document.toJS();
  } catch (error) {
    // yaml refuses aliases that expand without bound ("billion laughs") here.
    throw new ConfigError(source, [{ path: '', message: `${error instanceof Error ? error.message : String(error)}; expected plain YAML with few aliases` }]);
  }
  if (content === null || content === undefined) {
    throw new ConfigError(source, [{ path: '', message: 'the file is empty; expected a mapping with at least an algorithms section' }]);
  }
  const validated = validateWithSchema(configSchema, content, locate);
  if (!validated.ok) throw new ConfigError(source, validated.issues);

  const referenceIssues = checkReferences(validated.value, locate);
  if (referenceIssues.length > 0) throw new ConfigError(source, referenceIssues);
  return validated.value;
}

export async function loadConfigFile(path: string): Promise<LoadmasterConfig> {
  return parseConfig(await readSourceFile(path, ConfigError), path);
}
