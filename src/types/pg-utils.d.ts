// node-postgres' parameter serializer (pg/lib/utils.js), which it ships without types.
declare module 'pg/lib/utils.js' {
  const utils: { prepareValue(value: unknown): string | Buffer | null };
  export default utils;
}
