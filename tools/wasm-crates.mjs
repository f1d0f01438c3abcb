// Where a wasm binary's bytes go, by crate: reads the code section's function bodies and the
// `name` section's function names (rustc and wasm-ld write demangled Rust paths there), and sums
// each body's size under the crate its name leads with. A trait method monomorphised for another
// crate's type counts for the implementing type's crate (`<serde_saphyr::de::YamlDeserializer as
// serde_core::de::Deserializer>::deserialize_map` is serde_saphyr), which is where its code was
// written; `core::ptr::drop_in_place<T>` counts for core. Data segments are one row.
//
//   node tools/wasm-crates.mjs FILE.wasm [TOP]
//
// Run it on the build before wasm-bindgen and wasm-opt (which drop the names):
// target/wasm32-unknown-unknown/web-release/podplay-web.wasm. Used by scripts/size-report.
import { readFileSync } from "node:fs";

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error("usage: node tools/wasm-crates.mjs FILE.wasm [TOP]");
  process.exit(2);
}
const top = Number(topArg ?? 12);
const bytes = readFileSync(file);

let pos = 8; // magic and version
function leb() {
  let result = 0;
  let shift = 0;
  for (;;) {
    const b = bytes[pos++];
    result += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if ((b & 0x80) === 0) return result;
  }
}
function name() {
  const len = leb();
  const s = bytes.toString("utf8", pos, pos + len);
  pos += len;
  return s;
}

let importedFunctions = 0;
const bodySizes = [];
const names = new Map();
let dataBytes = 0;
let otherBytes = 0;

while (pos < bytes.length) {
  const id = bytes[pos++];
  const size = leb();
  const end = pos + size;
  if (id === 2) {
    // imports: count the imported functions, which come first in the function index space
    for (let n = leb(); n > 0; n--) {
      name();
      name();
      const kind = bytes[pos++];
      if (kind === 0) {
        leb();
        importedFunctions++;
      } else if (kind === 1) {
        pos++;
        const flags = leb();
        leb();
        if (flags & 1) leb();
      } else if (kind === 2) {
        const flags = leb();
        leb();
        if (flags & 1) leb();
      } else if (kind === 3) {
        pos += 2;
      } else {
        leb(); // a tag
        leb();
      }
    }
  } else if (id === 10) {
    for (let n = leb(); n > 0; n--) {
      const start = pos;
      const len = leb();
      bodySizes.push(len + (pos - start));
      pos += len;
    }
  } else if (id === 11) {
    dataBytes += size;
  } else if (id === 0) {
    const section = name();
    if (section === "name") {
      while (pos < end) {
        const sub = bytes[pos++];
        const subSize = leb();
        const subEnd = pos + subSize;
        if (sub === 1) {
          for (let n = leb(); n > 0; n--) {
            const index = leb();
            names.set(index, name());
          }
        }
        pos = subEnd;
      }
    }
  } else {
    otherBytes += size;
  }
  pos = end;
}

// rustc's legacy symbol mangling (`_ZN` + length-prefixed segments + `17h<hash>E`) back to a
// Rust path: the escapes `$LT$`, `$GT$`, `$u20$`, `..` and the like are undone; a name that is
// not mangled is kept as it is.
const escapes = { LT: "<", GT: ">", RF: "&", BP: "*", C: ",", SP: "@" };
function demangle(sym) {
  if (!sym.startsWith("_ZN")) return sym;
  const parts = [];
  let i = 3;
  while (i < sym.length && sym[i] !== "E") {
    const digits = /^[0-9]+/.exec(sym.slice(i));
    if (!digits) return sym;
    i += digits[0].length;
    const len = Number(digits[0]);
    const part = sym.slice(i, i + len);
    i += len;
    if (!/^h[0-9a-f]{16}$/.test(part)) parts.push(part);
  }
  return parts
    .join("::")
    .replace(/\$([A-Z]+|u[0-9a-f]+)\$/g, (_, e) =>
      e in escapes ? escapes[e] : e[0] === "u" ? String.fromCharCode(parseInt(e.slice(1), 16)) : _,
    )
    .replace(/\.\./g, "::")
    .replace(/^_(?=\$|<)/, "");
}

// The crate a demangled name's code belongs to (see the header).
function crateOf(fn) {
  let s = demangle(fn);
  for (;;) {
    const before = s;
    s = s.replace(/^(<|&|mut |dyn |const |\*const |\*mut |\[|\()+/, "");
    if (s === before) break;
  }
  const m = /^([A-Za-z_][A-Za-z0-9_]*)::/.exec(s);
  if (m) return m[1];
  if (/^(__|_ZN|wasm|rust_|js_)/.test(s)) return "(runtime and glue)";
  return "(unnamed)";
}

const byCrate = new Map();
let codeBytes = 0;
bodySizes.forEach((size, i) => {
  const fn = names.get(i + importedFunctions);
  const crate = fn === undefined ? "(unnamed)" : crateOf(fn);
  byCrate.set(crate, (byCrate.get(crate) ?? 0) + size);
  codeBytes += size;
});
if (names.size === 0) {
  console.log(`${file}: no name section; crate shares unknown`);
}
const total = codeBytes + dataBytes + otherBytes;
const rows = [...byCrate.entries()].sort((a, b) => b[1] - a[1]);
console.log(`${"crate (code by function names)".padEnd(40)} ${"bytes".padStart(10)} ${"share".padStart(7)}`);
const pct = (n) => `${((100 * n) / total).toFixed(1)} %`.padStart(7);
for (const [crate, size] of rows.slice(0, top)) {
  console.log(`${crate.padEnd(40)} ${String(size).padStart(10)} ${pct(size)}`);
}
const rest = rows.slice(top).reduce((sum, [, size]) => sum + size, 0);
if (rest > 0) console.log(`${`(${rows.length - top} more crates)`.padEnd(40)} ${String(rest).padStart(10)} ${pct(rest)}`);
console.log(`${"(data segments)".padEnd(40)} ${String(dataBytes).padStart(10)} ${pct(dataBytes)}`);
console.log(`${"(other sections)".padEnd(40)} ${String(otherBytes).padStart(10)} ${pct(otherBytes)}`);
console.log(`${"total before wasm-opt".padEnd(40)} ${String(total).padStart(10)}`);
