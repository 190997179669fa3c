#!/usr/bin/env bash
# Rebuilds the vendored MCP Apps SDK scripts from the npm registry (see docs/mcp-apps.md):
#   pluginmeta/mcp/vendor/ext-apps-view.js           the view side (App), inlined by every view
#   tests/helpers/mcp_apps_host/ext-apps-host.js     the host side (AppBridge), for the browser tests
# The versions are those pinned in ui/package.json and ui/package-lock.json; to move to a new
# release, change them there (npm install --prefix ui @modelcontextprotocol/ext-apps@X.Y.Z)
# and run this script. Needs Node.js 20+ and npm; the project itself needs neither.
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --prefix ui --no-audit --no-fund >&2
node ui/build.mjs ui/src/app.js pluginmeta/mcp/vendor/ext-apps-view.js McpApps view
node ui/build.mjs ui/src/host.js tests/helpers/mcp_apps_host/ext-apps-host.js McpAppsHost host
