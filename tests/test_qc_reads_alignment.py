"""QC metric parsers: fastp reports (reads) and samtools stats (alignment)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from wgs_east.errors import InputError
from wgs_east.qc import alignment, reads


def fastp_report(before: int, after: int, q30_after: float, adapters: int, bases: int = 150) -> dict:
    def block(n: int, q30: float) -> dict:
        return {"total_reads": n, "total_bases": n * bases, "q30_bases": int(n * bases * q30)}

    return {
        "summary": {"before_filtering": block(before, 0.9), "after_filtering": block(after, q30_after)},
        "adapter_cutting": {"adapter_trimmed_reads": adapters},
    }


def test_unit_metrics_fractions() -> None:
    m = reads.unit_metrics(fastp_report(1000, 900, 0.85, 100))
    assert m["reads_before"] == 1000 and m["reads_after"] == 900
    assert m["pass_filter_fraction"] == pytest.approx(0.9)
    assert m["q30_fraction"] == pytest.approx(0.85)
    assert m["q30_fraction_before"] == pytest.approx(0.9)
    assert m["adapter_fraction"] == pytest.approx(0.1)


def test_unit_metrics_without_adapter_section() -> None:
    report = fastp_report(10, 10, 0.9, 0)
    del report["adapter_cutting"]
    assert reads.unit_metrics(report)["adapter_fraction"] == 0


def test_sample_metrics_are_recomputed_over_units() -> None:
    units = {"L1": reads.unit_metrics(fastp_report(1000, 1000, 0.9, 0)),
             "L2": reads.unit_metrics(fastp_report(3000, 1500, 0.7, 300))}
    m = reads.sample_metrics(units)
    assert m["reads_before"] == 4000 and m["reads_after"] == 2500
    assert m["pass_filter_fraction"] == pytest.approx(2500 / 4000)
    assert m["q30_fraction"] == pytest.approx((1000 * 0.9 + 1500 * 0.7) / 2500, abs=1e-6)
    assert m["adapter_fraction"] == pytest.approx(300 / 4000)


def test_reads_cli_and_bad_report(tmp_path: Path) -> None:
    good = tmp_path / "L1.fastp.json"
    good.write_text(json.dumps(fastp_report(100, 90, 0.9, 5)))
    out = tmp_path / "S.reads.json"
    assert reads.main(["--sample", "S", "--fastp", f"L1={good}", "--out", str(out)]) == 0
    data = json.loads(out.read_text())
    assert data["sample"] == "S" and set(data["units"]) == {"L1"}
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"summary": {}}))
    with pytest.raises(InputError, match="not a fastp JSON"):
        reads.read_fastp(bad)


STATS = """\
# comment
SN\traw total sequences:\t1000\t# excluding supplementary and secondary reads
SN\treads mapped:\t990
SN\treads properly paired:\t960\t# proper-pair bit set
SN\treads duplicated:\t99\t# PCR or optical duplicate bit set
SN\terror rate:\t5.0e-03\t# mismatches / bases mapped (cigar)
SN\tinsert size average:\t350.2
SN\tinsert size standard deviation:\t70.1
IS\t100\t10\t10\t0\t0
IS\t300\t40\t40\t0\t0
IS\t350\t30\t30\t0\t0
IS\t500\t20\t20\t0\t0
"""


def test_samtools_stats_metrics() -> None:
    sn, sizes = alignment.parse_stats(STATS.splitlines(keepends=True))
    m = alignment.alignment_metrics(sn, sizes)
    assert m["mapping_rate"] == pytest.approx(0.99)
    assert m["properly_paired_rate"] == pytest.approx(0.96)
    assert m["duplicate_rate"] == pytest.approx(0.1)
    assert m["insert_size_median"] == 300  # cumulative 10, 50 (>= 50 of 100)
    assert m["insert_size_iqr"] == 350 - 300
    assert m["insert_size_sd"] == pytest.approx(70.1)


def test_histogram_quantile_edge_cases() -> None:
    assert math.isnan(alignment.histogram_quantile(np.array([1, 2]), np.array([0, 0]), 0.5))
    assert alignment.histogram_quantile(np.array([5, 1]), np.array([1, 3]), 0.5) == 1  # unsorted input


def test_not_a_stats_file(tmp_path: Path) -> None:
    p = tmp_path / "x.txt"
    p.write_text("hello\n")
    with pytest.raises(InputError, match="samtools stats"):
        alignment.read_samtools_stats(p)
    with pytest.raises(InputError, match="cannot read"):
        alignment.read_samtools_stats(tmp_path / "missing.txt")
