"""wgs_east.sv.merge rules on hand-made records (the workflow's output is tested in test_sv_workflow.py)."""

from __future__ import annotations

from pathlib import Path

import pysam

from wgs_east.config.models import Sex
from wgs_east.sv.merge import Event, Karyotype, Segment, cluster_delly, gt_text, merge_callers, record_line

KARYO = Karyotype({"M": Sex.male, "F": Sex.female, "U": Sex.unknown}, "chrX", "chrY", [(1, 1000)])


def test_expected_copies_follow_the_karyotype() -> None:
    assert [KARYO.copies(s, "chr1", 5) for s in "MFU"] == [2, 2, 2]
    assert KARYO.copies("M", "chrX", 500) == 2  # PAR
    assert KARYO.copies("M", "chrX", 5000) == 1
    assert KARYO.copies("F", "chrX", 5000) == 2
    assert [KARYO.copies(s, "chrY", 5) for s in "MFU"] == [1, 0, 1]


def test_gt_text() -> None:
    assert gt_text(1, 2) == "0/1" and gt_text(2, 2) == "1/1" and gt_text(0, 2) == "0/0"
    assert gt_text(1, 1) == "1" and gt_text(None, 2) == "./." and gt_text(1, 0) == "."


def _ev(pos: int, end: int, kind: str, ident: str, **alt: tuple[int, int, int]) -> Event:
    ev = Event("chr1", pos, end, kind, ident, callers=["delly"])
    for s, (copies, dv, rv) in alt.items():
        ev.alt_copies[s], ev.dv[s], ev.rv[s] = copies, dv, rv
    return ev


def test_two_inversion_junctions_become_one_event() -> None:
    a = _ev(31939, 37348, "INV", "INV1", M=(1, 8, 14), F=(0, 0, 0))
    b = _ev(31941, 37348, "INV", "INV2", M=(1, 10, 12), F=(1, 3, 2))
    far = _ev(31939 + 600, 37348, "INV", "INV3", M=(1, 5, 5), F=(0, 0, 0))  # breakend 600 bp away
    other = _ev(31939, 37348, "DEL", "DEL1", M=(1, 5, 5), F=(0, 0, 0))
    out = cluster_delly([a, b, far, other], 0.5, 500)
    assert sorted(e.id for e in out) == ["DEL1", "INV2", "INV3"]  # INV2: most read support (27 vs 22)
    inv = next(e for e in out if e.id == "INV2")
    assert inv.alt_copies["F"] == 1 and (inv.dv["F"], inv.rv["F"]) == (3, 2)
    assert (inv.dv["M"], inv.rv["M"]) == (10, 12)  # a tie for M: the kept record's values


def _seg(sample: str, chrom: str, start: int, end: int, cn: int, bins: int, expected: int = 2) -> Segment:
    return Segment(sample, chrom, start, end, cn, 0.0, bins, expected)


def test_depth_joins_delly_and_depth_only_events_are_added(tmp_path: Path) -> None:
    dele = _ev(1000, 5000, "DEL", "DEL1", M=(1, 10, 10), F=(0, 0, 0))
    segs = {
        "M": [_seg("M", "chr1", 0, 1000, 2, 4), _seg("M", "chr1", 1000, 5000, 1, 16),
              _seg("M", "chr1", 5000, 20000, 2, 60), _seg("M", "chr1", 20000, 24000, 3, 16),
              _seg("M", "chrX", 0, 500, 0, 2, expected=1)],
        "F": [_seg("F", "chr1", 0, 20000, 2, 80), _seg("F", "chr1", 20000, 24000, 4, 16)],
    }  # fmt: skip
    out = merge_callers([dele], segs, ["M", "F"], 0.5, min_bins=4)
    assert out[0].callers == ["delly", "cnvkit"] and out[0].cn == {"M": 1, "F": 2}
    assert len(out) == 2  # the 2-bin chrX loss stays in the table only
    gain = out[1]
    assert (gain.svtype, gain.callers, gain.pos, gain.end) == ("DUP", ["cnvkit"], 20000, 24000)
    assert gain.alt_copies == {"M": 1, "F": 2} and gain.cn == {"M": 3, "F": 4}
    fa = tmp_path / "r.fa"
    fa.write_text(">chr1\n" + "A" * 30000 + "\n>chrX\n" + "C" * 5000 + "\n")
    pysam.faidx(str(fa))
    with pysam.FastaFile(str(fa)) as ref:
        line = record_line(gain, ["M", "F"], KARYO, ref)
    assert line is not None
    cols = line.split("\t")
    assert cols[3] == "A" and cols[7] == "SVTYPE=DUP;END=24000;SVLEN=4000;CALLERS=cnvkit"
    assert cols[9:] == ["0/1:3:.:.", "1/1:4:.:."]


def test_haploid_and_absent_genotypes() -> None:
    ev = _ev(2000, 3000, "DEL", "DELX", M=(1, 4, 4), F=(1, 5, 5))
    ev.chrom = "chrX"
    ref = _FakeRef()
    line = record_line(ev, ["M", "F"], KARYO, ref)  # type: ignore[arg-type]
    assert line is not None and line.split("\t")[9:] == ["1:.:4:4", "0/1:.:5:5"]
    ev.chrom = "chrY"
    line = record_line(ev, ["M", "F"], KARYO, ref)  # type: ignore[arg-type]
    assert line is not None and line.split("\t")[9:] == ["1:.:4:4", ".:.:5:5"]
    ev.alt_copies = {"M": 0, "F": 1}
    assert record_line(ev, ["M", "F"], KARYO, ref) is None  # type: ignore[arg-type]  # only a female on chrY


class _FakeRef:
    def fetch(self, contig: str, start: int, end: int) -> str:
        return "G"


def test_cnvkit_steps_are_split_on_double_colons() -> None:
    from wgs_east.sv.cnvkit_steps import split_steps

    argv = ["coverage", "a.bam", "t.bed", "-o", "t.cnn", "::", "fix", "t.cnn", "a.cnn", "r.cnn", "::", "call", "s.cns"]
    assert split_steps(argv) == [["coverage", "a.bam", "t.bed", "-o", "t.cnn"], ["fix", "t.cnn", "a.cnn", "r.cnn"],
                                 ["call", "s.cns"]]  # fmt: skip
    assert split_steps([]) == []
