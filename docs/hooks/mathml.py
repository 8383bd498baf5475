"""MkDocs hook: render every equation to MathML when the site is built (no JavaScript, no network).

Browsers draw MathML themselves, so the site shows its equations offline and behind firewalls.
TeX comes from two places:

* Markdown pages (and docstrings, through mkdocstrings): ``pymdownx.arithmatex`` in generic
  mode leaves ``<span class="arithmatex">\\(...\\)</span>`` and
  ``<div class="arithmatex">\\[...\\]</div>``.
* Tutorial notebooks (mkdocs-jupyter): ``$...$`` and ``$$...$$`` inside the rendered Markdown
  cells; their MathJax loader (an empty ``<script src="">`` by default) is removed.

Conversion is ``latex2mathml``; TeX it cannot convert stops the build with the page and the TeX.
"""

from __future__ import annotations

import html
import re
from typing import Any

from latex2mathml.converter import convert

ARITHMATEX = re.compile(r'<(span|div) class="arithmatex">(.*?)</\1>', re.S)
NOTEBOOK_MATHJAX = re.compile(
    r"<!-- Load mathjax -->.*?<!-- End of mathjax configuration -->", re.S
)
MARKDOWN_CELL = '<div class="jp-RenderedHTMLCommon jp-RenderedMarkdown jp-MarkdownOutput"'
DIV_TAG = re.compile(r"<div\b|</div>")
VERBATIM = re.compile(r"(<pre\b.*?</pre>|<code\b.*?</code>)", re.S)
DISPLAY_DOLLARS = re.compile(r"\$\$(.+?)\$\$", re.S)
INLINE_DOLLARS = re.compile(r"(?<![\\$])\$(?!\$)([^$]+?)(?<!\\)\$")
TAG = re.compile(r"\\tag\{([^}]*)\}")


def tex_to_mathml(tex: str, display: bool) -> str:
    """MathML of one equation; ``\\tag{X}`` becomes a label ``(X)`` beside it (which stays in
    view when a wide equation scrolls).

    ``aligned`` is rewritten as ``align*`` (latex2mathml lays out only the latter as a table).
    """
    label = TAG.search(tex)
    body = TAG.sub("", tex).replace("{aligned}", "{align*}").strip()
    mathml = convert(body, display="block" if display else "inline")
    if not label:
        return mathml
    return (
        f'<span class="equation-body">{mathml}</span>'
        f'<span class="equation-label">({html.escape(label.group(1))})</span>'
    )


def _arithmatex(match: re.Match[str], page: str) -> str:
    tag, tex = match.group(1), html.unescape(match.group(2)).strip()
    for opening, closing in (("\\(", "\\)"), ("\\[", "\\]"), ("$$", "$$"), ("$", "$")):
        if tex.startswith(opening) and tex.endswith(closing):
            tex = tex[len(opening) : len(tex) - len(closing)]
            break
    return f'<{tag} class="arithmatex">{_convert(tex, tag == "div", page)}</{tag}>'


def _convert(tex: str, display: bool, page: str) -> str:
    try:
        return tex_to_mathml(tex, display)
    except Exception as exc:  # latex2mathml raises many kinds; the build must say where
        raise RuntimeError(f"{page}: cannot render the TeX {tex!r} to MathML ({exc})") from exc


def _dollar_math(text: str, page: str) -> str:
    """``$$...$$`` and ``$...$`` of rendered notebook Markdown, outside ``<pre>``/``<code>``."""

    def display(match: re.Match[str]) -> str:
        tex = html.unescape(match.group(1))
        return f'<div class="arithmatex">{_convert(tex, True, page)}</div>'

    def inline(match: re.Match[str]) -> str:
        tex = html.unescape(match.group(1))
        return f'<span class="arithmatex">{_convert(tex, False, page)}</span>'

    parts = VERBATIM.split(text)
    for i in range(0, len(parts), 2):  # odd parts are the <pre>/<code> elements
        parts[i] = INLINE_DOLLARS.sub(inline, DISPLAY_DOLLARS.sub(display, parts[i]))
    return "".join(parts)


def _notebook_math(content: str, page: str) -> str:
    """Convert the math of every rendered Markdown cell (each a ``<div>`` matched to its end)."""
    out, position = [], 0
    while (start := content.find(MARKDOWN_CELL, position)) >= 0:
        depth, end = 0, start
        for tag in DIV_TAG.finditer(content, start):
            depth += 1 if tag.group(0) == "<div" else -1
            if depth == 0:
                end = tag.end()
                break
        else:
            raise RuntimeError(f"{page}: a notebook Markdown cell has no closing </div>")
        out += [content[position:start], _dollar_math(content[start:end], page)]
        position = end
    return "".join(out) + content[position:]


def _plain_titles(items: Any) -> None:
    """Table-of-contents entries are plain text: ``\\(J\\)`` in a heading shows as ``J``."""
    for item in items:
        item.title = re.sub(r"\\\((.*?)\\\)", r"\1", item.title)
        _plain_titles(item.children)


def on_page_content(html_text: str, page: Any, config: Any, files: Any) -> str:
    """MkDocs event: the page's HTML body, with every equation as MathML."""
    name = page.file.src_uri
    html_text = ARITHMATEX.sub(lambda m: _arithmatex(m, name), html_text)
    if name.endswith(".ipynb"):
        html_text = _notebook_math(NOTEBOOK_MATHJAX.sub("", html_text), name)
    _plain_titles(page.toc)
    return html_text
