"""wgs-east evaluate: real bcftools normalisation on tiny VCFs written by the tests (no mocks)."""

from __future__ import annotations

import gzip
import json
import random
import subprocess
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import pytest

from wgs_east.errors import InputError
from wgs_east.evaluate import apply_variants, evaluate, format_table, gt_counts, match_cluster

HOMOPOLYMER = 102  # 1-based first base of A x 8 (101 is G, 110 is C)
DINUC = 152  # 1-based first base of CA x 5 (151 is T, 162 is G)
OTHER = {"A": "C", "C": "G", "G": "T", "T": "A"}


class Genome:
    """A 300 bp random chr1 with a homopolymer and a dinucleotide repeat, plus VCF writers."""

    def __init__(self, root: Path) -> None:
        self.root = root
        rng = random.Random(7)
        rand = lambda n: "".join(rng.choice("ACGT") for _ in range(n))  # noqa: E731
        seq = rand(100) + "G" + "A" * 8 + "C" + rand(40) + "T" + "CA" * 5 + "G" + rand(138)
        assert len(seq) == 300 and seq[HOMOPOLYMER - 1 : HOMOPOLYMER + 7] == "A" * 8
        self.seq = seq
        self.fasta = root / "ref.fa"
        self.fasta.write_text(">chr1\n" + "\n".join(seq[i : i + 60] for i in range(0, 300, 60)) + "\n")

    def ref(self, pos: int, n: int = 1) -> str:
        return self.seq[pos - 1 : pos - 1 + n]

    def snv(self, pos: int) -> tuple[int, str, str]:
        return pos, self.ref(pos), OTHER[self.ref(pos)]

    def vcf(self, name: str, samples: Sequence[str], records: Sequence[tuple]) -> Path:
        """records: (pos, ref, alt, [GT per sample]) or (..., FILTER); written, bgzipped and indexed."""
        lines = [
            "##fileformat=VCFv4.2",
            "##contig=<ID=chr1,length=300>",
            '##FILTER=<ID=LowQual,Description="low quality">',
            '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
            "\t".join(["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT", *samples]),
        ]
        for rec in sorted(records, key=lambda r: r[0]):
            pos, ref, alt, gts = rec[:4]
            filt = rec[4] if len(rec) > 4 else "PASS"
            lines.append("\t".join(["chr1", str(pos), ".", ref, alt, "50", filt, ".", "GT", *gts]))
        path = self.root / name
        path.write_text("\n".join(lines) + "\n")
        subprocess.run(["bgzip", "-f", str(path)], check=True)
        subprocess.run(["tabix", "-f", "-p", "vcf", f"{path}.gz"], check=True)
        return Path(f"{path}.gz")

    def pair(self, truth: Sequence[tuple], query: Sequence[tuple], samples: Sequence[str] = ("S1",)) -> dict:
        t = self.vcf("truth.vcf", samples, truth)
        q = self.vcf("query.vcf", samples, query)
        return evaluate(t, q, self.fasta)


@pytest.fixture
def genome(tmp_path: Path) -> Genome:
    return Genome(tmp_path)


def het(v: tuple[int, str, str], gt: str = "0/1") -> tuple:
    return (*v, [gt])


# ----------------------------------------------------------------------------- whole runs


def test_identical_sets_give_f1_one(genome: Genome) -> None:
    records = [
        het(genome.snv(20)),
        het(genome.snv(40), "1/1"),
        het((101, "GA", "G")),  # homopolymer deletion
        het((200, genome.ref(200), genome.ref(200) + "TT"), "1|1"),  # insertion
    ]
    res = genome.pair(records, records)
    for vtype in ("SNV", "INDEL"):
        m = res["samples"]["S1"][vtype]
        assert (m["TP"], m["TP_query"], m["FP"], m["FN"]) == (2, 2, 0, 0)
        assert m["precision"] == m["recall"] == m["F1"] == m["gt_concordance"] == 1.0
        assert m["rescued"] == 0
    assert res["regions"] is None and res["truth"].endswith("truth.vcf.gz")


def test_one_false_positive_one_false_negative(genome: Genome) -> None:
    truth = [het(genome.snv(p)) for p in (20, 40, 60)]
    query = [het(genome.snv(p)) for p in (20, 40, 80)]
    m = genome.pair(truth, query)["samples"]["S1"]["SNV"]
    assert (m["TP"], m["FP"], m["FN"]) == (2, 1, 1)
    assert m["precision"] == pytest.approx(2 / 3) and m["recall"] == pytest.approx(2 / 3)
    assert m["F1"] == pytest.approx(2 / 3)
    assert genome.pair(truth, query)["samples"]["S1"]["INDEL"]["F1"] is None  # nothing to compare


def test_homopolymer_indel_not_left_aligned_matches_after_normalisation(genome: Genome) -> None:
    end = HOMOPOLYMER + 7  # last A of the homopolymer
    truth = [het((101, "GA", "G"))]
    query = [het((end - 1, "AA", "A"))]  # same deletion, written at the right end
    m = genome.pair(truth, query)["samples"]["S1"]["INDEL"]
    assert (m["TP"], m["FP"], m["FN"], m["rescued"]) == (1, 0, 0, 0)
    # and an insertion written in the middle of the homopolymer
    m = genome.pair([het((101, "G", "GA"))], [het((HOMOPOLYMER + 3, "A", "AA"))])["samples"]["S1"]["INDEL"]
    assert (m["TP"], m["FP"], m["FN"], m["rescued"]) == (1, 0, 0, 0)


def test_mnp_and_separate_snvs_match(genome: Genome) -> None:
    ref3 = genome.ref(40, 3)
    mnp = (40, ref3, OTHER[ref3[0]] + ref3[1] + OTHER[ref3[2]])
    truth = [het(mnp, "1/1")]
    query = [het(genome.snv(40), "1/1"), het(genome.snv(42), "1/1")]
    res = genome.pair(truth, query)["samples"]["S1"]
    assert (res["SNV"]["TP"], res["SNV"]["FP"], res["SNV"]["FN"]) == (2, 0, 0)
    assert res["SNV"]["gt_concordance"] == 1.0
    assert res["INDEL"]["TP"] == res["INDEL"]["FP"] == 0
    # the other way round
    res = genome.pair(query, truth)["samples"]["S1"]
    assert (res["SNV"]["TP"], res["SNV"]["FP"], res["SNV"]["FN"]) == (2, 0, 0)


def _dinuc_pair(genome: Genome) -> tuple[list[tuple], list[tuple]]:
    """T(CA)5G -> T(CA)4TGG: a CA deletion + TG insertion (truth) == CA>TG at the end (query)."""
    assert genome.ref(DINUC - 1, 12) == "T" + "CA" * 5 + "G"
    last_a = DINUC + 9
    truth = [(DINUC - 1, "TCA", "T"), (last_a, "A", "ATG")]
    query = [(last_a - 1, "C", "T"), (last_a, "A", "G")]
    return truth, query


def test_deletion_insertion_pair_rescued_as_equivalent_snvs(genome: Genome) -> None:
    truth, query = _dinuc_pair(genome)
    res = genome.pair([het(v) for v in truth], [het(v) for v in query])["samples"]["S1"]
    assert (res["INDEL"]["TP"], res["INDEL"]["FN"], res["INDEL"]["rescued"]) == (2, 0, 2)
    assert (res["SNV"]["TP_query"], res["SNV"]["FP"]) == (2, 0)
    assert res["SNV"]["precision"] == 1.0 and res["INDEL"]["recall"] == 1.0
    assert res["INDEL"]["gt_concordance"] == 1.0
    # same alleles, other genotype: still TP, but the genotype does not match
    res = genome.pair([het(v) for v in truth], [het(v, "1/1") for v in query])["samples"]["S1"]
    assert (res["INDEL"]["TP"], res["INDEL"]["FN"], res["SNV"]["FP"]) == (2, 0, 0)
    assert res["INDEL"]["gt_concordance"] == 0.0


def test_deletion_insertion_pair_vs_other_indel_decomposition(genome: Genome) -> None:
    """T(CA)5G -> TCA(CA)3TGG written as two different del+ins pairs (insertion first vs deletion first)."""
    truth, _ = _dinuc_pair(genome)
    # query: delete "CAG" at the end and insert "TGG" at the same anchor: T(CA)4 + CAG -> T(CA)4 + TGG
    last_c = DINUC + 8
    query = [(last_c - 1, "ACAG", "A"), (last_c - 1, "A", "ATGG")]
    seq_t = apply_variants(genome.ref(DINUC - 1, 14), DINUC - 1, truth)
    seq_q = apply_variants(genome.ref(DINUC - 1, 14), DINUC - 1, query)
    assert seq_t == seq_q
    res = genome.pair([het(v) for v in truth], [het(v) for v in query])["samples"]["S1"]["INDEL"]
    assert (res["TP"], res["TP_query"], res["FP"], res["FN"], res["rescued"]) == (2, 2, 0, 0, 2)
    assert res["gt_concordance"] == 1.0


def test_rescue_keeps_unrelated_neighbour_as_false_positive(genome: Genome) -> None:
    truth, query = _dinuc_pair(genome)
    extra = genome.snv(DINUC + 14)  # 4 bp after the repeat: same cluster, not in the truth
    res = genome.pair([het(v) for v in truth], [het(v) for v in [*query, extra]])["samples"]["S1"]
    assert (res["INDEL"]["TP"], res["INDEL"]["FN"]) == (2, 0)
    assert (res["SNV"]["TP_query"], res["SNV"]["FP"]) == (2, 1)


def test_non_equivalent_neighbours_are_not_rescued(genome: Genome) -> None:
    truth, query = _dinuc_pair(genome)
    wrong = [query[0], (query[1][0], "A", "C")]  # ...TC instead of ...TG
    res = genome.pair([het(v) for v in truth], [het(v) for v in wrong])["samples"]["S1"]
    assert (res["INDEL"]["TP"], res["INDEL"]["FN"]) == (0, 2)
    assert (res["SNV"]["TP_query"], res["SNV"]["FP"]) == (0, 2)


def test_genotype_mismatch_is_tp_with_lower_concordance(genome: Genome) -> None:
    truth = [het(genome.snv(20)), het(genome.snv(40)), het(genome.snv(60), "1"), het(genome.snv(80), "1")]
    query = [
        het(genome.snv(20)),
        het(genome.snv(40), "1/1"),
        het(genome.snv(60), "1"),
        het(genome.snv(80), "1/1"),
    ]
    m = genome.pair(truth, query)["samples"]["S1"]["SNV"]
    assert (m["TP"], m["FP"], m["FN"], m["gt_match"]) == (4, 0, 0, 2)
    assert m["gt_concordance"] == 0.5  # 0/1 vs 1/1 and haploid 1 vs 1/1 mismatch; 1 vs 1 matches


def test_filtered_query_records_are_not_calls(genome: Genome) -> None:
    truth = [het(genome.snv(20)), het(genome.snv(40))]
    query = [
        het(genome.snv(20)),
        (*genome.snv(40), ["0/1"], "LowQual"),
        (*genome.snv(80), ["0/1"], "LowQual"),
    ]
    m = genome.pair(truth, query)["samples"]["S1"]["SNV"]
    assert (m["TP"], m["FP"], m["FN"], m["query_filtered"]) == (1, 0, 1, 2)
    assert m["precision"] == 1.0 and m["recall"] == 0.5


def test_multiallelic_records_split_per_sample(genome: Genome) -> None:
    r60 = genome.ref(60)
    a, b = [x for x in "ACGT" if x != r60][:2]
    g101 = genome.ref(101, 2)  # "GA"
    truth = [
        (60, r60, f"{a},{b}", ["1/2", "0/1", "2/2"]),
        (101, g101, f"G,T{g101[1]}", ["1/2", "0/0", "0/2"]),  # deletion + SNV at one site
    ]
    query = [
        (60, r60, a, ["0/1", "0/1", "0/0"]),
        (60, r60, b, ["1/0", "0/0", "1/1"]),
        (101, g101, "G", ["0/1", "0/0", "0/0"]),
        (101, "G", "T", ["1/0", "0/0", "0/1"]),
    ]
    res = genome.pair(truth, query, samples=["S1", "S2", "S3"])["samples"]
    s1, s2, s3 = res["S1"], res["S2"], res["S3"]
    assert (s1["SNV"]["TP"], s1["SNV"]["FP"], s1["SNV"]["FN"], s1["SNV"]["gt_match"]) == (3, 0, 0, 3)
    assert (s1["INDEL"]["TP"], s1["INDEL"]["FP"], s1["INDEL"]["FN"]) == (1, 0, 0)
    assert (s2["SNV"]["TP"], s2["SNV"]["FP"], s2["SNV"]["FN"]) == (1, 0, 0)
    assert s2["INDEL"]["TP"] == s2["INDEL"]["FN"] == 0
    assert (s3["SNV"]["TP"], s3["SNV"]["FP"], s3["SNV"]["FN"], s3["SNV"]["gt_match"]) == (2, 0, 0, 2)


def test_regions_restrict_by_position_in_bed(genome: Genome, tmp_path: Path) -> None:
    records = [het(genome.snv(p)) for p in (20, 40, 60, 80)]
    t = genome.vcf("truth.vcf", ["S1"], records)
    q = genome.vcf("query.vcf", ["S1"], records[:2])
    bed = tmp_path / "confident.txt"  # not named .bed: still read as 0-based BED
    bed.write_text("# confident\nchr1\t19\t40\nchr1\t59\t60\n")
    res = evaluate(t, q, genome.fasta, regions=bed)
    m = res["samples"]["S1"]["SNV"]
    assert (m["TP"], m["FP"], m["FN"]) == (2, 0, 1)  # 20, 40 in; 60 in (missed); 80 out
    assert res["regions"] == str(bed)
    bed.write_text("chr1\t20\t40\n")  # 0-based start 20 = positions 21..40: 20 is out
    m = evaluate(t, q, genome.fasta, regions=bed)["samples"]["S1"]["SNV"]
    assert (m["TP"], m["FP"], m["FN"]) == (1, 0, 0)


def test_default_samples_are_the_shared_ones_and_selection_works(genome: Genome) -> None:
    t = genome.vcf("truth.vcf", ["A", "B", "C"], [(*genome.snv(20), ["0/1", "1/1", "0/1"])])
    q = genome.vcf("query.vcf", ["B", "A"], [(*genome.snv(20), ["0/1", "0/0"])])
    res = evaluate(t, q, genome.fasta)
    assert list(res["samples"]) == ["A", "B"]
    assert res["samples"]["A"]["SNV"]["FN"] == 1 and res["samples"]["B"]["SNV"]["TP"] == 1
    assert list(evaluate(t, q, genome.fasta, samples=["B"])["samples"]) == ["B"]


# ----------------------------------------------------------------------------- user errors


def test_missing_sample_is_an_input_error(genome: Genome) -> None:
    t = genome.vcf("truth.vcf", ["S1"], [het(genome.snv(20))])
    q = genome.vcf("query.vcf", ["S1"], [het(genome.snv(20))])
    with pytest.raises(InputError) as exc:
        evaluate(t, q, genome.fasta, samples=["S1", "NOPE"])
    assert "NOPE" in str(exc.value) and exc.value.source == str(t)
    q2 = genome.vcf("other.vcf", ["X"], [het(genome.snv(20))])
    with pytest.raises(InputError, match="no sample name in common"):
        evaluate(t, q2, genome.fasta)


def test_non_vcf_and_missing_files_are_input_errors(genome: Genome, tmp_path: Path) -> None:
    t = genome.vcf("truth.vcf", ["S1"], [het(genome.snv(20))])
    junk = tmp_path / "query.vcf"
    junk.write_text("this is not a VCF\n")
    with pytest.raises(InputError) as exc:
        evaluate(t, junk, genome.fasta)
    assert exc.value.source == str(junk) and "not a readable VCF" in str(exc.value)
    with pytest.raises(InputError, match="file not found"):
        evaluate(t, tmp_path / "absent.vcf.gz", genome.fasta)
    with pytest.raises(InputError, match="file not found"):
        evaluate(t, t, tmp_path / "absent.fa")
    with pytest.raises(InputError, match="file not found"):
        evaluate(t, t, genome.fasta, regions=tmp_path / "absent.bed")


def test_ref_mismatch_and_bad_bed_are_input_errors(genome: Genome, tmp_path: Path) -> None:
    t = genome.vcf("truth.vcf", ["S1"], [het(genome.snv(20))])
    bad_ref = OTHER[genome.ref(40)]
    q = genome.vcf("query.vcf", ["S1"], [het((40, bad_ref, OTHER[bad_ref]))])
    with pytest.raises(InputError) as exc:
        evaluate(t, q, genome.fasta)
    assert exc.value.source == str(q) and "mismatch" in str(exc.value)
    bed = tmp_path / "r.bed"
    bed.write_text("chr1\tten\t40\n")
    with pytest.raises(InputError, match="line 1"):
        evaluate(t, t, genome.fasta, regions=bed)


def test_reference_index_is_not_written_next_to_the_input(genome: Genome) -> None:
    records = [het(genome.snv(20))]
    genome.pair(records, records)
    assert not Path(f"{genome.fasta}.fai").exists()


# ----------------------------------------------------------------------------- CLI


def test_cli_prints_table_and_writes_json(genome: Genome, tmp_path: Path, run_cli) -> None:
    t = genome.vcf("truth.vcf", ["S1"], [het(genome.snv(20)), het(genome.snv(40))])
    q = genome.vcf("query.vcf", ["S1"], [het(genome.snv(20))])
    out = tmp_path / "m.json"
    code, stdout, stderr = run_cli(
        "evaluate", "--truth", t, "--query", q, "--reference", genome.fasta, "--json", out
    )
    assert code == 0, stderr
    row = next(line.split() for line in stdout.splitlines() if line.startswith("S1") and "SNV" in line)
    assert row[:5] == ["S1", "SNV", "1", "0", "1"] and row[7] == "0.6667"
    data = json.loads(out.read_text())
    assert data["samples"]["S1"]["SNV"]["recall"] == 0.5
    assert data == json.loads(json.dumps(evaluate(t, q, genome.fasta)))
    assert set(data) >= {"samples", "truth", "query", "regions"}


def test_cli_user_error_is_one_message_exit_2(genome: Genome, run_cli) -> None:
    t = genome.vcf("truth.vcf", ["S1"], [het(genome.snv(20))])
    code, _, stderr = run_cli(
        "evaluate", "--truth", t, "--query", t, "--reference", genome.fasta, "--sample", "S9"
    )
    assert code == 2 and "S9" in stderr and "Traceback" not in stderr


# ----------------------------------------------------------------------------- pure helpers


def test_gt_counts_are_unphased_allele_counts() -> None:
    ploidy, copies = gt_counts(pd.Series(["0/1", "1|0", "1/1", "1", "./1", "./.", "0", "1/."]))
    assert ploidy.tolist() == [2, 2, 2, 1, 2, 2, 1, 2]
    assert copies.tolist() == [1, 1, 2, 1, 1, 0, 0, 1]


def test_apply_variants_builds_haplotypes_and_rejects_overlaps() -> None:
    ref = "GAAAAC"  # positions 10..15
    assert apply_variants(ref, 10, [(10, "GA", "G")]) == "GAAAC"
    assert apply_variants(ref, 10, [(10, "G", "T"), (10, "GA", "G")]) == "TAAAC"  # SNV + anchored deletion
    assert apply_variants(ref, 10, [(11, "A", "C"), (10, "GA", "G")]) is None  # deleted base changed
    assert apply_variants(ref, 10, [(12, "A", "AT"), (12, "A", "AG")]) is None  # two insertions, one point
    assert format_table({"samples": {}}).startswith("sample")


def test_match_cluster_genotype_awareness() -> None:
    from wgs_east.evaluate import _Var

    ref = "TCACACACACAG"  # positions 1..12
    truth = [_Var(1, "TCA", "T", 2, 1), _Var(11, "A", "ATG", 2, 1)]
    query_het = [_Var(10, "C", "T", 2, 1), _Var(11, "A", "G", 2, 1)]
    query_split = [_Var(10, "C", "T", 2, 1), _Var(11, "A", "G", 2, 2)]  # other genotypes
    assert match_cluster(ref, 1, truth, query_het) == (0b11, 0b11, True)
    assert match_cluster(ref, 1, truth, query_split) == (0b11, 0b11, False)


def test_empty_query_and_gzip_reference(genome: Genome, tmp_path: Path) -> None:
    t = genome.vcf("truth.vcf", ["S1"], [het(genome.snv(20)), het((101, "GA", "G"))])
    q = genome.vcf("query.vcf", ["S1"], [])
    res = evaluate(t, q, genome.fasta)["samples"]["S1"]
    assert (res["SNV"]["TP"], res["SNV"]["FN"], res["SNV"]["precision"], res["SNV"]["F1"]) == (
        0,
        1,
        None,
        0.0,
    )
    plain_gz = tmp_path / "ref.fa.gz"
    plain_gz.write_bytes(gzip.compress(genome.fasta.read_bytes()))
    with pytest.raises(InputError, match="bgzip"):
        evaluate(t, q, plain_gz)
