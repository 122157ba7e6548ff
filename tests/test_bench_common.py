"""bench/common.py: the measurements every benchmark result is built from."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from common import run_timed, stats  # noqa: E402


def test_run_timed_measures_the_command_not_the_benchmark_process(tmp_path):
    """Peak RSS is the command's own even when the benchmark process is large (ru_maxrss of a forked child
    would count the parent's memory)."""
    ballast = bytearray(400 * 2**20)  # the benchmark process holds 400 MB, as one with a generated data set does
    ballast[:: 4096] = b"x" * len(ballast[:: 4096])  # touched: resident
    small = run_timed([sys.executable, "-c", "pass"], log=tmp_path / "small.log")
    big = run_timed([sys.executable, "-c", "b = bytearray(150 * 2**20); b[::4096] = b'x' * len(b[::4096])"])
    assert small.returncode == 0 and small.wall_s > 0
    assert small.peak_rss_mb < 100  # an empty Python: not the 400 MB of this process
    assert 150 <= big.peak_rss_mb < 300
    assert big.cpu_s >= 0 and len(ballast) == 400 * 2**20


def test_run_timed_reports_a_failing_command(tmp_path):
    run = run_timed([sys.executable, "-c", "raise SystemExit(3)"], check=False)
    assert run.returncode == 3 and run.peak_rss_mb > 0


def test_stats():
    assert stats([3.0, 1.0, 2.0]) == {"n": 3, "median": 2.0, "min": 1.0, "max": 3.0, "values": [3.0, 1.0, 2.0]}


def test_sv_callers_haplotype_applies_the_planted_events() -> None:
    """bench/sv_callers.py: the spiked haplotype the caller measurements rely on."""
    from sv_callers import haplotype

    seq = "ACGTACGTAA" + "CCCCGGGGTT" + "AAACCCGGGT"  # 30 bp, 1-based positions
    assert haplotype(seq, (("DEL", 3, 5),)) == seq[:2] + seq[5:]
    assert haplotype(seq, (("DUP", 11, 14),)) == seq[:14] + seq[10:14] + seq[14:]
    inv = haplotype(seq, (("INV", 21, 24),))
    assert inv == seq[:20] + "GTTT" + seq[24:]  # reverse complement of AAAC
    both = haplotype(seq, (("INV", 21, 24), ("DEL", 1, 2)))  # sorted by position before applying
    assert both == seq[2:20] + "GTTT" + seq[24:]
