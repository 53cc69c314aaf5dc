// Starts what the browser tests drive, all on 127.0.0.1: the local AWS and Stripe
// stand-ins (infra/stack.py, IAM enforced), the demo data, the local API gateway and the
// built web app (`next start`); and Debian's chromium through playwright-core. Nothing
// here talks to any other host: the browser aborts every request that is not local.
import { spawn, execFile } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

import { chromium } from "playwright-core";

export const WEB = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const ROOT = path.resolve(WEB, "..");
export const ARTIFACTS = path.join(WEB, "e2e-artifacts");
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const TARGET = process.env.CARGO_TARGET_DIR ?? path.join(ROOT, "target");

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

async function waitFor(what, check, seconds) {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${what} did not come up in ${seconds} s`);
    await sleep(250);
  }
}

function start(name, cmd, args, opts, logs) {
  const child = spawn(cmd, args, { ...opts, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout.on("data", (d) => logs.push(`[${name}] ${d}`));
  child.stderr.on("data", (d) => logs.push(`[${name}] ${d}`));
  return child;
}

/** The whole local product; `stop()` ends it. */
export async function startProduct() {
  mkdirSync(ARTIFACTS, { recursive: true });
  const logs = [];
  const children = [];
  const state = path.join(ROOT, ".local", `web-e2e-${process.pid}`);
  const python = path.join(ROOT, ".venv/ministack/bin/python");
  if (!existsSync(python)) throw new Error("the local stack is not installed: run `make test`");
  children.push(
    start("stack", python, [path.join(ROOT, "infra/stack.py"), "serve", "--state-dir", state, "--parent-pid", String(process.pid)], { cwd: ROOT }, logs),
  );
  const stackJson = path.join(state, "stack.json");
  await waitFor("the local stack", () => existsSync(stackJson), 120);
  const stack = JSON.parse(readFileSync(stackJson, "utf8"));

  const seedOut = path.join(state, "seed.json");
  await promisify(execFile)(path.join(TARGET, "debug/seed"), ["--stack", stackJson, "--out", seedOut], { cwd: ROOT });
  const seed = JSON.parse(readFileSync(seedOut, "utf8"));

  const apiPort = await freePort();
  const webPort = await freePort();
  const api = `http://127.0.0.1:${apiPort}`;
  const web = `http://127.0.0.1:${webPort}`;
  children.push(
    start(
      "gateway",
      path.join(TARGET, "debug/local-gateway"),
      ["--stack", stackJson, "--port", String(apiPort)],
      { cwd: ROOT, env: { ...process.env, COWORK_WEB_ORIGIN: web, RUST_LOG: "warn" } },
      logs,
    ),
  );
  await waitFor("the local gateway", async () => (await fetch(`${api}/health`)).ok, 60);
  children.push(
    start(
      "web",
      process.execPath,
      [path.join(WEB, "node_modules/next/dist/bin/next"), "start", "-H", "127.0.0.1", "-p", String(webPort)],
      {
        cwd: WEB,
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          // Only local addresses: nothing from the developer's environment leaks in.
          API_URL: api,
          API_INTERNAL_URL: api,
          LIVE_URL: `${api.replace("http", "ws")}/live`,
          LOCAL_STRIPE_URL: stack.stripe_api_base,
          NEXT_TELEMETRY_DISABLED: "1",
        },
      },
      logs,
    ),
  );
  await waitFor("the web app", async () => (await fetch(`${web}/signin`)).ok, 60);

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      // No name resolves but the local ones: nothing the browser does leaves this machine.
      "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
    ],
  });

  /** A fresh browser profile (cookies, storage) that only reaches 127.0.0.1. */
  async function context(options = {}) {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
    await ctx.route("**/*", (route) => {
      const host = new URL(route.request().url()).hostname;
      return host === "127.0.0.1" || host === "localhost" ? route.continue() : route.abort();
    });
    return ctx;
  }

  async function stop() {
    await browser.close().catch(() => {});
    for (const c of children.reverse()) c.kill("SIGTERM");
    await sleep(300);
  }

  return { api, web, stack, seed, context, stop, logs };
}

/** A screenshot of the page as a test artifact (web/e2e-artifacts/<name>.png). */
export async function snap(page, name) {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}
