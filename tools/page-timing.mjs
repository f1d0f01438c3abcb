// Time from navigation to the first Running pod on the page: the built playground (dist/) served
// on loopback, opened in Debian's headless Chromium with a cold cache (a new browser context each
// time), until the `kubectl get pods -w` view shows a row with `Running`. The time is the page's
// own performance.now() when that row enters the DOM (a mutation observer notes it), which counts
// from the start of the navigation.
//
//   node tools/page-timing.mjs [RUNS] [--encoding identity|gzip|br]
//
// Prints each run and a quotable line: "first Running on the page: median M ms of N (...)".
// The server sends the precompressed FILE.gz / FILE.br that scripts/build-web writes when the
// encoding asks for it, as a static server with precompression would. Used by scripts/bench.
import { createServer } from "node:http";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { extname, join, normalize } from "node:path";

const require = createRequire(import.meta.url);
const root = new URL("../", import.meta.url).pathname;
const { chromium } = require(join(root, "tools/node_modules/playwright-core"));
const dist = join(root, "dist");

const args = process.argv.slice(2);
let runs = 5;
let encoding = "br";
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--encoding") encoding = args[++i];
  else runs = Number(args[i]);
}
if (!Number.isInteger(runs) || runs < 1 || !["identity", "gzip", "br"].includes(encoding)) {
  console.error("usage: node tools/page-timing.mjs [RUNS] [--encoding identity|gzip|br]");
  process.exit(2);
}
if (!existsSync(join(dist, "index.html"))) {
  console.error("no release build in dist/: run scripts/build-web first");
  process.exit(1);
}

const types = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".wasm": "application/wasm",
  ".css": "text/css",
};
const suffix = { identity: "", gzip: ".gz", br: ".br" }[encoding];
let sent = 0;
const server = createServer((req, res) => {
  const path = normalize(decodeURIComponent(new URL(req.url, "http://x").pathname));
  const file = join(dist, path === "/" ? "index.html" : path);
  const headers = { "content-type": types[extname(file)] ?? "application/octet-stream" };
  let body;
  try {
    if (suffix && existsSync(file + suffix)) {
      body = readFileSync(file + suffix);
      headers["content-encoding"] = encoding;
    } else {
      body = readFileSync(file);
    }
  } catch {
    res.writeHead(404).end();
    return;
  }
  sent += body.length;
  res.writeHead(200, headers);
  res.end(body);
});
await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
const base = `http://127.0.0.1:${server.address().port}/`;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
  ],
});
const times = [];
try {
  for (let i = 0; i < runs; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    sent = 0;
    // A mutation observer installed before the page's own scripts notes the moment the row
    // appears, so the figure does not depend on how often the test polls.
    await page.addInitScript(() => {
      new MutationObserver(() => {
        const watch = document.querySelector("#run .watch");
        if (window.__firstRunning === undefined && watch && /\bRunning\b/.test(watch.textContent)) {
          window.__firstRunning = performance.now();
        }
      }).observe(document, { subtree: true, childList: true, characterData: true });
    });
    await page.goto(base, { waitUntil: "commit" });
    const handle = await page.waitForFunction(() => window.__firstRunning ?? false, null, {
      timeout: 60_000,
    });
    const ms = await handle.jsonValue();
    times.push(ms);
    console.log(`run ${i + 1}: first Running after ${ms.toFixed(0)} ms (${sent} bytes sent, ${encoding})`);
    await context.close();
  }
} finally {
  await browser.close();
  server.close();
}
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)];
console.log(
  `first Running on the page: median ${median.toFixed(0)} ms of ${runs} (cold cache, loopback, ${encoding}; min ${times[0].toFixed(0)}, max ${times[times.length - 1].toFixed(0)})`,
);
