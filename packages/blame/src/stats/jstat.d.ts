// jstat 1.9.6 ships no declarations (and is CommonJS: its one export is the default): the few
// functions @trace/blame uses.
declare module 'jstat' {
  interface JStat {
    beta: {
      /** The p-quantile of Beta(a, b). */
      inv(p: number, a: number, b: number): number;
    };
    normal: {
      /** The p-quantile of Normal(mean, sd). */
      inv(p: number, mean: number, sd: number): number;
    };
  }
  const jstat: { readonly jStat: JStat };
  export default jstat;
}
