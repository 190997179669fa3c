"""The vendored MCP Apps SDK scripts are the release ui/ pins, and say so (no rebuild here:
scripts/build_mcp_apps.sh rebuilds them)."""

import json
import re

import pytest

from tests.server import PROJECT_DIR

UI = PROJECT_DIR / "ui"
ASSETS = {
    "view": PROJECT_DIR / "pluginmeta/mcp/vendor/ext-apps-view.js",
    "host": PROJECT_DIR / "tests/helpers/mcp_apps_host/ext-apps-host.js",
}
HEADER = re.compile(
    r"/\* @modelcontextprotocol/ext-apps (?P<version>\S+) \((?P<role>\w+)\), bundled with "
    r"esbuild (?P<esbuild>\S+) by scripts/build_mcp_apps\.sh\. Licence: (?P<licence>[^*]+)\*/"
)


def pinned(name: str) -> str:
    """The version of name that ui/package.json asks for and ui/package-lock.json holds."""
    asked = json.loads((UI / "package.json").read_text())["devDependencies"][name]
    locked = json.loads((UI / "package-lock.json").read_text())["packages"][f"node_modules/{name}"]
    assert asked == locked["version"], f"{name}: package.json asks {asked}, the lock holds another"
    return asked


@pytest.mark.parametrize("role", list(ASSETS))
def test_each_asset_names_the_pinned_release_its_builder_and_its_licence(role):
    first_line = ASSETS[role].read_text(encoding="utf-8").split("\n", 1)[0]
    header = HEADER.fullmatch(first_line)
    assert header, first_line
    assert header["version"] == pinned("@modelcontextprotocol/ext-apps")
    assert header["esbuild"] == pinned("esbuild")
    assert header["role"] == role
    assert "MIT" in header["licence"]
    assert "Apache-2.0" in header["licence"]


def test_the_docs_name_the_vendored_release():
    version = pinned("@modelcontextprotocol/ext-apps")
    assert f"`@modelcontextprotocol/ext-apps` {version}" in (
        PROJECT_DIR / "docs/mcp-apps.md"
    ).read_text(encoding="utf-8")


def test_the_view_script_can_sit_inside_a_script_element():
    code = ASSETS["view"].read_text(encoding="utf-8")
    assert "</script" not in code.lower()
    assert code.split("\n", 1)[1].startswith("var McpApps=")
