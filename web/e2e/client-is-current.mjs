// The generated client (src/api/schema.d.ts) is exactly what openapi-typescript makes of
// web/openapi.json (itself checked against the API by a Rust test): no hand edits, no drift.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import openapiTS, { astToString } from "openapi-typescript";

const web = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const doc = JSON.parse(readFileSync(path.join(web, "openapi.json"), "utf8"));
const fresh = astToString(await openapiTS(doc));
const committed = readFileSync(path.join(web, "src/api/schema.d.ts"), "utf8");
const strip = (s) => s.replace(/^\/\*\*[\s\S]*?\*\/\s*/, "").trim();
if (strip(fresh) !== strip(committed)) {
  console.error("web/src/api/schema.d.ts is not what openapi.json generates: run `make web-client`");
  process.exit(1);
}
console.log("web client matches openapi.json");
