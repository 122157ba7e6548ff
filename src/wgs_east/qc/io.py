"""Reading and writing the metric files (JSON) of the QC steps."""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from wgs_east.errors import InputError, Problem, WgsEastError


def _clean(value: Any) -> Any:
    """NaN / inf become null (JSON has no NaN); numpy scalars become Python numbers."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def write_json(path: Path, data: Any) -> None:
    """Write JSON atomically (a temporary file renamed into place)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(_clean(data), indent=2, allow_nan=False) + "\n")
    tmp.replace(path)


def read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        raise InputError(path, [Problem("", "file not found")]) from None
    except (OSError, ValueError) as exc:
        raise InputError(path, [Problem("", f"not a readable JSON file: {exc}")]) from None


def ratio(numerator: float, denominator: float) -> float:
    """numerator / denominator, NaN when the denominator is 0."""
    return float(numerator) / float(denominator) if denominator else math.nan


def run_main(main: Callable[[], int]) -> None:
    """Run a module CLI: a WgsEastError becomes a one-screen message and its exit code (no traceback)."""
    try:
        code = main()
    except WgsEastError as exc:
        print(f"error: {exc}", file=sys.stderr)
        code = exc.exit_code
    raise SystemExit(code)
