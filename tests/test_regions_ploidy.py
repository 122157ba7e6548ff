"""Region chunking for scatter-gather and sex-aware ploidy files."""

from __future__ import annotations

from pathlib import Path

from wgs_east.config.models import Region, Sex
from wgs_east.ploidy import bcftools_ploidy, freebayes_cnv_map, haploid_x_intervals
from wgs_east.regions import calling_chunk_size, count_chunks, plan_pieces, snap_to_gaps
from wgs_east.regions import main as regions_main


def test_plan_cuts_long_contigs_and_packs_short_ones() -> None:
    contigs = {"chr1": 250, "chr2": 90, "d1": 10, "d2": 15, "chrM": 5}
    chunks = plan_pieces(contigs, 100, exclude=["chrM"])
    assert chunks == [
        [("chr1", 0, 83)],
        [("chr1", 83, 167)],
        [("chr1", 167, 250)],
        [("chr2", 0, 90), ("d1", 0, 10)],
        [("d2", 0, 15)],
    ]
    covered = sum(e - s for c in chunks for _, s, e in c)
    assert covered == 250 + 90 + 10 + 15  # every base of every included contig exactly once


def test_calling_chunk_size_is_the_configured_one_while_groups_x_chunks_fit() -> None:
    contigs = {"chr1": 1000, "chr2": 600, "chrM": 16}
    assert count_chunks(contigs, 100, ["chrM"]) == 16
    assert calling_chunk_size(contigs, 100, ["chrM"], groups=10, max_jobs=160) == 100  # exactly at the cap
    assert calling_chunk_size(contigs, 100, ["chrM"], groups=1, max_jobs=20_000) == 100


def test_calling_chunk_size_grows_to_keep_groups_x_chunks_within_the_cap() -> None:
    contigs = {"chr1": 1000, "chr2": 600, "chrM": 16}
    size = calling_chunk_size(contigs, 100, ["chrM"], groups=10, max_jobs=50)
    assert size > 100
    assert 10 * count_chunks(contigs, size, ["chrM"]) <= 50
    assert 10 * count_chunks(contigs, size - 1, ["chrM"]) > 50  # the smallest size that fits
    # a cap that even one chunk cannot meet: the fewest chunks there are (the whole genome in one)
    size = calling_chunk_size(contigs, 100, ["chrM"], groups=10, max_jobs=5)
    assert count_chunks(contigs, size, ["chrM"]) == 1


def test_snap_moves_cut_into_n_gap_but_keeps_count() -> None:
    chunks = [[("chr1", 0, 100)], [("chr1", 100, 200)]]
    snapped = snap_to_gaps(chunks, {"chr1": [(110, 130)]}, window=30)
    assert snapped == [[("chr1", 0, 120)], [("chr1", 120, 200)]]
    assert snap_to_gaps(chunks, {"chr1": [(170, 190)]}, window=30) == chunks  # too far: unchanged


def test_regions_cli_writes_bed_files_cut_at_gap(tmp_path: Path) -> None:
    seq = "A" * 1000 + "N" * 50 + "C" * 950
    fa = tmp_path / "g.fa"
    fa.write_text(">c1\n" + "\n".join(seq[i : i + 60] for i in range(0, len(seq), 60)) + "\n>c2\nACGT\n")
    outs = [tmp_path / f"{i}.bed" for i in range(3)]
    assert regions_main(["--fasta", str(fa), "--chunk-size", "1500", "--", *map(str, outs)]) == 0
    assert [o.read_text() for o in outs] == ["c1\t0\t1025\n", "c1\t1025\t2000\n", "c2\t0\t4\n"]


def test_haploid_x_outside_pars() -> None:
    pars = [Region(contig="chrX", start=11, end=20), Region(contig="chrX", start=91, end=100)]
    assert haploid_x_intervals(100, pars) == [(1, 10), (21, 90)]
    assert haploid_x_intervals(100, []) == [(1, 100)]


def test_bcftools_ploidy_file() -> None:
    text = bcftools_ploidy("chrX", "chrY", 100, 50, [])
    lines = text.splitlines()
    assert "chrX\t1\t100\tM\t1" in lines
    assert "chrY\t1\t50\tF\t0" in lines
    assert "chrY\t1\t50\tM\t1" in lines
    assert "*\t*\t*\tF\t2" in lines and "*\t*\t*\tM\t2" in lines
    assert not any(line.startswith("chrX") and "\tF\t" in line for line in lines)  # females diploid X


def test_freebayes_cnv_map() -> None:
    text = freebayes_cnv_map([("DAD", Sex.male), ("MUM", Sex.female)], "chrX", "chrY", 100, 50, [])
    assert text.splitlines() == ["chrX\t0\t100\tDAD\t1", "chrY\t0\t50\tDAD\t1", "chrY\t0\t50\tMUM\t0"]


def test_ploidy_without_sex_chromosomes_is_diploid_everywhere(tmp_path: Path) -> None:
    from tests.conftest import MiniBatch
    from wgs_east.config.models import Batch
    from wgs_east.ploidy import main as ploidy_main

    mini = MiniBatch(tmp_path)
    data = mini.copy()
    data["reference"]["sex_chromosomes"] = None
    (tmp_path / "b.json").write_text(Batch.model_validate(data, context={"base_dir": tmp_path}).model_dump_json())
    (tmp_path / "g.fai").write_text("chr20\t300\t7\t60\t61\n")
    out = {k: tmp_path / f"o.{k}" for k in ("ploidy", "samples", "cnv")}
    assert ploidy_main(["--batch-json", str(tmp_path / "b.json"), "--group", "MINI1", "--fai", str(tmp_path / "g.fai"),
                        "--ploidy", str(out["ploidy"]), "--samples", str(out["samples"]),
                        "--cnv-map", str(out["cnv"])]) == 0  # fmt: skip
    assert out["ploidy"].read_text().splitlines() == ["*\t*\t*\tM\t2", "*\t*\t*\tF\t2", "*\t*\t*\tU\t2"]
    assert out["cnv"].read_text() == ""
    assert "KID1\tF" in out["samples"].read_text().splitlines()
