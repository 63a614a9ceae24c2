/** One CSV record with the line it starts on. */
export interface CsvRecord {
  line: number;
  cells: Record<string, string>;
}

/**
 * RFC 4180 CSV with a header row. Accepts ";" as separator too (what Excel writes in Sweden),
 * quoted cells with newlines and doubled quotes, CRLF, and a UTF-8 byte-order mark.
 */
export function parseCsv(text: string): { header: string[]; records: CsvRecord[] } {
  const src = text.replace(/^\uFEFF/, '');
  const firstLine = src.split(/\r?\n/, 1)[0] ?? '';
  const sep = (firstLine.match(/;/g)?.length ?? 0) > (firstLine.match(/,/g)?.length ?? 0) ? ';' : ',';
  const rows: { line: number; cells: string[] }[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (quoted) {
      if (c === '"' && src[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else {
        if (c === '\n') line++;
        cell += c;
      }
    } else if (c === '"' && cell === '') quoted = true;
    else if (c === sep) {
      cells.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && src[i + 1] === '\n') i++;
      cells.push(cell);
      rows.push({ line: rowLine, cells });
      cells = [];
      cell = '';
      line++;
      rowLine = line;
    } else cell += c;
  }
  if (cell !== '' || cells.length) {
    cells.push(cell);
    rows.push({ line: rowLine, cells });
  }
  const nonEmpty = rows.filter((r) => r.cells.some((c) => c.trim() !== ''));
  const header = (nonEmpty.shift()?.cells ?? []).map((h) => h.trim());
  return {
    header,
    records: nonEmpty.map((r) => ({
      line: r.line,
      cells: Object.fromEntries(header.map((h, k) => [h, (r.cells[k] ?? '').trim()])),
    })),
  };
}
