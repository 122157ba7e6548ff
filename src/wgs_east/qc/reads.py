"""Read metrics from fastp's JSON reports: reads, Q30 fraction, adapter content, per unit and per sample;
with ``--accounting`` also each unit's read accounting (:mod:`wgs_east.qc.accounting`).

    python -m wgs_east.qc.reads --sample S --fastp L001=qc/fastp/S/L001.fastp.json ... \
        [--accounting L001=qc/read_accounting/S/L001.json ...] --out S.reads.json
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from wgs_east.errors import InputError, Problem
from wgs_east.qc.accounting import COUNT_KEYS
from wgs_east.qc.io import ratio, read_json, run_main, write_json


def unit_metrics(report: Mapping[str, Any]) -> dict[str, float]:
    """Metrics of one fastp report (reads are counted singly: a pair is two reads)."""
    before = report["summary"]["before_filtering"]
    after = report["summary"]["after_filtering"]
    adapters = report.get("adapter_cutting", {})
    return {
        "reads_before": int(before["total_reads"]),
        "bases_before": int(before["total_bases"]),
        "q30_bases_before": int(before["q30_bases"]),
        "reads_after": int(after["total_reads"]),
        "bases_after": int(after["total_bases"]),
        "q30_bases_after": int(after["q30_bases"]),
        "adapter_trimmed_reads": int(adapters.get("adapter_trimmed_reads", 0)),
        "q30_fraction_before": ratio(before["q30_bases"], before["total_bases"]),
        "q30_fraction": ratio(after["q30_bases"], after["total_bases"]),
        "pass_filter_fraction": ratio(after["total_reads"], before["total_reads"]),
        "adapter_fraction": ratio(adapters.get("adapter_trimmed_reads", 0), before["total_reads"]),
    }


def sample_metrics(units: Mapping[str, Mapping[str, float]]) -> dict[str, float]:
    """Sum the unit counts and recompute the fractions over the whole sample."""
    keys = (
        "reads_before", "bases_before", "q30_bases_before", "reads_after", "bases_after", "q30_bases_after",
        "adapter_trimmed_reads",
    )  # fmt: skip
    if units and all(all(k in u for k in COUNT_KEYS) for u in units.values()):
        keys += COUNT_KEYS  # read accounting: every unit has it
    tot = {k: sum(int(u[k]) for u in units.values()) for k in keys}
    return {
        **tot,
        "q30_fraction_before": ratio(tot["q30_bases_before"], tot["bases_before"]),
        "q30_fraction": ratio(tot["q30_bases_after"], tot["bases_after"]),
        "pass_filter_fraction": ratio(tot["reads_after"], tot["reads_before"]),
        "adapter_fraction": ratio(tot["adapter_trimmed_reads"], tot["reads_before"]),
    }


def read_fastp(path: Path) -> dict[str, float]:
    report = read_json(path)
    try:
        return unit_metrics(report)
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(path, [Problem("", f"not a fastp JSON report (missing {exc})")]) from None


def _unit_arg(text: str) -> tuple[str, Path]:
    unit, sep, path = text.partition("=")
    if not sep or not unit or not path:
        raise argparse.ArgumentTypeError(f"expected UNIT=PATH, got {text!r}")
    return unit, Path(path)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sample", required=True)
    ap.add_argument("--fastp", type=_unit_arg, nargs="+", required=True, metavar="UNIT=JSON")
    ap.add_argument("--accounting", type=_unit_arg, nargs="+", default=[], metavar="UNIT=JSON")
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    units = {unit: read_fastp(path) for unit, path in args.fastp}
    for unit, path in args.accounting:
        counts = read_json(path)
        units[unit].update({k: counts[k] for k in COUNT_KEYS})
    write_json(args.out, {"sample": args.sample, "sample_metrics": sample_metrics(units), "units": units})
    return 0


if __name__ == "__main__":
    run_main(main)
