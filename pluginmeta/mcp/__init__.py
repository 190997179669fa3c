"""Every plugin's API operations as MCP tools at /mcp, and the OAuth discovery MCP clients use."""
