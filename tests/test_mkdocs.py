"""The manual builds as a site (`make docs`): strictly, with the nav of docs/index.md, and
every link of every built page leads to a file of the site."""

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

PROJECT = Path(__file__).resolve().parent.parent
MKDOCS = Path(sys.executable).with_name("mkdocs")

pytestmark = pytest.mark.xdist_group("mkdocs")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The site built as `make docs` builds it, into a folder of its own."""
    folder = tmp_path_factory.mktemp("site")
    result = subprocess.run(
        [str(MKDOCS), "build", "--strict", "--site-dir", str(folder)],
        cwd=PROJECT,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert "WARNING" not in result.stderr, result.stderr[-4000:]
    return folder


def listed_pages() -> list[str]:
    """The pages docs/index.md links from its lists, in order."""
    text = (PROJECT / "docs" / "index.md").read_text()
    return re.findall(r"^- \[[^\]]*\]\(([^)#\s]+\.md)\)", text, re.MULTILINE)


def hooks():
    spec = importlib.util.spec_from_file_location(
        "mkdocs_hooks", PROJECT / "scripts/mkdocs_hooks.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_nav_is_docs_index_in_its_order():
    nav = hooks().nav_from_index(PROJECT / "docs" / "index.md")
    assert nav[0] == "index.md"
    flat: list[str] = []
    for entry in nav[1:]:
        flat += (
            [entry] if isinstance(entry, str) else [p for pages in entry.values() for p in pages]
        )
    assert flat == listed_pages()
    assert {"Records": [page for page in listed_pages() if page.startswith("records/")]} in nav


def test_every_page_of_docs_is_built(site):
    for page in sorted((PROJECT / "docs").rglob("*.md")):
        relative = page.relative_to(PROJECT / "docs").with_suffix("")
        folder = relative.parent if relative.name == "index" else relative
        assert (site / folder / "index.html").is_file(), page


def test_every_link_in_the_site_leads_to_a_file_of_it(site):
    broken = []
    for page in site.rglob("*.html"):
        for href in re.findall(r'(?:href|src)="([^"]+)"', page.read_text()):
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not parts.path:
                continue
            # 404.html, served for any missing path, links from the site's root.
            base = site if parts.path.startswith("/") else page.parent
            target = (base / unquote(parts.path).lstrip("/")).resolve()
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                broken.append(f"{page.relative_to(site)}: {href}")
    assert broken == []


def test_links_out_of_docs_reach_the_repository_files(site):
    # docs/index.md links ../README.md, which the site serves under repo/.
    assert (site / "repo" / "index.html").is_file()
    assert 'href="repo/"' in (site / "index.html").read_text()


def test_the_site_fetches_no_web_fonts(site):
    for page in site.rglob("*.html"):
        assert "fonts.googleapis.com" not in page.read_text(), page
