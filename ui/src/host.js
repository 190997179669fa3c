// The host side of MCP Apps (AppBridge), for the test host page that renders the views.
export { AppBridge, PostMessageTransport } from "@modelcontextprotocol/ext-apps/app-bridge";
