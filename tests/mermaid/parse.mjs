// Parses each file named on the command line with Mermaid's own parser, as mermaid.parse
// does in a browser: jsdom stands in for the page (Mermaid's sanitizer needs a DOM), and
// nothing is rendered. One line per file: `ok <path> <diagram type>` or
// `error <path> <message>`; exit 1 if any file fails.
import { readFileSync } from "node:fs";
import { JSDOM } from "jsdom";

const dom = new JSDOM("<!DOCTYPE html><body></body>");
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import("mermaid");
mermaid.initialize({ startOnLoad: false, securityLevel: "strict" });

let failed = 0;
for (const path of process.argv.slice(2)) {
  try {
    const result = await mermaid.parse(readFileSync(path, "utf8"));
    console.log(`ok ${path} ${result.diagramType}`);
  } catch (err) {
    failed += 1;
    const message = String(err?.message ?? err).split("\n").join(" | ");
    console.log(`error ${path} ${message}`);
  }
}
process.exit(failed ? 1 : 0);
