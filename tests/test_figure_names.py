"""Figure files keep their whole names, and every file a written report links to exists.

``Path.with_suffix`` took ``.03`` of ``fig6_gamma0.03`` for a suffix, so ``qheat validate`` wrote
``fig6_gamma0.png`` for both gamma = 0.01 and 0.03 and its report linked to a missing file. The
evidence here is the file system: the reports are parsed as markdown (links and images, by a
parser written in this test) and each relative target is looked up next to the report.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import matplotlib
import pytest
import xarray as xr
from matplotlib.figure import Figure

matplotlib.use("Agg")

from qheat.cli import main  # noqa: E402
from qheat.compare import PRESETS, CompareSpec, compare_currents  # noqa: E402
from qheat.compare.validate import VALIDATION_CASES  # noqa: E402
from qheat.errors import SecularityWarning  # noqa: E402
from qheat.figures.paper import save_figure, with_extension  # noqa: E402
from qheat.paper.run import analyse, figure_dataset, write_figure, write_summary  # noqa: E402

LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")


def linked_files(markdown: str) -> list[str]:
    """Targets of the markdown links and images that are files (not URLs, not anchors)."""
    targets = [m.group(1).split("#")[0] for m in LINK.finditer(markdown)]
    return [t for t in targets if t and not re.match(r"[a-z][a-z0-9+.-]*:", t)]


def assert_links_exist(report: Path) -> list[str]:
    targets = linked_files(report.read_text())
    missing = [t for t in targets if not (report.parent / t).is_file()]
    assert not missing, f"{report.name} links to missing files: {missing}"
    return targets


def test_the_link_parser_finds_images_and_links_but_not_urls() -> None:
    text = '![a](x.png) [b](d/y.nc "t") [c](https://e.org/z.png) [d](#top) `[e](f)`'
    assert linked_files(text) == ["x.png", "d/y.nc", "f"]


@pytest.mark.parametrize("name", ["fig6_gamma0.03", "case.v1.2", "plain"])
def test_extension_is_appended_to_the_whole_name(name: str, tmp_path: Path) -> None:
    assert with_extension(tmp_path / name, ".png").name == name + ".png"


def test_names_that_differ_after_a_dot_give_distinct_files(tmp_path: Path) -> None:
    written = []
    for name in ("fig6_gamma0.01", "fig6_gamma0.03"):
        fig = Figure()
        fig.add_subplot().plot([0, 1], [0, 1])
        written += save_figure(fig, tmp_path / name)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [f"fig6_gamma0.0{k}.{ext}" for k in (1, 3) for ext in ("pdf", "png")]
    assert sorted(p.name for p in written) == names


@pytest.fixture(scope="module")
def tiny_comparison() -> xr.Dataset:
    """A real comparison (HEOM included) on three points of a weakly coupled case (~1 s)."""
    spec = CompareSpec(
        eps1=5.0,
        eps2=4.0,
        g=0.5,
        gamma=0.002,
        omega_d=50.0,
        t2=5.0,
        dT=(0.0, 10.0, 20.0),
        n_fine=7,
        heom=PRESETS["fig6"].heom,
    )
    return compare_currents(spec)


def test_validate_writes_every_figure_its_report_links_to(
    tiny_comparison: xr.Dataset, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``qheat validate`` end to end on tiny data, with the two battery cases whose names
    differ only after a dot (all four cases would only take longer)."""
    cases = [name for name in VALIDATION_CASES if name.startswith("fig6_")]
    assert cases == ["fig6_gamma0.01", "fig6_gamma0.03"]
    results = {name: tiny_comparison.copy() for name in cases}
    monkeypatch.setattr("qheat.cli.validate.run_validation", lambda **kwargs: results)
    assert main(["validate", "--out", str(tmp_path), "--no-progress"]) == 0
    targets = assert_links_exist(tmp_path / "validation.md")
    images = {t for t in targets if t.endswith(".png")}
    assert images == {f"{name}.png" for name in cases}  # one figure per case
    for name in cases:
        for extension in (".png", ".pdf", ".nc"):
            assert (tmp_path / f"{name}{extension}").stat().st_size > 0
    assert not list(tmp_path.glob("*_gamma0.png"))  # the old, truncated names


def test_reproduction_summary_links_exist(tmp_path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SecularityWarning)  # Fig. 6's Lindblad curves
        datasets = {n: figure_dataset(n, points=5) for n in (2, 6)}
    for ds in datasets.values():
        write_figure(ds, tmp_path)
    write_summary(tmp_path, analyse(datasets), datasets, seconds=None)
    targets = assert_links_exist(tmp_path / "summary.md")
    assert {"fig2.png", "fig6.png", "fig6.nc", "fig6.csv", "fig6.pdf"} <= set(targets)
