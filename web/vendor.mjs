// Copy the pinned browser dependencies from node_modules into the Python package
// (src/silkway/web/static/vendor/), with their licences and a VERSIONS.json.
// The copied files are committed, so `pip install` needs no npm; re-run after changing package.json:
//   cd web && npm ci && npm run vendor
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "src", "silkway", "web", "static", "vendor");
const files = {
  leaflet: ["dist/leaflet.js", "dist/leaflet.css", "dist/images", "LICENSE"],
  "topojson-client": ["dist/topojson-client.min.js", "LICENSE"],
  uplot: ["dist/uPlot.iife.min.js", "dist/uPlot.min.css", "LICENSE"],
  "world-atlas": ["countries-50m.json", "LICENSE"],
};

rmSync(out, { recursive: true, force: true });
const versions = {};
for (const [pkg, paths] of Object.entries(files)) {
  const src = join(here, "node_modules", pkg);
  versions[pkg] = JSON.parse(readFileSync(join(src, "package.json"), "utf8")).version;
  for (const p of paths) {
    const target = join(out, pkg, p.replace(/^dist\//, ""));
    mkdirSync(dirname(target), { recursive: true });
    cpSync(join(src, p), target, { recursive: true });
  }
}
writeFileSync(join(out, "VERSIONS.json"), JSON.stringify(versions, null, 2) + "\n");
console.log(`vendored into ${out}:`, versions);
