"""Browser test of the clinical reports of the test genome: Debian's headless Chromium (installed by
`make setup`) opens DIR/reports/PROBAND1.html and DIR/reports/B001.html of the session's pipeline run.

Chromium is driven over the DevTools protocol on a pipe (`--remote-debugging-pipe`: JSON messages
separated by NUL bytes on file descriptors 3 and 4), so no websocket library, no port and no Selenium
download is needed. Checked: the page renders without console errors or exceptions and loads nothing
from the network; the planted de novo variant (SYNAD1 c.550C>T) is in the proband's table; the filter
box and the class filters hide rows; a row expands to its evidence trail. Screenshots (screen and print
media) and an A4 PDF are written to the test's temporary directory.
"""

from __future__ import annotations

import base64
import json
import os
import select
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import pytest

pytestmark = pytest.mark.slow

CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--no-default-browser-check",
    "--disable-extensions", "--hide-scrollbars", "--mute-audio", "--remote-debugging-pipe",
)  # fmt: skip


def chromium_path() -> str:
    for name in ("chromium", "chromium-browser"):
        exe = shutil.which(name)
        if exe:
            return exe
    pytest.fail("chromium not found: `make setup` installs the Debian package `chromium`")


class Browser:
    """A headless Chromium and one page, spoken to over the DevTools protocol on a pipe."""

    def __init__(self, profile: Path, log: Path, timeout: float = 20.0) -> None:
        self.timeout = timeout
        to_browser_r, self._w = os.pipe()
        self._r, from_browser_w = os.pipe()
        # the browser reads commands on fd 3 and writes replies on fd 4; bash moves our pipe ends there
        redirect = f'exec "$@" 3<&{to_browser_r} 4>&{from_browser_w}'
        for fd in (to_browser_r, from_browser_w):
            if fd not in (3, 4):
                redirect += f" {fd}>&-"
        cmd = [
            "bash",
            "-c",
            redirect,
            "chromium",
            chromium_path(),
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
        ]
        self._log = log.open("wb")
        self.proc = subprocess.Popen(
            cmd, stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT,
            pass_fds=(to_browser_r, from_browser_w),
        )  # fmt: skip
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._buf = b""
        self._id = 0
        self.events: list[dict[str, Any]] = []
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable", session=True)

    # --- protocol ----------------------------------------------------------------------------------
    def _message(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no answer from chromium")
            ready, _, _ = select.select([self._r], [], [], left)
            if ready:
                chunk = os.read(self._r, 1 << 20)
                if not chunk:
                    raise EOFError(f"chromium closed the pipe (exit code {self.proc.poll()})")
                self._buf += chunk
        raw, _, self._buf = self._buf.partition(b"\0")
        return json.loads(raw)

    def call(
        self, method: str, params: dict[str, Any] | None = None, session: bool = False
    ) -> dict[str, Any]:
        self._id += 1
        msg: dict[str, Any] = {"id": self._id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = self.session
        os.write(self._w, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + self.timeout
        while True:
            reply = self._message(deadline)
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str) -> dict[str, Any]:
        deadline = time.monotonic() + self.timeout
        seen = 0
        while True:
            for event in self.events[seen:]:
                if event.get("method") == method:
                    return event
            seen = len(self.events)
            self.events.append(self._message(deadline))

    # --- page --------------------------------------------------------------------------------------
    def open(self, url: str, width: int = 1280, height: int = 1000) -> None:
        self.events.clear()
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}, session=True)  # fmt: skip
        self.call("Page.navigate", {"url": url}, session=True)
        self.wait_for("Page.loadEventFired")

    def js(self, expression: str) -> Any:
        result = self.call(
            "Runtime.evaluate", {"expression": expression, "returnByValue": True}, session=True
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"JavaScript error: {result['exceptionDetails']}")
        return result["result"].get("value")

    def problems(self) -> list[str]:
        """Console errors, uncaught exceptions, failed loads and any request that is not file: / data:."""
        out = []
        for e in self.events:
            m, p = e.get("method"), e.get("params", {})
            if m == "Runtime.exceptionThrown":
                out.append(
                    f"exception: {p['exceptionDetails'].get('text')} {p['exceptionDetails'].get('exception', {})}"
                )
            elif m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
                out.append(
                    f"console.{p['type']}: {[a.get('value', a.get('description')) for a in p.get('args', [])]}"
                )
            elif m == "Log.entryAdded" and p["entry"].get("level") == "error":
                out.append(f"log {p['entry']['level']}: {p['entry'].get('text')} {p['entry'].get('url', '')}")
            elif m == "Network.requestWillBeSent" and not p["request"]["url"].startswith(("file:", "data:")):
                out.append(f"network request: {p['request']['url']}")
            elif m == "Network.loadingFailed":
                out.append(f"loading failed: {p.get('errorText')}")
        return out

    def screenshot(self, path: Path, media: str = "screen", width: int = 1280) -> None:
        """The whole page as PNG; ``media="print"`` with ``width=718`` (190 mm at 96 dpi) shows the A4 layout."""
        self.call("Emulation.setEmulatedMedia", {"media": media}, session=True)
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": 1000, "deviceScaleFactor": 1, "mobile": False}, session=True)  # fmt: skip
        height = int(self.js("Math.ceil(document.documentElement.scrollHeight)"))
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": min(height, 12000), "deviceScaleFactor": 1, "mobile": False},
                  session=True)  # fmt: skip
        shot = self.call(
            "Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True}, session=True
        )
        path.write_bytes(base64.b64decode(shot["data"]))
        self.call("Emulation.setEmulatedMedia", {"media": ""}, session=True)

    def page_width(self, media: str, width: int) -> int:
        """The width the page needs (scrollWidth) in a viewport of ``width`` pixels and the given media."""
        self.call("Emulation.setEmulatedMedia", {"media": media}, session=True)
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": 1000, "deviceScaleFactor": 1, "mobile": False}, session=True)  # fmt: skip
        needed = int(self.js("document.documentElement.scrollWidth"))
        self.call("Emulation.setEmulatedMedia", {"media": ""}, session=True)
        return needed

    def pdf(self, path: Path) -> None:
        out = self.call("Page.printToPDF", {"preferCSSPageSize": True, "printBackground": True}, session=True)
        path.write_bytes(base64.b64decode(out["data"]))

    def close(self) -> None:
        try:
            self.call("Browser.close")
        except (EOFError, TimeoutError, RuntimeError, OSError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for fd in (self._r, self._w):
            try:
                os.close(fd)
            except OSError:
                pass
        self._log.close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    tmp = tmp_path_factory.mktemp("chromium")
    b = Browser(tmp / "profile", tmp / "chromium.log")
    try:
        yield b
    finally:
        b.close()


ROWS_JS = """Array.from(document.querySelectorAll('#candidate-table tr.variant')).map(r => ({
    gene: r.dataset.gene, cls: r.dataset.class, text: r.innerText,
    visible: r.offsetParent !== null}))"""


def _type_filter(browser: Browser, text: str) -> None:
    browser.js(
        "(() => { const b = document.getElementById('candidate-filter'); b.value = " + json.dumps(text) + ";"
        " b.dispatchEvent(new Event('input', {bubbles: true})); })()"
    )


def test_proband_report_in_the_browser(pipeline_run: Path, browser: Browser, tmp_path: Path) -> None:
    page = pipeline_run / "reports" / "PROBAND1.html"
    browser.open(page.as_uri())
    assert browser.problems() == []
    assert browser.js("document.title").startswith("PROBAND1")
    assert browser.js("document.querySelector('h1').innerText").startswith("PROBAND1")

    rows = browser.js(ROWS_JS)
    assert rows and all(r["visible"] for r in rows)
    denovo = [r for r in rows if r["gene"] == "SYNAD1" and "c.550C>T" in r["text"]]
    assert len(denovo) == 1, [r["text"] for r in rows]
    assert "de novo" in denovo[0]["text"]
    assert denovo[0]["cls"] in ("P", "LP")

    # the filter box hides the rows that do not match, and shows them again when cleared
    _type_filter(browser, "synar1")
    after = browser.js(ROWS_JS)
    assert {r["gene"] for r in after if r["visible"]} == {"SYNAR1"}
    assert not any(r["visible"] for r in after if r["gene"] == "SYNAD1")
    assert browser.js("document.getElementById('candidate-shown').innerText").startswith(
        f"{sum(r['visible'] for r in after)} of {len(rows)}"
    )
    _type_filter(browser, "")
    assert all(r["visible"] for r in browser.js(ROWS_JS))

    # a class filter hides its class
    cls = denovo[0]["cls"]
    browser.js(f"document.querySelector('input.class-filter[value=\"{cls}\"]').click()")
    assert not any(r["visible"] for r in browser.js(ROWS_JS) if r["cls"] == cls)
    browser.js(f"document.querySelector('input.class-filter[value=\"{cls}\"]').click()")
    assert all(r["visible"] for r in browser.js(ROWS_JS))

    # clicking the row opens its evidence trail with the values that decided each criterion
    trail_text = browser.js(
        "(() => { const r = Array.from(document.querySelectorAll('#candidate-table tr.variant'))"
        ".find(r => r.dataset.gene === 'SYNAD1' && r.innerText.includes('c.550C>T')); r.click();"
        " const t = document.getElementById(r.dataset.trail); return t.offsetParent !== null ? t.innerText : null; })()"
    )
    assert trail_text is not None
    assert "PS2" in trail_text or "PM6" in trail_text
    assert "de novo" in trail_text
    assert browser.problems() == []

    # printable: on A4 (190 mm of content = 718 px at 96 dpi) nothing sticks out on the right
    assert browser.page_width("print", 718) <= 718
    browser.screenshot(tmp_path / "PROBAND1.png")
    browser.screenshot(tmp_path / "PROBAND1.print.png", media="print", width=718)
    browser.pdf(tmp_path / "PROBAND1.pdf")
    assert (tmp_path / "PROBAND1.png").stat().st_size > 20_000
    assert (tmp_path / "PROBAND1.pdf").read_bytes().startswith(b"%PDF")
    print(f"screenshots: {tmp_path}/PROBAND1.png, PROBAND1.print.png, PROBAND1.pdf")


def test_batch_overview_in_the_browser(pipeline_run: Path, browser: Browser, tmp_path: Path) -> None:
    page = pipeline_run / "reports" / "B001.html"
    browser.open(page.as_uri())
    assert browser.problems() == []
    links = browser.js("Array.from(document.querySelectorAll('a')).map(a => a.href)")
    files = [Path(unquote(urlparse(u).path)) for u in links if u.startswith("file:")]
    reports = {f.name for f in files if f.suffix == ".html"}
    assert {"PROBAND1.html", "SINGLETON1.html", "multiqc.html"} <= reports
    for f in files:
        assert f.exists(), f
    verdicts = browser.js(
        "Object.fromEntries(Array.from(document.querySelectorAll('tr.sample-row')).map(r => [r.dataset.sample, r.dataset.verdict]))"
    )
    assert set(verdicts) == {"FATHER1", "MOTHER1", "PROBAND1", "SINGLETON1"}
    browser.screenshot(tmp_path / "B001.png")
    print(f"screenshot: {tmp_path}/B001.png")
