// The page's files as a server sends them: each file the page downloads (wasm, js, css, html) in
// gzip (level 9) and brotli (quality 11, the most a static server precomputes), from node's zlib.
//
//   node tools/compress.mjs DIST           prints a table of raw, gzip and brotli sizes
//   node tools/compress.mjs DIST --write   also writes FILE.gz and FILE.br beside each file, for
//                                          servers that serve precompressed files (nginx's
//                                          gzip_static / brotli_static, caddy's precompressed)
//
// The last line is quotable: "podplay page: N KB gzip, M KB brotli".
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const [dist, flag] = process.argv.slice(2);
if (!dist || (flag && flag !== "--write")) {
  console.error("usage: node tools/compress.mjs DIST [--write]");
  process.exit(2);
}

function* files(dir) {
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) yield* files(path);
    else if (/\.(wasm|js|css|html)$/.test(entry)) yield path;
  }
}

const row = (name, raw, gz, br) =>
  `${name.padEnd(48)} ${String(raw).padStart(10)} ${String(gz).padStart(10)} ${String(br).padStart(10)}`;
console.log(row("file", "bytes", "gzip -9", "brotli"));
let total = [0, 0, 0];
for (const path of files(dist)) {
  const data = readFileSync(path);
  const gz = gzipSync(data, { level: 9 });
  const br = brotliCompressSync(data, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 11,
      [constants.BROTLI_PARAM_SIZE_HINT]: data.length,
      [constants.BROTLI_PARAM_MODE]: path.endsWith(".wasm")
        ? constants.BROTLI_MODE_GENERIC
        : constants.BROTLI_MODE_TEXT,
    },
  });
  if (flag === "--write") {
    writeFileSync(`${path}.gz`, gz);
    writeFileSync(`${path}.br`, br);
  }
  total = [total[0] + data.length, total[1] + gz.length, total[2] + br.length];
  console.log(row(relative(dist, path), data.length, gz.length, br.length));
}
console.log(row("total", ...total));
console.log(
  `podplay page: ${Math.round(total[1] / 1000)} KB gzip, ${Math.round(total[2] / 1000)} KB brotli (goal: at most 400 KB gzip)`,
);
