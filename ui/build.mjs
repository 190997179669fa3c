// Bundles the official MCP Apps SDK into the two scripts this project commits (see
// scripts/build_mcp_apps.sh): the view side, which every view inlines, and the host side
// (AppBridge), which the browser tests' host page loads.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import * as esbuild from "esbuild";

const packageDir = path.join(path.dirname(new URL(import.meta.url).pathname), "node_modules/@modelcontextprotocol/ext-apps");
const sdk = JSON.parse(readFileSync(path.join(packageDir, "package.json"), "utf8"));

// zod's error messages in forty languages, a third of the bundle: views only need English.
const englishOnly = {
  name: "zod-english-only",
  setup(build) {
    build.onResolve({ filter: /\/locales\/index\.js$/ }, (args) =>
      args.importer.includes(`${path.sep}zod${path.sep}`)
        ? { path: path.join(path.dirname(args.importer), "../locales/en.js"), namespace: "zod-en" }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: "zod-en" }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(args.path)};`,
      resolveDir: path.dirname(args.path),
    }));
  },
};

const [entry, output, globalName, role] = process.argv.slice(2);
const header =
  `/* ${sdk.name} ${sdk.version} (${role}), bundled with esbuild ${esbuild.version} by ` +
  `scripts/build_mcp_apps.sh. Licence: package.json says ${sdk.license}; the package's ` +
  `LICENSE file says Apache-2.0, with MIT for contributions not yet relicensed. ` +
  `Its dependencies zod and @modelcontextprotocol/client are MIT. */`;
const result = await esbuild.build({
  entryPoints: [entry],
  bundle: true,
  minify: true,
  format: "iife",
  globalName,
  target: "es2020",
  platform: "browser",
  legalComments: "none",
  plugins: [englishOnly],
  write: false,
});
writeFileSync(output, `${header}\n${result.outputFiles[0].text}`);
console.log(`${output}: ${sdk.name} ${sdk.version}, ${result.outputFiles[0].contents.length} bytes`);
