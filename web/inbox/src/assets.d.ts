/** A file Vite copies into the build (hashed, under /app/assets/) and whose address the import gives. */
declare module '*?url' {
  const url: string;
  export default url;
}
