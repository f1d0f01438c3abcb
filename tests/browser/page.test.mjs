// The built playground (dist/, from scripts/build-web) in Debian's headless Chromium, driven by
// playwright-core. Run by scripts/test: `node --test tests/browser/`.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { join, extname, normalize } from "node:path";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const root = new URL("../../", import.meta.url).pathname;
const { chromium } = require(join(root, "tools/node_modules/playwright-core"));
const dist = join(root, "dist");

const types = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".wasm": "application/wasm",
  ".css": "text/css",
};

// playwright gives the browser a fresh, temporary profile of its own.
let server, browser, base;

before(async () => {
  // A plain static server for dist/, on a free loopback port.
  server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, "http://x").pathname));
    const file = join(dist, path === "/" ? "index.html" : path);
    try {
      const body = await readFile(file);
      res.writeHead(200, { "content-type": types[extname(file)] ?? "application/octet-stream" });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  base = `http://127.0.0.1:${server.address().port}/`;
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
  });
});

after(async () => {
  await browser?.close();
  server?.close();
});

async function openPage() {
  const page = await browser.newPage();
  const problems = [];
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("console", (m) => m.type() === "error" && problems.push(`console error: ${m.text()}`));
  await page.goto(base);
  await page.waitForSelector("#objects", { timeout: 30_000 });
  return { page, problems };
}

test("the page lists the default pod's containers and its shared volume", async () => {
  const { page, problems } = await openPage();
  const containers = await page.locator(".containers .container-name").allTextContents();
  assert.deepEqual(containers, ["nginx", "helper"]);
  const volumes = await page.locator(".volumes .volume-name").allTextContents();
  assert.deepEqual(volumes, ["html"]);
  assert.equal(await page.locator(".object .name").first().textContent(), "web");
  assert.equal(await page.locator(".answer.created").textContent(), "pod/web created (server dry run)");
  assert.deepEqual(problems, []);
  await page.close();
});

test("broken YAML shows the error with its line number and keeps the text", async () => {
  const { page, problems } = await openPage();
  const broken = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n bad: indent\n";
  await page.locator("#editor").fill(broken);
  const error = page.locator("#error");
  await error.waitFor({ timeout: 10_000 });
  const text = await error.textContent();
  assert.match(text, /line 5, column 2/);
  assert.equal(await error.getAttribute("data-line"), "5");
  assert.equal(await page.locator("#objects").count(), 0);
  // The user's text is never lost to an error.
  assert.equal(await page.locator("#editor").inputValue(), broken);
  assert.deepEqual(problems, []);
  await page.close();
});

test("fixing the YAML brings the objects back", async () => {
  const { page } = await openPage();
  await page.locator("#editor").fill("apiVersion: v1\nkind: Pod\nmetadata: [\n");
  await page.locator("#error").waitFor();
  await page.locator("#editor").fill(
    "apiVersion: v1\nkind: Pod\nmetadata: {name: solo}\nspec:\n  containers:\n  - {name: only, image: busybox}\n",
  );
  await page.locator("#objects").waitFor();
  assert.deepEqual(await page.locator(".containers .container-name").allTextContents(), ["only"]);
  await page.close();
});

test("an invalid pod shows the API server's refusal, a valid one its warnings", async () => {
  const { page, problems } = await openPage();
  await page.locator("#editor").fill(
    "apiVersion: v1\nkind: Pod\nmetadata: {name: test}\nspec:\n  containers:\n  - {image: busybox}\n",
  );
  await page.locator(".answer.refused").waitFor();
  assert.equal(
    await page.locator(".answer.refused").textContent(),
    'The Pod "test" is invalid: spec.containers[0].name: Required value',
  );
  await page.locator("#editor").fill(
    "apiVersion: v1\nkind: Pod\nmetadata: {name: w}\nspec:\n  terminationGracePeriodSeconds: -1\n  containers:\n  - {name: c, image: busybox}\n",
  );
  await page.locator(".answer.created").waitFor();
  assert.deepEqual(await page.locator(".warning").allTextContents(), [
    "Warning: spec.terminationGracePeriodSeconds: must be >= 0; negative values are invalid and will be treated as 1",
  ]);
  assert.deepEqual(problems, []);
  await page.close();
});

test("a pod pasted with its status shows its kubectl row and why it is in that state", async () => {
  const { page, problems } = await openPage();
  const fixture = await readFile(join(root, "crates/engine/tests/data/explain/crashloop.yaml"), "utf8");
  await page.locator("#editor").fill(fixture);
  await page.locator(".pod-status").waitFor();
  const table = await page.locator(".pod-status").textContent();
  assert.match(table, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\ncrashy\s+0\/1\s+CrashLoopBackOff\s+3 \(/);
  assert.equal(await page.locator(".phase strong").textContent(), "Running");
  const why = await page.locator(".why li").allTextContents();
  assert.match(why[0], /^Container app is in CrashLoopBackOff: it has restarted 3 times/);
  assert.deepEqual(problems, []);
  await page.close();
});

test("the page plays the default pod's first minutes through the lifecycle engine", async () => {
  const { page, problems } = await openPage();
  await page.locator("#run .watch").waitFor();
  const watch = await page.locator("#run .watch").textContent();
  assert.match(watch, /^T\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\n0s\s+web\s+0\/2\s+Pending/);
  assert.match(watch, /\bweb\s+2\/2\s+Running\s+0\b/);
  const events = await page.locator("#run .events").textContent();
  assert.match(events, /Scheduled\s+pod\/web\s+Successfully assigned default\/web to node-1/);
  assert.match(events, /Started\s+pod\/web\s+Started container helper/);
  assert.deepEqual(problems, []);
  await page.close();
});

test("the page runs a pod's shell in the browser: the docs' liveness probe fails and restarts it", async () => {
  const { page, problems } = await openPage();
  const liveness = await readFile(join(root, "crates/engine/scenarios/liveness-probe.yaml"), "utf8");
  await page.locator("#editor").fill(liveness);
  await page.locator("#run .events").filter({ hasText: "Unhealthy" }).waitFor({ timeout: 30_000 });
  const events = await page.locator("#run .events").textContent();
  assert.match(
    events,
    /Unhealthy\s+pod\/liveness-exec\s+Liveness probe failed: cat: can't open '\/tmp\/healthy': No such file or directory/,
  );
  assert.match(events, /Killing\s+pod\/liveness-exec\s+Container liveness failed liveness probe, will be restarted/);
  const watch = await page.locator("#run .watch").textContent();
  assert.match(watch, /\bliveness-exec\s+1\/1\s+Running\s+1 \(/);
  // The default pod's nginx logged its start-up lines before; the logs view follows the text.
  const logs = await page.locator("#run .logs").textContent();
  assert.doesNotMatch(logs, /nginx/);
  assert.deepEqual(problems, []);
  await page.close();
});

test("the default pod's nginx logs its start-up as the real image does", async () => {
  const { page, problems } = await openPage();
  await page.locator("#run .logs").waitFor();
  const logs = await page.locator("#run .logs").textContent();
  assert.match(logs, /\[pod\/web\/nginx\] \/docker-entrypoint\.sh: Configuration complete; ready for start up/);
  assert.match(logs, /\[pod\/web\/nginx\] \d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d \[notice\] 1#1: start worker processes/);
  assert.deepEqual(problems, []);
  await page.close();
});
