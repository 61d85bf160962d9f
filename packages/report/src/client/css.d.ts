/** Styles are bundled as text (tsup's `loader: { '.css': 'text' }`) and applied by main.tsx. */
declare module '*.css' {
  const text: string;
  export default text;
}
