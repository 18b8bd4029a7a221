"""report.html: a Markdown report as one self-contained page (plots inlined) that any browser reads offline.

The page is the Markdown report rendered, not a second report: report.md and report.html say the
same things in the same order (verdict first, summary, ladder, warnings, plots, claims,
definitions), and the nightly page is nightly.md rendered the same way.
"""

from __future__ import annotations

import base64
import html
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

#: Media types of the pictures a report may inline, by file suffix.
IMAGE_TYPES = {".png": "image/png", ".svg": "image/svg+xml", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}

STYLE = """\
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2328;
       max-width: 1100px; margin: 2em auto; padding: 0 1.2em; }
h1 { font-size: 1.6em; border-bottom: 1px solid #d0d7de; padding-bottom: .3em; }
h2 { font-size: 1.25em; margin-top: 1.8em; border-bottom: 1px solid #d0d7de; padding-bottom: .2em; }
h1 + ul { background: #f6f8fa; border-left: 4px solid #0969da; padding: .6em 1em .6em 2em; }
table { border-collapse: collapse; display: block; overflow-x: auto; font-size: .9em; margin: .8em 0; }
th, td { border: 1px solid #d0d7de; padding: .3em .6em; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
tr:nth-child(even) td { background: #fbfcfd; }
pre { background: #f6f8fa; padding: .8em; overflow-x: auto; font-size: .85em; line-height: 1.25; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
img { max-width: 100%; height: auto; display: block; margin: 1em 0; border: 1px solid #eaeef2; }
"""


def _parser() -> MarkdownIt:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False}).enable("table")


def _data_uri(path: Path) -> str:
    kind = IMAGE_TYPES[path.suffix.lower()]
    return f"data:{kind};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def render_html(markdown_text: str, folder: Path | str, title: str) -> str:
    """The page for `markdown_text`, whose relative image links are files in `folder`, read and inlined.

    An image link to a file that is not there, or of a type not in IMAGE_TYPES, is an error: a page
    with a broken picture would look like a report and miss part of it.
    """
    from bench.errors import BenchError

    folder = Path(folder)
    parser = _parser()
    tokens = parser.parse(markdown_text)
    for token in tokens:
        for child in token.children or []:
            if child.type != "image":
                continue
            source = str(child.attrGet("src") or "")
            path = folder / source
            if "://" in source or path.suffix.lower() not in IMAGE_TYPES or not path.is_file():
                raise BenchError(f"the report links a picture that cannot be inlined: {source!r} "
                                 f"(accepted: {', '.join(sorted(IMAGE_TYPES))} files beside the report)")
            child.attrSet("src", _data_uri(path))
    body = parser.renderer.render(tokens, parser.options, {})
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        f"<title>{html.escape(title)}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n{body}</body>\n</html>\n"
    )


def write_html(markdown_path: Path | str, title: str) -> Path:
    """Write the page of a Markdown report beside it (same name, .html) and return its path."""
    from bench.store.results import atomic_write_bytes

    markdown_path = Path(markdown_path)
    page = render_html(markdown_path.read_text(encoding="utf-8"), markdown_path.parent, title)
    target = markdown_path.with_suffix(".html")
    atomic_write_bytes(target, page.encode("utf-8"))
    return target
