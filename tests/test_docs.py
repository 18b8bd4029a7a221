"""The user documents: README.md stays short, and every relative link in it and docs/*.md leads somewhere."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
#: [text](target) links and <img src="target"> images; a target up to its #anchor or title.
LINK = re.compile(r"\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)|<img[^>]*\ssrc=\"([^\"]+)\"")


def relative_links(path: Path) -> list[str]:
    """The relative link targets in `path` (web addresses, mail and in-page anchors left out),
    code blocks skipped."""
    text = re.sub(r"```.*?```", "", path.read_text(), flags=re.S)
    targets = [a or b for a, b in LINK.findall(text)]
    return [t for t in targets if not re.match(r"[a-z][a-z0-9+.-]*:", t) and not t.startswith("#")]


def test_there_are_user_documents():
    assert (ROOT / "docs" / "glossary.md") in DOCUMENTS and len(DOCUMENTS) > 2


@pytest.mark.parametrize("document", DOCUMENTS, ids=[str(p.relative_to(ROOT)) for p in DOCUMENTS])
def test_every_relative_link_points_to_an_existing_file(document):
    missing = [t for t in relative_links(document) if not (document.parent / t.split("#", 1)[0]).exists()]
    assert missing == [], f"{document.relative_to(ROOT)} links to files that do not exist: {missing}"


def test_every_document_is_linked_from_the_readme():
    linked = {(ROOT / t.split("#", 1)[0]).resolve() for t in relative_links(ROOT / "README.md")}
    assert [p.name for p in DOCUMENTS[1:] if p.resolve() not in linked] == []


def test_the_readme_is_short():
    lines = len((ROOT / "README.md").read_text().splitlines())
    assert lines <= 320, f"README.md has {lines} lines; at most 320 (move detail to docs/)"


def test_the_link_finder_finds_links(tmp_path):
    page = tmp_path / "page.md"
    page.write_text('[a](docs/a.md) [b](b.md#part "title") [web](https://x.org) [here](#top)\n'
                    '```\n[not](code.md)\n```\n<img src="docs/answer/budget.png" alt="x">\n')
    assert relative_links(page) == ["docs/a.md", "b.md#part", "docs/answer/budget.png"]
