// Small text helpers every part may use.

/** A sentence may begin with a name or a label ("deltagare med skyddad identitet"). */
export const capitalised = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** A string matched literally inside a regular expression. */
export const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A number as Swedish text and Swedish spreadsheets write it: a decimal comma ("0,33"). */
export const swedishNumber = (n: number) => String(n).replace('.', ',');
