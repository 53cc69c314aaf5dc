// `make bench` (web part): each page's first-load JavaScript, gzip, against the local
// product (harness.mjs); printed and written to bench-results/web.md.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

import { firstLoadJs } from "./first-load.mjs";
import { ROOT, startProduct } from "./harness.mjs";

const product = await startProduct();
try {
  const space = product.seed.spaces[0].id;
  const pages = ["/", `/spaces/${space}`, "/signin", "/signup", "/confirm", "/bookings", "/bookings/x", "/account", "/plans", "/operator", "/admin"];
  const rows = [];
  for (const p of pages) {
    const { scripts, gzipBytes } = await firstLoadJs(product.web, p);
    rows.push(`| \`${p.replace(space, "{id}")}\` | ${scripts} | ${(gzipBytes / 1024).toFixed(1)} kB |`);
  }
  const table = ["| page | scripts | first-load JS (gzip) |", "|---|---|---|", ...rows].join("\n");
  console.log(table);
  mkdirSync(path.join(ROOT, "bench-results"), { recursive: true });
  writeFileSync(path.join(ROOT, "bench-results/web.md"), `# Web app: first-load JavaScript per page\n\n${table}\n`);
} finally {
  await product.stop();
}
