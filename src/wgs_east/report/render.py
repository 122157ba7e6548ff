"""Rendering: the Jinja2 environment (autoescape on: sample ids, gene names and HPO names are data), the
package's CSS and JavaScript inlined, and atomic writing of the page."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup


@cache
def environment() -> Environment:
    return Environment(
        loader=PackageLoader("wgs_east.report", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _static(name: str) -> Markup:
    """A file of ``report/static`` as trusted markup (our own CSS/JS; ``</`` can not occur in it)."""
    text = (resources.files("wgs_east.report") / "static" / name).read_text()
    if "</" in text:
        raise ValueError(f"static/{name} must not contain '</' (it is inlined into <style>/<script>)")
    return Markup(text)


def render(template: str, context: Mapping[str, Any]) -> str:
    """The page ``template`` (``sample.html.j2`` / ``batch.html.j2``) with the CSS and JS inlined."""
    page = environment().get_template(template)
    return page.render(**context, css=_static("report.css"), js=_static("report.js"))


def now() -> str:
    """Creation time of a report, UTC; ``SOURCE_DATE_EPOCH`` (reproducible builds) overrides the clock."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    when = datetime.fromtimestamp(int(epoch), UTC) if epoch and epoch.isdigit() else datetime.now(UTC)
    return when.strftime("%Y-%m-%d %H:%M UTC")


def write_html(path: Path, text: str) -> None:
    """Write atomically: a temporary file in the same directory, renamed into place
    (``wgs_east.annotate.io.write_text_atomic``)."""
    from wgs_east.annotate.io import write_text_atomic

    write_text_atomic(path, text)
