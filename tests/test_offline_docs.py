"""The documentation site renders without a network: no page loads a script, stylesheet or font
from another host, and every equation is MathML in the page (rendered at build time by
docs/hooks/mathml.py), not TeX waiting for a script.

The site is built once, from the project's own mkdocs.yml (not in strict mode: the strict build
is a step of ``make test`` of its own), and every HTML and CSS file is inspected.
"""

from __future__ import annotations

import html
import importlib.util
import re
from pathlib import Path
from types import ModuleType

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config

ROOT = Path(__file__).resolve().parents[1]
EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//", re.I)
TAG = re.compile(r"<(script|link|img|iframe|source|embed|object)\b([^>]*)>", re.I)
ATTRIBUTE = re.compile(r"\b(src|href|data)\s*=\s*(\"[^\"]*\"|'[^']*')", re.I)
MATH_SPAN = re.compile(r'<(span|div) class="arithmatex">(.*?)</\1>', re.S)
VERBATIM = re.compile(r"<(pre|code|script|style)\b.*?</\1>", re.S | re.I)


def _hook() -> ModuleType:
    path = ROOT / "docs" / "hooks" / "mathml.py"
    spec = importlib.util.spec_from_file_location("mathml_hook", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    config = load_config(str(ROOT / "mkdocs.yml"), site_dir=str(out), strict=False)
    config.plugins.on_startup(command="build", dirty=False)
    try:
        build(config)
    finally:
        config.plugins.on_shutdown()
    return out


def _pages(site: Path) -> dict[str, str]:
    return {p.relative_to(site).as_posix(): p.read_text() for p in site.rglob("*.html")}


def test_no_page_loads_anything_from_another_host(site: Path) -> None:
    pages = _pages(site)
    assert len(pages) > 20
    external = []
    for name, text in pages.items():
        for tag, attributes in TAG.findall(text):
            for attribute, value in ATTRIBUTE.findall(attributes):
                if EXTERNAL.match(value.strip("\"'")):
                    external.append(f"{name}: <{tag} {attribute}={value}>")
    assert not external, "\n".join(external[:20])
    for css in site.rglob("*.css"):
        text = css.read_text(errors="replace")
        assert not re.search(r"@import\s+(url\()?[\"']?(https?:)?//", text), css
        assert not re.search(r"url\(\s*[\"']?(https?:)?//", text), css


def test_every_equation_is_mathml(site: Path) -> None:
    pages = _pages(site)
    counts = {}
    for name, text in pages.items():
        spans = MATH_SPAN.findall(text)
        raw = [tex for _, tex in spans if not tex.lstrip().startswith(("<math", "<span"))]
        assert not raw, f"{name}: equations left as TeX: {raw[:3]}"
        counts[name] = len(spans)
        prose = VERBATIM.sub("", text)
        assert "\\(" not in prose and "\\[" not in prose, f"{name}: TeX delimiters in the text"
    assert counts["theory/index.html"] > 100 and counts["sharp-bits/index.html"] > 50
    for notebook in ("tutorials/fig6/index.html", "tutorials/ndtc-map/index.html"):
        assert counts[notebook] > 10, notebook  # $...$ of the Markdown cells, converted
        assert 'src=""' not in pages[notebook] and "MathJax" not in pages[notebook]


def test_known_equations_render(site: Path) -> None:
    """The sharp bits' Lamb-shift integral (Eq. 15) and the tagged, aligned eigenstates (T2b)."""
    sharp = html.unescape((site / "sharp-bits" / "index.html").read_text())
    eq15 = next(block for block in MATH_SPAN.findall(sharp) if "\u222b" in block[1])[1]  # integral
    assert 'display="block"' in eq15 and "<mfrac>" in eq15 and "\u03c9" in eq15  # omega
    assert "\U0001d4a5" in sharp  # the J of \mathcal{J}_1
    theory = (site / "theory" / "index.html").read_text()
    t2b = next(b for _, b in MATH_SPAN.findall(theory) if "(T2b)" in b)
    assert t2b.count("<mtr>") == 4 and 'class="equation-label">(T2b)<' in t2b
    assert "stylesheets/mathml.css" in theory


def test_hook_converts_and_refuses_loudly() -> None:
    hook = _hook()
    inline = hook.tex_to_mathml(r"\frac{\varepsilon_1}{2}", display=False)
    assert inline.startswith("<math") and 'display="inline"' in inline
    assert "<mfrac>" in inline and "\u03b5" in html.unescape(inline)  # varepsilon
    tagged = hook.tex_to_mathml(r"x = 1 \tag{T9}", display=True)
    assert tagged.endswith('<span class="equation-label">(T9)</span>') and "T9" not in tagged[:-40]
    cell = (
        '<div class="jp-RenderedHTMLCommon jp-RenderedMarkdown jp-MarkdownOutput">'
        "<p>$x^2$ and <code>$not math$</code></p><div>$$y$$</div></div><p>$z$</p>"
    )
    converted = hook._notebook_math(cell, "nb.ipynb")
    assert converted.count("<math") == 2 and "<code>$not math$</code>" in converted
    assert converted.endswith("<p>$z$</p>")  # outside the Markdown cell: untouched
    with pytest.raises(RuntimeError, match=r"page\.md: cannot render the TeX"):
        hook._convert(r"\frac{", False, "page.md")
