"""Classification stage, unit level: genotypes, parentage from QC, inheritance patterns, streamed phase
evidence (equal to acmg.family on one chunk), the VCF reader's alignment and multi-allelic records."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pysam
import pytest

from wgs_east.acmg.codes import MODERATE, STRONG, SUPPORTING
from wgs_east.acmg.combine import LIKELY_PATHOGENIC, PATHOGENIC, UNCERTAIN
from wgs_east.acmg.engine import SITE_CRITERIA, classify_frame, combine_strengths
from wgs_east.acmg.family import MATERNAL, PATERNAL, UNKNOWN, classify_family, phase_criteria
from wgs_east.acmg.settings import AcmgSettings
from wgs_east.acmg.synthetic import variant_frame
from wgs_east.classify import inheritance
from wgs_east.classify.genotypes import parse_genotypes, parse_one, zygosity
from wgs_east.classify.pedigree import Proband, QcStatus, probands, qc_status
from wgs_east.classify.phase import GeneTotals, plp_level
from wgs_east.classify.reader import read_chunks
from wgs_east.classify.sample import Chunk, Context, ProbandClassifier
from wgs_east.config.models import Batch
from wgs_east.errors import InputError

# --- helpers shared with test_classify_outputs.py -----------------------------------------------------

UNIT = [{"id": "L1", "fastq1": "/nonexistent/r1.fq.gz", "fastq2": "/nonexistent/r2.fq.gz", "library": "LIB"}]


def trio_batch(**extra: Any) -> Batch:
    """DAD, MUM, KID (affected daughter) in FAM1; SOLO (affected male) in FAM2."""
    return Batch.model_validate(
        {
            "batch": "T1",
            "reference": {"fasta": "/nonexistent/genome.fa", "par_regions": []},
            "samples": [
                {"id": "DAD", "sex": "male", "family": "FAM1", "units": UNIT},
                {"id": "MUM", "sex": "female", "family": "FAM1", "units": UNIT},
                {"id": "KID", "sex": "female", "family": "FAM1", "father": "DAD", "mother": "MUM",
                 "affected": True, "phenotypes": ["HP:0001250"], "units": UNIT},
                {"id": "SOLO", "sex": "male", "family": "FAM2", "affected": True, "units": UNIT},
            ],
            **extra,
        }
    )  # fmt: skip


SAMPLES = ["DAD", "MUM", "KID", "SOLO"]


def _info_value(value: Any) -> str | None:
    """An engine value as the annotation writes it in INFO (None: field absent)."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value == "":
        return None
    if isinstance(value, bool | np.bool_):
        return "" if value else None
    text = str(value)
    for char, code in (("%", "%25"), ("=", "%3D"), (";", "%3B"), (",", "%2C")):
        text = text.replace(char, code)
    return text


def _info(site: dict[str, Any]) -> str:
    """INFO of one record in the annotation's format (``wgs_east.annotate.fields``), from engine values."""
    from wgs_east.acmg.synthetic import DEFAULT_ROW
    from wgs_east.annotate.fields import FIELDS

    row = {**DEFAULT_ROW, **site}
    parts = []
    for f in FIELDS:
        if not f.column or f.column not in row:
            continue
        value = row[f.column]
        if f.column in ("pop_an", "pop_nhom", "pop_nhemi", "popmax_an") and value == -1:
            continue  # absent from the population resource
        text = _info_value(value)
        if text is None:
            continue
        parts.append(f.id if f.type == "Flag" else f"{f.id}={text}")
    return ";".join(parts) or "."


def write_vcf(path: Path, rows: list[dict[str, Any]], samples: list[str] = SAMPLES, annotated: bool = True) -> Path:
    """A bgzipped, indexed VCF: each row has chrom, pos, ref, alt (may hold commas), gts (list), dp and
    ``site`` (engine values over acmg.synthetic.DEFAULT_ROW, written as the annotation's INFO fields)."""
    from wgs_east.annotate.fields import FIELDS, header_line

    lines = ["##fileformat=VCFv4.2", '##FILTER=<ID=PASS,Description="All filters passed">',
             '##FILTER=<ID=LowQual,Description="QUAL below 20">',
             "##contig=<ID=chr1,length=100000>", "##contig=<ID=chrX,length=100000>",
             "##contig=<ID=chrM,length=16569>"]  # fmt: skip
    if annotated:
        lines += [header_line(f) for f in FIELDS]
    lines += ['##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
              '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Depth">']  # fmt: skip
    extra = [f for f in ("gq", "ad", "ft") if any(f in r for r in rows)]  # genotype-quality fields, per sample
    header = {"gq": '##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="Genotype quality">',
              "ad": '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">',
              "ft": '##FORMAT=<ID=FT,Number=1,Type=String,Description="Genotype filter">'}  # fmt: skip
    lines += [header[f] for f in extra]
    lines.append("\t".join(["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT", *samples]))
    for r in rows:
        dp = r.get("dp", 30)
        info = _info(r.get("site", {})) if annotated and "," not in r["alt"] else "."
        fmt = ":".join(["GT", "DP", *(f.upper() for f in extra)])
        fields = [r["chrom"], str(r["pos"]), ".", r["ref"], r["alt"], "50", r.get("filter", "PASS"), info, fmt]
        dps = dp if isinstance(dp, list) else [dp] * len(r["gts"])
        for i, g in enumerate(r["gts"]):
            values = [g, str(dps[i])] + [str(r[f][i]) if f in r else "." for f in extra]
            fields.append(":".join(values))
        lines.append("\t".join(fields))
    plain = path.with_suffix("")
    plain.write_text("\n".join(lines) + "\n")
    pysam.tabix_index(str(plain), preset="vcf", force=True)
    return path


def sites_reader_for(rows: list[dict[str, Any]], chunk: int = 2):
    """A stand-in for the annotation's read_annotated: engine rows (synthetic defaults + each row's
    ``site`` overrides), one row per ALT allele, in chunks of ``chunk`` rows."""
    exploded = []
    for r in rows:
        for alt in r["alt"].split(","):
            exploded.append({"chrom": r["chrom"], "pos": r["pos"], "ref": r["ref"], "alt": alt, **r.get("site", {})})
    frame = variant_frame(*exploded)

    def read(path: Path, region: str | None = None):
        for start in range(0, len(frame), chunk):
            yield frame.iloc[start : start + chunk].reset_index(drop=True)

    return read


def proband(sample: str = "KID", *, father: str | None = "DAD", mother: str | None = "MUM", male: bool = False,
            confirmed: bool = True, father_affected: bool = False, mother_affected: bool = False) -> Proband:  # fmt: skip
    return Proband(
        sample=sample, family="FAM1", sex="male" if male else "female", father=father, mother=mother,
        father_affected=father_affected, mother_affected=mother_affected, phenotypes=(),
        qc=QcStatus("PASS", (), confirmed, "parentage confirmed by QC relatedness" if confirmed else "not confirmed"),
    )  # fmt: skip


# --- genotypes ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("gt", "allele", "expected"),
    [
        ("0/1", 1, (1, 2, False)), ("1|0", 1, (1, 2, True)), ("1/1", 1, (2, 2, False)), ("0/0", 1, (0, 2, False)),
        ("1", 1, (1, 1, False)), ("0", 1, (0, 1, False)), ("./.", 1, (-1, 2, False)), (".", 1, (-1, 0, False)),
        ("0/.", 1, (-1, 2, False)), ("1/2", 1, (1, 2, False)), ("1/2", 2, (1, 2, False)), ("2/2", 1, (0, 2, False)),
        ("", 1, (-1, 0, False)),
    ],
)  # fmt: skip
def test_parse_one(gt, allele, expected):
    assert parse_one(gt, allele) == expected


def test_parse_genotypes_vectorised_and_per_allele():
    copies, ploidy = parse_genotypes(np.array(["0/1", "1", "./.", "1/2", "1/2"], dtype=object), np.array([1, 1, 1, 1, 2]))
    assert copies.tolist() == [1, 1, -1, 1, 1]
    assert ploidy.tolist() == [2, 1, 2, 2, 2]
    assert zygosity(copies, ploidy).tolist() == ["het", "hemi", "missing", "het", "het"]
    assert zygosity(np.array([2, 0]), np.array([2, 2])).tolist() == ["hom", "ref"]


# --- parentage from QC -------------------------------------------------------------------------------


def _qc(status_dad: str = "PASS", status_mum: str = "PASS", verdict: str = "PASS") -> dict[str, Any]:
    pair = {"expected_relationship": "parent-child", "kinship": 0.25, "message": "m"}
    return {
        "verdicts": {"KID": verdict, "DAD": "PASS", "MUM": "PASS"},
        "samples": [{"sample": "KID", "reasons": [{"level": "FAIL", "check": "coverage", "message": "median depth 9 < 20"}]
                     if verdict == "FAIL" else []}],
        "pairs": [
            {"sample_a": "DAD", "sample_b": "KID", "status": status_dad, **pair},
            {"sample_a": "KID", "sample_b": "MUM", "status": status_mum, **pair},
        ],
    }  # fmt: skip


def test_parentage_confirmed_only_by_passing_parent_child_pairs():
    ok = qc_status(_qc(), "KID", "DAD", "MUM")
    assert ok.parentage_confirmed and "confirmed by QC relatedness" in ok.parentage_note
    assert ok.kinship == {"DAD": 0.25, "MUM": 0.25}
    bad = qc_status(_qc(status_mum="FAIL"), "KID", "DAD", "MUM")
    assert not bad.parentage_confirmed and "mother MUM: FAIL" in bad.parentage_note
    assert not qc_status(_qc(status_dad="WARN"), "KID", "DAD", "MUM").parentage_confirmed
    absent = qc_status(None, "KID", "DAD", "MUM")
    assert absent.verdict == "NOT_AVAILABLE" and not absent.parentage_confirmed
    assert "no QC relatedness result" in absent.parentage_note
    one_parent = qc_status(_qc(), "KID", "DAD", None)
    assert not one_parent.parentage_confirmed and "mother not sequenced" in one_parent.parentage_note


def test_failed_sample_keeps_its_verdict_and_reasons():
    st = qc_status(_qc(verdict="FAIL"), "KID", "DAD", "MUM")
    assert st.verdict == "FAIL" and st.reasons == ("FAIL coverage: median depth 9 < 20",)
    assert st.parentage_confirmed  # the verdict does not touch the relatedness result


def test_probands_are_affected_samples_with_parents_in_the_vcf():
    batch = trio_batch()
    ps = probands(batch, SAMPLES, None)
    assert [p.sample for p in ps] == ["KID", "SOLO"]
    assert (ps[0].father, ps[0].mother, ps[1].father) == ("DAD", "MUM", None)
    partial = probands(batch, ["KID", "MUM", "SOLO"], None)[0]
    assert partial.father is None and partial.missing_parents == ("DAD",)
    with pytest.raises(InputError, match="not affected"):
        probands(batch, SAMPLES, None, only=["DAD"])
    with pytest.raises(InputError, match="affected sample is not in the VCF"):
        probands(batch, ["DAD", "MUM", "KID"], None)


# --- inheritance patterns ----------------------------------------------------------------------------


def _modes(*moi: str) -> inheritance.Modes:
    return inheritance.mode_flags(pd.Series([f"G{i}" for i in range(len(moi))]), pd.Series(list(moi)), AcmgSettings())


def test_mode_flags_and_settings_override():
    m = _modes("AD", "AR", "XLR", "XL", "", "AD|AR")
    assert m.known.tolist() == [True, True, True, True, False, True]
    assert m.recessive.tolist() == [False, True, False, False, False, True]
    assert m.xlr.tolist() == [False, False, True, True, False, False]
    assert m.xld.tolist() == [False, False, False, True, False, False]
    s = AcmgSettings(genes={"G0": {"moi": "AR"}})
    over = inheritance.mode_flags(pd.Series(["G0"]), pd.Series(["AD"]), s)
    assert over.recessive.tolist() == [True] and over.ad.tolist() == [False]


def test_pattern_fits_gene_modes():
    m = _modes("AD", "AR", "XLR", "")
    auto = np.array([False, False, False, False])
    x = np.array([False, False, True, False])
    pats = {"de_novo": np.array([True, True, False, True]), "homozygous": np.array([False, True, False, False]),
            "x_linked_hemizygous": np.array([False, False, True, False])}  # fmt: skip
    label, match, cand = inheritance.summarise(pats, m, x, male=True)
    assert label.tolist() == ["de_novo", "homozygous", "x_linked_hemizygous", "de_novo"]  # fitting patterns only
    assert match.tolist() == ["yes", "yes", "yes", "unknown"]  # AR fits homozygous; unknown MOI stays a candidate
    assert cand.tolist() == [True, True, True, True]
    label, match, cand = inheritance.summarise({"de_novo": np.array([False, True, False, False])}, m, auto, male=False)
    assert match.tolist() == ["", "no", "", ""] and cand.tolist() == [False] * 4  # de novo does not fit AR-only
    fits = inheritance.pattern_fits("de_novo", _modes("XLR", "XLR"), np.array([True, True]), male=False)
    assert fits.tolist() == [False, False]  # a het de novo in an XLR gene does not explain a girl's disease
    assert inheritance.pattern_fits("de_novo", _modes("XLR"), np.array([True]), male=True).tolist() == [True]


def test_single_call_patterns():
    pats = inheritance.single_call_patterns(
        qual=np.array([True, True, True, True, True, False]),
        copies=np.array([1, 2, 1, 1, 1, 2]), ploidy=np.array([2, 2, 1, 2, 2, 2]),
        on_x=np.array([False, False, True, False, False, False]), male=True,
        de_novo=np.array([True, False, True, False, False, False]),
        father_copies=np.array([0, 1, 0, 1, 0, 1]), mother_copies=np.array([0, 1, 0, 0, 1, 1]),
        father_affected=True, mother_affected=False,
    )  # fmt: skip
    assert pats["de_novo"].tolist() == [True, False, True, False, False, False]
    assert pats["homozygous"].tolist() == [False, True, False, False, False, False]  # not qualifying: no pattern
    assert pats["x_linked_hemizygous"].tolist() == [False, False, True, False, False, False]
    assert pats["dominant_inherited"].tolist() == [False, False, False, True, False, False]  # from the affected father


def test_qualifying_needs_gene_pass_rare_and_at_least_vus():
    q = inheritance.qualifying(
        np.array([True, False, True, True, True]), np.array([True, True, False, True, True]),
        np.array([False, False, False, True, False]), np.array([UNCERTAIN, PATHOGENIC, PATHOGENIC, UNCERTAIN, 1]),
    )
    assert q.tolist() == [True, False, False, False, False]


# --- streamed phase evidence == acmg.family ----------------------------------------------------------


def test_gene_totals_phase_equals_family_phase_criteria():
    rng = np.random.default_rng(7)
    n = 400
    genes = rng.choice(np.array(["A", "B", "C", "D"], dtype=object), n)
    origin = rng.choice([UNKNOWN, PATERNAL, MATERNAL], n)
    own = rng.choice([0, 1, 2, 3, 4], n, p=[0.3, 0.2, 0.3, 0.1, 0.1])
    recessive = np.isin(genes, ["A", "B"])
    dominant_only = np.isin(genes, ["C"])
    group = pd.factorize(genes)[0]
    pm3_ref, bp2_ref = phase_criteria(group, origin, own, recessive, dominant_only)
    totals = GeneTotals()
    labels = np.array([f"v{i}" for i in range(n)], dtype=object)
    level = plp_level(own)
    for start in range(0, n, 37):  # added chunk by chunk, as the stream does
        sl = slice(start, start + 37)
        totals.add(genes[sl], origin[sl], level[sl], np.zeros(37, bool)[: len(genes[sl])], labels[sl])
    ph = totals.phase(genes, origin, level, np.zeros(n, bool), labels, recessive, dominant_only,
                      pm3_pathogenic=MODERATE, pm3_likely_pathogenic=SUPPORTING, bp2_strength=SUPPORTING)  # fmt: skip
    assert np.array_equal(ph.pm3, pm3_ref) and np.array_equal(ph.bp2, bp2_ref)
    assert (ph.trans_partner[ph.pm3 > 0] != "").all()


def test_compound_heterozygous_phased_unphased_and_cis():
    totals = GeneTotals()
    genes = np.array(["G", "G", "H", "H", "K", "K"], dtype=object)
    origin = np.array([PATERNAL, MATERNAL, PATERNAL, PATERNAL, UNKNOWN, PATERNAL])
    q = np.ones(6, dtype=bool)
    labels = np.array(["g1", "g2", "h1", "h2", "k1", "k2"], dtype=object)
    totals.add(genes, origin, np.zeros(6, np.int8), q, labels)
    ph = totals.phase(genes, origin, np.zeros(6, np.int8), q, labels, np.ones(6, bool), np.zeros(6, bool),
                      pm3_pathogenic=MODERATE, pm3_likely_pathogenic=SUPPORTING, bp2_strength=SUPPORTING)  # fmt: skip
    assert ph.comphet.tolist() == [True, True, False, False, False, False]
    assert ph.comphet_unphased.tolist() == [False, False, False, False, True, True]  # phase unknown: flagged
    assert ph.partners.tolist() == ["g2", "g1", "", "", "k2", "k1"]  # H: both paternal = in cis, no candidate


def _stream(clf, variants: pd.DataFrame, gts: dict, dp: dict, settings: AcmgSettings) -> pd.DataFrame:
    """Feed the classifier the trio in chunks of 41 sites (as the streaming reader does), return its rows."""
    for start in range(0, len(variants), 41):
        sl = slice(start, start + 41)
        sites = variants.iloc[sl].reset_index(drop=True)
        chunk = Chunk(sites, np.full(len(sites), "PASS", dtype=object), {s: g[sl] for s, g in gts.items()},
                      {s: d[sl] for s, d in dp.items()})  # fmt: skip
        clf.add(chunk, classify_frame(sites, settings, trail="none"))
    return pd.concat(list(clf.results()), ignore_index=True)


def _random_trio(n: int, seed: int) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    rng = np.random.default_rng(seed)
    csq = rng.choice(["missense", "stop_gained", "frameshift", "synonymous", "intron", "inframe_deletion"], n,
                     p=[0.4, 0.15, 0.1, 0.15, 0.1, 0.1])  # fmt: skip
    gene = rng.choice(["RA", "RB", "DA", "DB", "XX", ""], n, p=[0.2, 0.2, 0.2, 0.15, 0.15, 0.1])  # "": intergenic
    moi = pd.Series(gene).map({"RA": "AR", "RB": "AR", "DA": "AD", "DB": "AD|AR", "XX": "", "": ""}).to_numpy()
    gene = np.where(gene == "", None, gene)
    af = np.where(rng.random(n) < 0.5, np.nan, 10 ** rng.uniform(-6, -0.5, n))
    rows = [
        {"chrom": "chr1", "pos": 1000 + 10 * i, "gene": gene[i], "gene_moi": moi[i], "consequence": csq[i],
         "revel": float(rng.random()), "spliceai": 0.0, "pop_af": af[i], "pop_an": -1 if np.isnan(af[i]) else 150000,
         "hgvs_c": f"c.{i + 1}A>G"}
        for i in range(n)
    ]  # fmt: skip
    # planted: a de novo missense with PS1 (ClinVar P, same amino-acid change) and BP4_Strong (REVEL 0.001;
    # capped at Strong, Pejaver 2022): points 4 (PS1) + 1 (PM2_Supporting) - 4 (BP4_Strong) + PS2_Moderate 2 or
    # PM6_Supporting 1 (SVI de novo v1.1, default phenotype row) -> Uncertain by points, Likely pathogenic by the
    # 2015 rules: listed (P/LP by either)
    rows[-2] |= {"gene": "DA", "gene_moi": "AD", "consequence": "missense", "revel": 0.001, "pop_af": np.nan,
                 "pop_an": -1, "clinvar_same_aa_stars": 2}  # fmt: skip
    gts = {
        "KID": rng.choice(["0/1", "0/1", "1/1", "0/0"], n),
        "DAD": rng.choice(["0/0", "0/1", "0/0", "1/1", "./."], n),
        "MUM": rng.choice(["0/0", "0/1", "0/0", "1/1"], n),
    }
    for g in gts.values():
        g[-2] = "0/0"
    gts["KID"][-2] = "0/1"
    return variant_frame(*rows), gts


@pytest.mark.parametrize("male", [False, True])
def test_streamed_phase_on_the_x_equals_classify_family(male):
    """PM3/BP2 on the X (issue 24 item 2): X-linked recessive genes act through both alleles in a female,
    a male's X calls are one haplotype (all in cis, none in trans); the streaming classifier and
    classify_family (with its ``male`` column) agree on every spooled call."""
    variants, gts = _random_trio(300, seed=21)
    variants["chrom"] = "chrX"
    xl = variants["gene"].isin(["DA", "DB"]).to_numpy()  # these genes become X-linked recessive
    variants.loc[xl, "gene_moi"] = "XLR"
    n = len(variants)
    if male:  # a male's X genotypes are haploid
        gts["KID"] = np.where(gts["KID"] == "0/1", "1", np.where(gts["KID"] == "1/1", "1", "0")).astype(object)
    dp = {s: np.full(n, 30) for s in gts}
    settings = AcmgSettings()
    clf = ProbandClassifier(proband(male=male), settings, Context("chrX"))
    try:
        got = _stream(clf, variants, gts, dp, settings)
    finally:
        clf.close()
    kid, _ = parse_genotypes(gts["KID"])
    dad, _ = parse_genotypes(gts["DAD"])
    mum, _ = parse_genotypes(gts["MUM"])
    rows = np.flatnonzero(kid >= 1)
    calls = pd.DataFrame({"sample": "KID", "row": rows, "proband_ac": kid[rows], "father_ac": dad[rows],
                          "mother_ac": mum[rows], "father_dp": 30, "mother_dp": 30, "proband_dp": 30,
                          "parentage_confirmed": True, "male": male})  # fmt: skip
    ref = classify_family(variants, classify_frame(variants, settings), calls, settings)
    ref.index = variants["pos"].to_numpy()[rows]
    mine = got.set_index("pos")
    assert len(mine) > 50
    for c in ("PM3", "BP2", "acmg_class"):
        assert mine[c].astype(str).tolist() == ref.loc[mine.index, c].astype(str).tolist(), c
    xlr = mine["gene_moi"].astype(str).eq("XLR").to_numpy()
    if male:  # never in trans on a single X; BP2 in cis where another P/LP call of the gene exists
        assert not (mine["PM3"].to_numpy() > 0).any() and (mine["BP2"].to_numpy() > 0).any()
    else:
        assert (mine["PM3"].to_numpy()[xlr] > 0).any()


@pytest.mark.parametrize(("confirmed", "memory_rows"), [(True, 250_000), (False, 250_000), (True, 0), (False, 60)])
def test_streamed_classification_equals_classify_family(confirmed, memory_rows):
    """Spooled calls in memory, on disk (memory_rows 0) or both (60: the first chunks in memory, the later ones on disk)."""
    variants, gts = _random_trio(300, seed=11 if confirmed else 12)
    n = len(variants)
    dp = {"KID": np.full(n, 30), "DAD": np.where(np.arange(n) % 9 == 0, 5, 30), "MUM": np.full(n, 30)}
    settings = AcmgSettings()
    clf = ProbandClassifier(proband(confirmed=confirmed), settings, Context("chrX"), memory_rows=memory_rows)
    try:
        got = _stream(clf, variants, gts, dp, settings)
        spooled = clf._spool
        on_disk = [isinstance(x, Path) for x in spooled]
        assert all(on_disk) if memory_rows == 0 else not on_disk[0]
        if memory_rows == 60:
            assert any(on_disk)
        again = pd.concat(list(clf.results()), ignore_index=True)  # pass 2 left the spool as it was
        pd.testing.assert_frame_equal(got, again)
    finally:
        clf.close()
    kid, _ = parse_genotypes(gts["KID"])
    dad, _ = parse_genotypes(gts["DAD"])
    mum, _ = parse_genotypes(gts["MUM"])
    rows = np.flatnonzero(kid >= 1)
    calls = pd.DataFrame({"sample": "KID", "row": rows, "proband_ac": kid[rows], "father_ac": dad[rows],
                          "mother_ac": mum[rows], "father_dp": dp["DAD"][rows], "mother_dp": 30, "proband_dp": 30,
                          "parentage_confirmed": confirmed})  # fmt: skip
    ref = classify_family(variants, classify_frame(variants, settings), calls, settings)
    ref["pos"] = variants["pos"].to_numpy()[rows]
    # pass-1 classes of every carried call (site evidence + PS2/PM6), BA1 calls included: they are only
    # counted (Benign by points), never spooled
    site = classify_frame(variants, settings, trail="none").iloc[rows]
    strengths = {c: site[c].to_numpy() for c in SITE_CRITERIA} | {c: ref[c].to_numpy() for c in ("PS2", "PM6")}
    codes_before = combine_strengths(strengths, pd.RangeIndex(len(rows)))["acmg_class"].cat.codes.to_numpy()
    assert clf.classes_before_phase.tolist() == np.bincount(codes_before, minlength=5).tolist()
    ba1 = strengths["BA1"] > 0
    assert ba1.sum() > 10 and (ba1 & ((ref["PS2"] > 0) | (ref["PM6"] > 0)).to_numpy()).any()
    assert not set(ref["pos"][ba1]) & set(got["pos"])
    # pass 2 sees the spooled calls: every call that can be listed is among them (P/LP by either rule set,
    # or Uncertain or better in a gene; candidates are in a gene and Uncertain or better)
    codes, codes_2015 = ref["acmg_class"].cat.codes.to_numpy(), ref["acmg_class_2015"].cat.codes.to_numpy()
    in_gene = variants["gene"].notna().to_numpy()[rows]
    listable = (codes >= LIKELY_PATHOGENIC) | (codes_2015 >= LIKELY_PATHOGENIC) | (in_gene & (codes >= UNCERTAIN))
    assert set(ref["pos"][listable]) <= set(got["pos"]) and len(got) < len(ref)
    assert not (set(ref["pos"][~in_gene & ~listable]) & set(got["pos"]))  # final outside a gene: not spooled
    planted = ref[ref["pos"] == variants["pos"].iat[-2]].iloc[0]
    assert planted["acmg_class_2015"] in ("Likely pathogenic", "Pathogenic") and planted["acmg_conflict"]
    assert planted["acmg_class"] == "Uncertain significance"
    assert planted["pos"] in set(got["pos"])
    ref = ref.set_index("pos").loc[got["pos"].to_numpy()].reset_index()
    for col in ("PS2", "PM6", "PM3", "BP2", "acmg_points"):
        assert got[col].tolist() == ref[col].tolist(), col
    for col in ("acmg_codes", "acmg_class", "acmg_class_2015"):
        assert got[col].astype(str).tolist() == ref[col].astype(str).tolist(), col
    assert (got["PM3"] > 0).any() and ((got["PS2"] > 0).any() if confirmed else (got["PM6"] > 0).any())
    assert clf.n_calls == len(rows) and clf.classes_before_phase.sum() == len(rows)


# --- reader ------------------------------------------------------------------------------------------


def test_reader_joins_genotypes_and_explodes_multiallelic_records(tmp_path):
    rows = [
        {"chrom": "chr1", "pos": 100, "ref": "C", "alt": "T", "gts": ["0/0", "0/1", "0/1", "./."]},
        {"chrom": "chr1", "pos": 200, "ref": "A", "alt": "G,T", "gts": ["0/1", "0/2", "1/2", "2/2"]},
        {"chrom": "chrX", "pos": 300, "ref": "G", "alt": "A", "gts": ["1", "0/1", "0/1", "1"], "filter": "LowQual"},
    ]
    vcf = write_vcf(tmp_path / "in.vcf.gz", rows)
    chunks = list(read_chunks(vcf, ["KID", "SOLO"], sites_reader=sites_reader_for(rows, chunk=3)))
    assert [len(c.sites) for c in chunks] == [3, 1]
    first = chunks[0]
    assert first.gt["KID"].tolist() == ["0/1", "1/2", "1/2"] and first.dp["KID"].tolist() == [30, 30, 30]
    assert np.asarray(first.allele).tolist() == [1, 1, 2]
    copies, _ = parse_genotypes(first.gt["SOLO"], first.allele)
    assert copies.tolist() == [-1, 0, 2]  # SOLO 2/2: no copy of G, two of T
    assert chunks[1].filters.tolist() == ["LowQual"]


def test_reader_refuses_a_shifted_annotation(tmp_path):
    rows = [
        {"chrom": "chr1", "pos": 100, "ref": "C", "alt": "T", "gts": ["0/0"] * 4},
        {"chrom": "chr1", "pos": 200, "ref": "A", "alt": "G", "gts": ["0/0"] * 4},
    ]
    vcf = write_vcf(tmp_path / "in.vcf.gz", rows)
    shifted = sites_reader_for([rows[1], rows[0]], chunk=2)
    with pytest.raises(InputError, match="differs between the annotation"):
        list(read_chunks(vcf, ["KID"], sites_reader=shifted))
    short = sites_reader_for(rows[:1])
    with pytest.raises(InputError, match="fewer rows"):
        list(read_chunks(vcf, ["KID"], sites_reader=short))


def test_proband_classifier_hemizygous_and_likely_pathogenic_partner(tmp_path):
    settings = AcmgSettings()
    sites = variant_frame(
        {"chrom": "chrX", "pos": 10, "gene": "XL1", "gene_moi": "XLR", "consequence": "splice_donor"},
        {"chrom": "chr1", "pos": 20, "gene": "AR1", "gene_moi": "AR", "consequence": "frameshift",
         "pop_af": 8e-5, "pop_an": 150000},
        {"chrom": "chr1", "pos": 30, "gene": "AR1", "gene_moi": "AR", "consequence": "missense", "revel": 0.5},
    )  # fmt: skip
    gts = {"SOLO": np.array(["1", "0/1", "0/1"], dtype=object)}
    clf = ProbandClassifier(proband("SOLO", father=None, mother=None, male=True, confirmed=False), settings,
                            Context("chrX"))  # fmt: skip
    try:
        clf.add(Chunk(sites, np.array(["PASS"] * 3, dtype=object), gts, {}), classify_frame(sites, trail="none"))
        out = pd.concat(list(clf.results()), ignore_index=True)
    finally:
        clf.close()
    assert out["inheritance"].tolist() == ["x_linked_hemizygous", "compound_heterozygous_unphased",
                                           "compound_heterozygous_unphased"]  # fmt: skip
    assert out["zygosity"].tolist() == ["hemi", "het", "het"]
    assert out["acmg_class"].astype(str).tolist()[0] == "Likely pathogenic"
    assert out["PM3"].tolist() == [0, 0, 0]  # no parents: no phase, no PM3
    assert out["reported"].all()


def test_combined_reader_equals_the_annotation_reader(tmp_path):
    """One bcftools query for sites + genotypes gives the same engine columns as read_annotated (the
    display-only ones once unpacked)."""
    from wgs_east.acmg.inputs import REQUIRED_COLUMNS
    from wgs_east.annotate.frame import read_all
    from wgs_east.classify import display
    from wgs_east.classify.reader import SITE_COLUMNS

    rows = [
        {"chrom": "chr1", "pos": 100 + i, "ref": "C", "alt": "T", "gts": ["0/1"] * 4,
         "site": {"gene": g, "consequence": csq, "hgvs_p": hp, "pop_af": af, "pop_an": an, "revel": rv,
                  "nmd_escape": i % 2 == 0, "clinvar_same_residue_stars": i % 3 - 1, "gene_moi": moi}}
        for i, (g, csq, hp, af, an, rv, moi) in enumerate([
            ("GAD", "missense", "p.Arg4Trp", 1e-5, 150000, 0.8, "AD"),
            ("", "intergenic", "", np.nan, -1, np.nan, ""),
            ("GAR", "synonymous", "p.Leu114=", 0.3, 2000, np.nan, "AD|AR"),
        ])
    ]  # fmt: skip
    vcf = write_vcf(tmp_path / "a.vcf.gz", rows)
    chunks = list(read_chunks(vcf, ["KID"]))
    # the display-only columns, QUAL and ID are read again for the calls that are output (classify/display.py)
    shown = [c.display.fetch(c.sites) for c in chunks]
    assert not set(display.DISPLAY_COLUMNS) & set(chunks[0].sites.columns)
    ours = pd.concat([c.sites.assign(**{k: v for k, v in d.items() if k in display.DISPLAY_COLUMNS})
                      for c, d in zip(chunks, shown, strict=True)], ignore_index=True)  # fmt: skip
    assert [q for d in shown for q in d["qual"]] == ["50"] * 3 and [v for d in shown for v in d["vid"]] == ["."] * 3
    theirs = read_all(vcf)
    for col in ("chrom", "pos", "ref", "alt", *SITE_COLUMNS):
        a, b = pd.Series(ours[col]), pd.Series(theirs[col])
        if pd.api.types.is_numeric_dtype(b.dtype) or b.dtype == bool:  # the engine reads both the same way
            np.testing.assert_array_equal(a.astype(float).to_numpy(), b.astype(float).to_numpy(), err_msg=col)
        else:
            assert a.astype(object).where(a.notna(), None).tolist() == b.astype(object).where(b.notna(), None).tolist(), col
    assert ours["hgvs_p"].tolist()[2] == "p.Leu114="  # percent-decoded
    assert set(REQUIRED_COLUMNS) <= set(ours.columns)

    assert STRONG > MODERATE and LIKELY_PATHOGENIC < PATHOGENIC


def test_combined_reader_drops_records_no_affected_sample_carries(tmp_path):
    """bcftools drops the records none of the carriers carries (its include expression), printing every
    selected sample in the order asked (no column shift), whatever the VCF's sample order."""
    from wgs_east.classify.reader import carrier_expression

    cases = [  # genotypes of DAD, MUM, KID, SOLO (the VCF's order); kept: KID or SOLO carries the ALT
        (["0/1", "0/0", "0/0", "0/0"], False),  # a parent only
        (["0/0", "0/0", "./1", "./."], False),  # half a call is missing, not carried
        (["0/0", "0/1", "0/1", "0/0"], True),
        (["1/1", "0/0", "0/0", "1"], True),  # haploid carrier (SOLO)
        (["0/0", "0/0", "1|0", "0/0"], True),
        (["0/1", "0/1", "0/0", "0/0"], False),
        (["./.", "./.", "./.", "0|1"], True),
        (["0/0", "0/0", "0/0", "0/0"], False),
    ]
    rows = [{"chrom": "chr1", "pos": 100 + i, "ref": "C", "alt": "T", "gts": gts} for i, (gts, _) in enumerate(cases)]
    vcf = write_vcf(tmp_path / "c.vcf.gz", rows)
    asked = ["SOLO", "KID", "MUM", "DAD"]  # not the VCF's order
    assert carrier_expression(SAMPLES, asked, ["KID", "SOLO"]) == 'COUNT(GT[2,3]="alt")>0 || N_ALT>1'
    assert carrier_expression(SAMPLES, ["SOLO", "KID"], ["SOLO"]) == 'COUNT(GT[1]="alt")>0 || N_ALT>1'
    with pytest.raises(ValueError, match="not among"):
        carrier_expression(SAMPLES, ["KID"], ["SOLO"])
    chunks = list(read_chunks(vcf, asked, carriers=["KID", "SOLO"]))
    kept = [int(p) for c in chunks for p in c.sites["pos"]]
    assert kept == [100 + i for i, (_, keep) in enumerate(cases) if keep]
    for s, col in zip(asked, (3, 2, 1, 0), strict=True):  # each sample's own genotype, none shifted
        assert [g for c in chunks for g in c.gt[s]] == [cases[p - 100][0][col] for p in kept], s
    kid = np.concatenate([c.parsed["KID"][0] for c in chunks])
    assert kid.tolist() == [1, 0, 1, -1]  # parsed genotypes of the carriers come with the chunks
    # only the parents carry: nothing to read
    assert list(read_chunks(vcf, asked, carriers=["KID"]))[0].sites["pos"].tolist() == [102, 104]


def test_combined_reader_refuses_multiallelic_records(tmp_path):
    rows = [{"chrom": "chr1", "pos": 100, "ref": "A", "alt": "G,T", "gts": ["0/1", "0/2", "1/2", "2/2"]}]
    vcf = write_vcf(tmp_path / "m.vcf.gz", rows)
    with pytest.raises(InputError, match="multi-allelic record: split it first"):
        list(read_chunks(vcf, ["KID"]))
    # also when no classified sample carries it (bcftools keeps it for the reader to refuse)
    rows = [{"chrom": "chr1", "pos": 50, "ref": "C", "alt": "T", "gts": ["0/0", "0/0", "0/1", "0/0"]},
            {"chrom": "chr1", "pos": 100, "ref": "A", "alt": "G,T", "gts": ["0/1", "0/2", "0/0", "0/0"]}]  # fmt: skip
    vcf = write_vcf(tmp_path / "m2.vcf.gz", rows)
    with pytest.raises(InputError, match="chr1:100: multi-allelic record"):
        list(read_chunks(vcf, ["KID", "DAD", "MUM"], carriers=["KID"]))


def test_no_x_linked_analysis_without_sex_chromosomes() -> None:
    """reference.sex_chromosomes: null -> Context(x_contig=None): no record is on the X, whatever its contig."""
    chrom, pos = np.array(["chr1", "chrX", "X"], dtype=object), np.array([5, 5, 5])
    assert Context(x_contig=None).on_x(chrom, pos).tolist() == [False, False, False]
    assert Context(x_contig="chrX").on_x(chrom, pos).tolist() == [False, True, False]


def test_display_fields_read_again_for_the_output_calls(tmp_path):
    """The second read of the display fields (classify/display.py): the values of the asked records only,
    in the order asked, the same through the index (--regions-file) and without one (--targets-file);
    another allele at the same position is not taken for the asked one; a record that is not in the VCF
    and an allele annotated twice differently are errors naming the variant, never a guess."""
    from wgs_east.classify import display
    from wgs_east.errors import InputError

    def site(hgvs_p, transcript):
        return {"gene": "GAD", "consequence": "missense", "hgvs_p": hgvs_p, "transcript": transcript}

    rows = [{"chrom": "chr1", "pos": p, "ref": "C", "alt": a, "gts": ["0/1"] * 4, "site": site(hp, tx)}
            for p, a, hp, tx in [(100, "T", "p.Arg4Trp", "ENST1"), (100, "G", "p.Arg4Gly", "ENST1"),
                                 (250, "A", "p.Leu9=", "ENST2"), (400, "T", "", "")]]  # fmt: skip
    vcf = write_vcf(tmp_path / "a.vcf.gz", rows)
    plain = tmp_path / "plain.vcf.gz"
    plain.write_bytes(vcf.read_bytes())  # no index next to it
    assert display.has_index(vcf) and not display.has_index(plain)
    src = next(iter(read_chunks(vcf, ["KID"]))).display
    keys = pd.DataFrame({"chrom": ["chr1"] * 3, "pos": [400, 100, 250], "ref": ["C"] * 3, "alt": ["T", "G", "A"]})
    for path in (vcf, plain):
        got = display.Source(path, src.info_ids).fetch(keys)
        assert got["hgvs_p"][0] != got["hgvs_p"][0]  # NaN: missing in the record
        assert got["hgvs_p"][1:].tolist() == ["p.Arg4Gly", "p.Leu9="]  # percent-decoded like the annotation reader
        assert got["transcript"][1:].tolist() == ["ENST1", "ENST2"] and got["qual"].tolist() == ["50"] * 3
    assert "--regions-file" in src.command(tmp_path / "x") and "--targets-file" in display.Source(plain, {}).command(tmp_path / "x")
    with pytest.raises(InputError, match=r"chr1:300 C>T.*not found"):
        src.fetch(keys.assign(pos=[400, 100, 300], alt=["T", "G", "T"]))
    twice = write_vcf(tmp_path / "b.vcf.gz", [rows[0], {**rows[0], "site": site("p.Arg4Cys", "ENST1")}])
    with pytest.raises(InputError, match=r"chr1:100 C>T.*two records"):
        display.Source(twice, src.info_ids).fetch(keys.iloc[[1]].assign(alt="T"))
    assert display.Source(twice, src.info_ids).fetch(keys.iloc[:0])["qual"].size == 0


def test_display_fields_unpack_like_separate_columns():
    """The packed display field (classify/display.py): '.' is missing (NaN), the encoded columns are
    percent-decoded, an ID with ';' (several IDs) stays whole as the last part; a wrong part count is an error."""
    from wgs_east.classify import display

    assert display.DISPLAY_COLUMNS == ("transcript", "hgvs_p", "popmax_pop", "clinvar_sig", "clinvar_same_aa",
                                       "clinvar_same_residue", "exon")  # fmt: skip
    out = display.unpack(np.array(["ENST1;p.Leu114%3D;nfe;.;.;.;2/11;50;rs1;rs2", ".;.;.;.;.;.;.;.;."], dtype=object))
    assert out["transcript"][0] == "ENST1" and out["hgvs_p"][0] == "p.Leu114=" and out["popmax_pop"][0] == "nfe"
    assert out["exon"][0] == "2/11" and out["qual"].tolist() == ["50", "."] and out["vid"].tolist() == ["rs1;rs2", "."]
    assert all(pd.isna(out[c][1]) for c in display.DISPLAY_COLUMNS) and pd.isna(out["clinvar_sig"][0])
    assert display.query_format({"transcript": "WE_TRANSCRIPT"}).startswith("%INFO/WE_TRANSCRIPT;.;.;")
    with pytest.raises(InputError, match="expected 9"):
        display.unpack(np.array(["ENST1;p.X;50;."], dtype=object))
