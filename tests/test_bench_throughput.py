"""bench/bench_throughput.py without running the pipeline: the generated data, the stage mapping of the
baseline's steps, the extrapolation arithmetic (the benchmark itself runs in `make bench` only)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

import bench_throughput as bt  # noqa: E402

from tests.conftest import REPO, TEST_CONFIG  # noqa: E402


def test_every_baseline_step_belongs_to_a_stage(tmp_path: Path) -> None:
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    out = subprocess.run(["bash", str(REPO / "bench" / "baseline.sh"), "--print", str(TEST_CONFIG), str(tmp_path / "p")],
                         capture_output=True, text=True, check=True, env=env).stdout  # fmt: skip
    steps = {line.split("\t")[0] for line in out.splitlines()}
    assert len(steps) == 17 and steps == set(bt.BASELINE_STAGE)


def test_baseline_stage_cpu_sums_steps_per_stage(tmp_path: Path) -> None:
    tsv = tmp_path / "steps.tsv"
    tsv.write_text("step\tseconds\tcpu_seconds\nmap_reads\t10.0\t18.5\ntrim_reads\t3\t2.5\ncall_variants\t4\t3.25\n"
                   "index_reference_bwa\t1\t0.75\n")  # fmt: skip
    assert bt.baseline_stage_cpu(tsv) == {"align": 21.0, "call": 3.25, "reference": 0.75}


def test_extrapolation_leaves_the_reference_out_and_names_the_dominant_stage() -> None:
    got = bt.extrapolate({"reference": 500.0, "align": 720.0, "call": 360.0}, human_gbp=100.0, cores=16)
    assert got["cpu_hours_per_stage"] == {"align": 20.0, "call": 10.0}
    assert (got["cpu_hours"], got["wall_hours_lower_bound"]) == (30.0, 1.88)
    assert (got["dominant_stage"], got["dominant_share"]) == ("align", pytest.approx(0.667, abs=1e-3))


def test_generated_genome_is_deterministic_and_keeps_the_test_genome(tmp_path: Path) -> None:
    import pysam

    a, ext_a = bt.make_genome(tmp_path / "a", 0.02, seed=3)
    b, _ = bt.make_genome(tmp_path / "b", 0.02, seed=3)
    assert (tmp_path / "a" / "ref" / "genome.fa").read_bytes() == (tmp_path / "b" / "ref" / "genome.fa").read_bytes()
    assert sum(len(s) for s in a.values()) >= 0.02 * 20e6
    with pysam.FastaFile(str(REPO / "test_data" / "reference" / "genome.fa")) as test, \
            pysam.FastaFile(str(tmp_path / "a" / "ref" / "genome.fa")) as gen:  # fmt: skip
        for contig in test.references:  # the bundle's coordinates still hold
            assert gen.fetch(contig, 0, test.get_reference_length(contig)) == test.fetch(contig).upper()
            assert ext_a[contig] == test.get_reference_length(contig)
    haps = bt.haplotypes(a, ext_a, seed=3)
    assert [c for c, _ in haps].count("chrY") == 0 and len(haps) == 8  # a female: two copies of 4 contigs, no Y
    chr1 = [h for c, h in haps if c == "chrSYN1"]
    start = ext_a["chrSYN1"]
    for copy in chr1:  # the test genome's part untouched; 1-3 bp deletions in the extension (~1 per 20 kb)
        assert np.array_equal(copy[:start], a["chrSYN1"][:start])
        assert 0 < len(a["chrSYN1"]) - len(copy) < 100
    # SNVs: ~0.6 per kb of each copy (seed 3: no deletion in the first 8 kb of the extension)
    diffs = [int((c[start : start + 8_000] != a["chrSYN1"][start : start + 8_000]).sum()) for c in chr1]
    assert all(1 <= d <= 15 for d in diffs), diffs
