"""MkDocs hooks for mkdocs.yml: the nav follows docs/index.md, and links out of docs/ still work.

The pages are written for a code host, where a link may lead to any file of the repository
(`../README.md`, `../config/serve.py`) or to a folder of pages (`records/`). In the site, each
such file is served under `repo/` (a Markdown file as a page, any other as it is), a folder of
docs/ without an index.md gets a page listing its pages, and the links are rewritten to reach
them.
"""

import posixpath
import re
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page

OUTSIDE = "repo/"
# Inline links and images, [text](target) or [text](target "title").
LINK = re.compile(r"(\]\()([^)\s]+)")
# Fenced blocks and inline code, where brackets are not links.
CODE = re.compile(r"(^```.*?^```|`[^`\n]*`)", re.MULTILINE | re.DOTALL)
NAV_ITEM = re.compile(r"^- \[[^\]]*\]\(([^)#\s]+\.md)\)")
SECTION = re.compile(r"^## (.+)$")


def repository(config: MkDocsConfig) -> Path:
    return Path(config.config_file_path).resolve().parent


def docs_folder(config: MkDocsConfig) -> str:
    """docs_dir as a path inside the repository, e.g. "docs"."""
    return Path(config.docs_dir).resolve().relative_to(repository(config)).as_posix()


def nav_from_index(index: Path) -> list:
    """The pages that docs/index.md lists, in its order; the list under a `## ` heading becomes
    a section of that name."""
    nav: list = ["index.md"]
    section: list = nav
    for line in index.read_text().splitlines():
        heading = SECTION.match(line)
        if heading:
            section = []
            nav.append({heading.group(1).strip(): section})
            continue
        item = NAV_ITEM.match(line)
        if item and not item.group(1).startswith("../"):
            section.append(item.group(1))
    return [entry for entry in nav if not isinstance(entry, dict) or next(iter(entry.values()))]


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    config.nav = nav_from_index(Path(config.docs_dir) / "index.md")
    return config


def links(text: str) -> list[str]:
    found: list[str] = []
    for number, part in enumerate(CODE.split(text)):
        if number % 2 == 0:
            found += [match.group(2) for match in LINK.finditer(part)]
    return found


def in_repository(source: str, target: str) -> str | None:
    """The repository path a relative link of the file at source leads to; None for a URL
    or an anchor of the same page."""
    if re.match(r"[a-z][a-z0-9+.-]*:", target) or target.startswith(("#", "/")):
        return None
    path = target.partition("#")[0]
    resolved = posixpath.normpath(posixpath.join(posixpath.dirname(source), path))
    return resolved + "/" if path.endswith("/") else resolved


def site_path(path: str, docs: str) -> str:
    """Where a repository path is in the site: docs/ is its root, the rest is under repo/."""
    if path == docs or path.startswith(docs + "/"):
        return path[len(docs) + 1 :]
    return OUTSIDE + path


def source_of(file: File, docs: str) -> str:
    """The repository path of a site file."""
    if file.src_uri.startswith(OUTSIDE):
        return file.src_uri[len(OUTSIDE) :]
    return f"{docs}/{file.src_uri}"


def on_files(files: Files, config: MkDocsConfig) -> Files:
    """Adds the repository files outside docs/ that the pages link to, and theirs in turn."""
    root, docs = repository(config), docs_folder(config)
    todo = [file for file in files if file.src_uri.endswith(".md")]
    while todo:
        file = todo.pop()
        source = source_of(file, docs)
        for target in links(Path(file.abs_src_path).read_text()):
            path = in_repository(source, target)
            if path is None or path.startswith("../"):
                continue
            if path.endswith("/"):
                add_listing(files, config, site_path(path.rstrip("/"), docs))
                continue
            uri = site_path(path, docs)
            if not uri.startswith(OUTSIDE) or files.get_file_from_path(uri):
                continue
            if not (root / path).is_file():
                continue
            added = File.generated(
                config, uri, abs_src_path=str(root / path), inclusion=InclusionLevel.NOT_IN_NAV
            )
            files.append(added)
            if uri.endswith(".md"):
                todo.append(added)
    return files


def add_listing(files: Files, config: MkDocsConfig, folder: str) -> None:
    """An index page for a folder of docs/ that has none: a link to each of its pages."""
    index = f"{folder}/index.md"
    if folder.startswith(OUTSIDE) or files.get_file_from_path(index):
        return
    pages = sorted(
        file.src_uri
        for file in files
        if file.src_uri.endswith(".md") and posixpath.dirname(file.src_uri) == folder
    )
    if not pages:
        return
    items = [f"- [{posixpath.basename(page)}]({posixpath.basename(page)})" for page in pages]
    content = "\n".join([f"# {folder}/", "", *items, ""])
    files.append(
        File.generated(config, index, content=content, inclusion=InclusionLevel.NOT_IN_NAV)
    )


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    """Points each relative link at the target's place in the site."""
    docs = docs_folder(config)
    source = source_of(page.file, docs)
    here = posixpath.dirname(page.file.src_uri)

    def rewrite(match: re.Match) -> str:
        target = match.group(2)
        path = in_repository(source, target)
        if path is None:
            return match.group(0)
        anchor = target.partition("#")[2]
        uri = site_path(path.rstrip("/"), docs)
        if path.endswith("/"):
            # A folder: its index page where it has one (MkDocs links pages, not folders).
            uri += "/index.md" if files.get_file_from_path(f"{uri}/index.md") else "/"
        new = posixpath.relpath(uri, here or ".") + ("/" if uri.endswith("/") else "")
        return match.group(1) + new + (f"#{anchor}" if anchor else "")

    parts = CODE.split(markdown)
    for number in range(0, len(parts), 2):
        parts[number] = LINK.sub(rewrite, parts[number])
    return "".join(parts)
