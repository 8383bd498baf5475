"""``qheat explore`` in a real browser: Debian's headless Chromium driven by Selenium.

The server runs as a subprocess (``qheat explore --port N --no-show`` on 127.0.0.1, a free
port) and is stopped at the end. The page must load without console errors; moving a slider
(keyboard on the slider's handle, as a user would) must change the plotted curve and the peak
read-out; an out-of-range value typed into a parameter must show the package's own error and a
later valid value must update the page again; the weak-coupling ratio must be read out at the
chosen point and along each curve, and a coupling ten times the paper's must shade the axis
outside weak coupling and show the WeakCouplingWarning; a NaN sent to a slider's number field
(a websocket message, as a page's script can send) must be refused with a message, where Panel
recursed until RecursionError; the NDTC map button must draw a map, hatched where its curves
leave weak coupling.

Without Chromium this test FAILS with how to install it (``apt-get install chromium
chromium-driver``); ``QHEAT_NO_BROWSER=1`` skips it explicitly. ``QHEAT_UPDATE_SCREENSHOT=1``
rewrites ``docs/images/explorer.png`` from the page (with a 40 x 40 NDTC map).
"""

from __future__ import annotations

import math
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement

from explorer_server import explore

SCREENSHOT = Path(__file__).resolve().parents[1] / "docs" / "images" / "explorer.png"
INSTALL = (
    "the explorer's browser test needs Chromium and its driver: on Debian/Ubuntu run "
    "`apt-get update && apt-get install -y chromium chromium-driver` (as root), or set "
    "QHEAT_NO_BROWSER=1 to skip this test explicitly"
)

FIND = """
const [selector, inner] = arguments;
function walk(root, s) {
  let out = Array.from(root.querySelectorAll(s));
  for (const el of root.querySelectorAll('*')) {
    if (el.shadowRoot) out = out.concat(walk(el.shadowRoot, s));
  }
  return out;
}
const hosts = walk(document, selector);
if (!inner) return hosts;
return hosts.flatMap(h => walk(h, inner).concat(h.shadowRoot ? walk(h.shadowRoot, inner) : []));
"""
"""Elements matching ``selector`` through every shadow root (Bokeh and Panel render inside
them), or the elements matching ``inner`` inside those."""

TEXT = """
function text(node) {
  if (node.nodeName === 'STYLE') return '';
  let s = node.shadowRoot ? text(node.shadowRoot) : '';
  for (const c of node.childNodes) s += c.nodeType === 3 ? c.textContent : text(c) + ' ';
  return s;
}
const el = arguments[0];
return [text(el), getComputedStyle(el).display !== 'none' && el.getClientRects().length > 0];
"""
"""The visible text of an element, shadow roots included, and whether it is displayed."""

CURVE = "return Array.from(Bokeh.documents[0].get_model_by_name('J-br-1').data.y)"

STRIPS = """
const data = Bokeh.documents[0].get_model_by_name('weak-strong').data;
return [data.x0.length, data.x0.length ? data.x0[0] : null, data.x1.length ? data.x1[0] : null];
"""
"""How many strips shade the axis outside weak coupling, and where the first starts and ends."""

SEND_NAN = """
const value = arguments[0];
const fields = [...Bokeh.documents[0].all_models].filter(
  m => m.type === 'Slider' && m.value === value);
if (fields.length === 1) fields[0].value = NaN;
return fields.length;
"""
"""Set the slider holding ``value`` (the slider part of an editable slider) to NaN, as a
websocket message does (its number field sends an empty value instead)."""

ROUND_TRIP = """
const [handle, done] = [arguments[0], arguments[arguments.length - 1]];
const source = Bokeh.documents[0].get_model_by_name('J-br-1');
const before = source.data.y[150];
const t0 = performance.now();
handle.dispatchEvent(new KeyboardEvent('keydown', {key: 'ArrowRight', keyCode: 39,
                                                   bubbles: true}));
(function poll() {
  if (source.data.y[150] !== before) requestAnimationFrame(() => done(performance.now() - t0));
  else if (performance.now() - t0 > 20000) done(-1);
  else setTimeout(poll, 2);
})();
"""
"""Milliseconds from a key press on a slider's handle until the new curve is in the page's
data source and the next frame is drawn (server solve + websocket + Bokeh update)."""


def _chromium() -> tuple[str, str]:
    """Paths of the Chromium binary and of chromedriver; fail (or skip if asked) without them."""
    binary = next((p for p in map(shutil.which, ("chromium", "chromium-browser")) if p), None)
    driver = shutil.which("chromedriver")
    if binary and driver:
        return binary, driver
    if os.environ.get("QHEAT_NO_BROWSER") == "1":
        pytest.skip("QHEAT_NO_BROWSER=1: the browser test of the explorer is skipped on request")
    missing = " and ".join(n for n, p in (("chromium", binary), ("chromedriver", driver)) if not p)
    pytest.fail(f"{missing} not found: {INSTALL}", pytrace=False)


@pytest.fixture()
def server() -> Iterator[str]:
    """``qheat explore`` on 127.0.0.1 and a free port; its URL. Stopped afterwards."""
    with explore() as port:
        yield f"http://127.0.0.1:{port}/"


@pytest.fixture()
def browser() -> Iterator[webdriver.Chrome]:
    binary, driver_path = _chromium()
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--enable-unsafe-swiftshader",
        "--window-size=1560,1760",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def _one(driver: webdriver.Chrome, selector: str, inner: str = "") -> WebElement:
    found = driver.execute_script(FIND, selector, inner)
    assert found, f"no element {selector} {inner} on the page"
    return found[0]  # type: ignore[no-any-return]


def _text(driver: webdriver.Chrome, selector: str) -> tuple[str, bool]:
    text, shown = driver.execute_script(TEXT, _one(driver, selector))
    return " ".join(text.split()), bool(shown)


def _wait(condition: Any, what: str, timeout: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    pytest.fail(f"timed out after {timeout:g} s waiting for {what}")


def _wait_text(
    driver: webdriver.Chrome, selector: str, condition: Any, what: str, timeout: float = 20.0
) -> str:
    """The text of ``selector`` once ``condition(text, shown)`` holds."""

    def check() -> str | None:
        text, shown = _text(driver, selector)
        return text if condition(text, shown) else None

    return str(_wait(check, what, timeout))


def _type(field: WebElement, text: str) -> None:
    """Replace the content of an input as a user does, and press Enter."""
    field.send_keys(Keys.END, *[Keys.BACKSPACE] * 16, text, Keys.ENTER)


def _errors(driver: webdriver.Chrome) -> list[str]:
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def test_explorer_in_chromium(server: str, browser: webdriver.Chrome) -> None:
    browser.get(server)
    _wait(
        lambda: browser.execute_script(
            "return window.Bokeh && Bokeh.documents.length > 0 && "
            "Bokeh.documents[0].get_model_by_name('J-br-1') !== null && "
            "Bokeh.documents[0].get_model_by_name('J-br-1').data.y.length === 300"
        ),
        "the first 300-point curve",
        timeout=40.0,
    )
    errors = _errors(browser)
    first, readout = browser.execute_script(CURVE), _text(browser, ".qheat-readout")[0]
    assert "Bloch-Redfield J1 = 0.071196 at dt = 26.09 yes" in readout, readout
    assert "secular ratio > 1 from dt = 21.57" in readout, readout

    # move the g slider with the keyboard: the curve and the peak read-out follow
    handle = _one(browser, ".qheat-param-g", ".noUi-handle")
    handle.send_keys(*[Keys.ARROW_RIGHT] * 5)
    _wait(lambda: browser.execute_script(CURVE) != first, "the curve to follow the slider")
    moved_readout = _wait_text(
        browser,
        ".qheat-readout",
        lambda t, _: t != readout,
        "the peak read-out to follow the slider",
    )
    assert "Bloch-Redfield J1 = " in moved_readout and "dt = 26.09" not in moved_readout
    rounds = sorted(browser.execute_async_script(ROUND_TRIP, handle) for _ in range(5))
    assert min(rounds) > 0, rounds
    print(
        f"\nslider to redrawn 300-point curve (2 equations), median of 5: {rounds[2]:.0f} ms; "
        f"page says: {_text(browser, '.qheat-timing')[0]}"
    )

    # an out-of-range value shows the package's error; the page keeps working
    eps1 = _one(browser, ".qheat-param-eps1", "input")
    before_error = browser.execute_script(CURVE)
    _type(eps1, "-1")
    message = _wait_text(browser, ".qheat-error", lambda _, shown: shown, "the error message")
    assert "eps1 must be > 0, got -1" in message, message
    assert browser.execute_script(CURVE) == before_error  # the last valid curve stays
    _type(eps1, "4.5")
    _wait(lambda: not _text(browser, ".qheat-error")[1], "the error to clear")
    _wait(lambda: browser.execute_script(CURVE) != before_error, "the curve after a valid value")

    # weak coupling: read out at the point and along each curve (the Fig. 6 coupling: a notice
    # at the hot end of the axis), shaded and warned about at ten times the coupling
    validity = _text(browser, ".qheat-validity")[0]
    assert "weak-coupling ratio" in validity and "entropy production sigma: br" in validity
    assert "ratio up to" in _text(browser, ".qheat-readout")[0]
    gammas = [_one(browser, f".qheat-param-gamma{k}", "input") for k in (1, 2)]
    for field in gammas:
        _type(field, "0.3")
    warning = _wait_text(
        browser,
        ".qheat-warning",
        lambda t, shown: shown and "gamma" not in t and "WeakCouplingWarning" in t,
        "the weak-coupling warning",
    )
    assert "outside weak coupling" in warning, warning
    readout = _wait_text(
        browser, ".qheat-readout", lambda t, _: "ratio > 0.5 from dt" in t, "the read-out"
    )
    strips = browser.execute_script(STRIPS)
    assert strips[0] > 0 and 0 < strips[1] < strips[2] == 150, (strips, readout)
    for field in gammas:
        _type(field, "0.03")
    _wait(lambda: browser.execute_script(STRIPS)[0] == 0, "the shading to go")

    # NaN sent to the g slider (a websocket message): refused with a message, page still live
    g_field = _one(browser, ".qheat-param-g", "input")
    value = float(g_field.get_attribute("value"))
    assert browser.execute_script(SEND_NAN, value) == 1
    refused = _wait_text(browser, ".qheat-error", lambda _, shown: shown, "the NaN refused")
    assert "is not a finite number" in refused and f"stays {value:g}" in refused, refused
    _wait(lambda: math.isclose(float(g_field.get_attribute("value")), value), "the kept value")
    before_nan = browser.execute_script(CURVE)
    _type(g_field, "0.6")
    _wait(lambda: not _text(browser, ".qheat-error")[1], "the refusal to clear")
    _wait(lambda: browser.execute_script(CURVE) != before_nan, "the curve after the NaN")

    # the NDTC map, computed on demand
    screenshot = os.environ.get("QHEAT_UPDATE_SCREENSHOT") == "1"
    if screenshot:  # back to the paper's Fig. 6 (gamma = 0.03) for the picture
        _type(_one(browser, ".qheat-param-g", "input"), "0.5")
        _type(eps1, "4")
        _wait(lambda: "J1 = 0.071196" in _text(browser, ".qheat-readout")[0], "Fig. 6 again")
    else:
        _type(_one(browser, ".qheat-map-n", "input"), "4")
        _type(_one(browser, ".qheat-map-points", "input"), "20")
    _one(browser, ".qheat-map-button", "button").click()
    status = _wait_text(
        browser, ".qheat-map-status", lambda t, _: "computed in" in t, "the NDTC map", timeout=60.0
    )
    assert "with NDTC along dt" in status, status
    shape = browser.execute_script(
        "return Array.from(Bokeh.documents[0].get_model_by_name('ndtc-map').data.image[0].shape)"
    )
    assert shape == ([40, 40] if screenshot else [4, 4]), shape

    errors += _errors(browser)
    assert not errors, errors
    if screenshot:
        browser.execute_script("window.scrollTo(0, 0)")
        time.sleep(1.0)
        browser.save_screenshot(str(SCREENSHOT))
