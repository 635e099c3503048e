// The little CSV the trace readers need: comma-separated fields, double quotes around a
// field that holds a comma or a quote ("" inside quotes is one quote), one record per line.

export interface CsvRecord {
  /** 1-based line in the text. */
  readonly line: number;
  readonly fields: readonly string[];
}

/** The non-blank lines of `text` split into fields; a leading byte-order mark is dropped. */
export function csvRecords(text: string): CsvRecord[] {
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  const records: CsvRecord[] = [];
  lines.forEach((raw, index) => {
    const content = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (content.trim() !== '') records.push({ line: index + 1, fields: splitCsvLine(content) });
  });
  return records;
}

/** Fields of one line; an unterminated quote runs to the end of the line. */
export function splitCsvLine(line: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c === '"' && field === '') {
      quoted = true;
    } else if (c === ',') {
      fields.push(field);
      field = '';
    } else {
      field += c;
    }
  }
  fields.push(field);
  return fields;
}
