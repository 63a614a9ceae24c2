/**
 * The line on which each value of a (valid) JSON text starts, by path ("participants.3.phone"),
 * so an import error can name its line.
 */
export function jsonLines(text: string): Map<string, number> {
  const lines = new Map<string, number>();
  let i = 0;
  let line = 1;
  const skip = () => {
    while (i < text.length) {
      const c = text[i];
      if (c === '\n') line++;
      else if (c !== ' ' && c !== '\t' && c !== '\r') return;
      i++;
    }
  };
  const string = (): string => {
    let out = '';
    i++; // opening quote
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\\') {
        out += text[i + 1];
        i += 2;
      } else out += text[i++];
    }
    i++; // closing quote
    return out;
  };
  const value = (path: string): void => {
    skip();
    lines.set(path, line);
    const join = (key: string | number) => (path ? `${path}.${key}` : String(key));
    const c = text[i];
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      i++;
      for (let index = 0; ; index++) {
        skip();
        if (text[i] === close) break;
        if (c === '{') {
          const key = string();
          skip();
          i++; // colon
          value(join(key));
        } else value(join(index));
        skip();
        if (text[i] === ',') i++;
      }
      i++;
    } else if (c === '"') string();
    else while (i < text.length && !/[,\]}\s]/.test(text[i]!)) i++;
  };
  value('');
  return lines;
}

/** The nearest line known for a path, walking up to its parents. */
export function lineOf(lines: Map<string, number>, path: (string | number)[]): number | undefined {
  for (let n = path.length; n >= 0; n--) {
    const found = lines.get(path.slice(0, n).join('.'));
    if (found !== undefined) return found;
  }
  return undefined;
}
