/** @module budgets/text-table — rows as aligned terminal columns (the budgets and chargeback tables). Pure. */
/** Columns of text, numbers right-aligned. */
export function textTable(header: string[], rows: string[][], numericFrom: number): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((row) => (row[i] ?? '').length)));
  const line = (row: string[]) =>
    row
      .map((cell, i) => (i >= numericFrom ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return `${all.map(line).join('\n')}\n`;
}
