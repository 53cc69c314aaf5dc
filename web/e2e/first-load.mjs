// What a page's first load ships: the JavaScript its server-rendered HTML names
// (<script src>), gzip-compressed as a CDN would serve it. The map and everything loaded
// after first paint is not counted, by design.
import { gzipSync } from "node:zlib";

export async function firstLoadJs(base, pagePath) {
  const html = await (await fetch(new URL(pagePath, base))).text();
  const srcs = [...new Set([...html.matchAll(/<script[^>]+src="([^"]+)"/g)].map((m) => m[1]))];
  let bytes = 0;
  for (const src of srcs) {
    const body = Buffer.from(await (await fetch(new URL(src.replaceAll("&amp;", "&"), base))).arrayBuffer());
    bytes += gzipSync(body, { level: 9 }).length;
  }
  return { scripts: srcs.length, gzipBytes: bytes };
}
