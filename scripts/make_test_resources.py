#!/usr/bin/env python3
"""Build the SYNTHETIC annotation resource bundle of the test genome: ``test_data/resources/``.

    python scripts/make_test_resources.py [--outdir DIR]   # developers only; outputs are committed

Deterministic (values from crc32 of names, no randomness, no clock). Reads only committed design
files (``test_data/truth/{population_pool.tsv,planted.tsv,haplotype_design.json}``,
``test_data/genes/genes.gff3``, ``test_data/reference/genome.fa``) and writes:

* ``genes.gff3``: copy of the designed gene models;
* ``population.vcf.gz`` (+ ``.tbi``): gnomAD-v4-style sites VCF of the population pool (AN 150,000);
* ``clinvar.vcf.gz`` (+ ``.tbi``): ClinVar-style VCF of six designated records;
* ``revel.tsv.gz``, ``spliceai.tsv.gz`` (+ ``.tbi``): REVEL for every possible missense SNV of the MANE
  transcripts, SpliceAI around every splice junction, planted variants at designed values;
* ``gene_table.tsv``: inheritance, mechanism, constraint, disease, HPO terms of the four genes;
* ``manifest.yaml`` (with sha256 of every file) and ``expected_annotations.tsv`` (what the pipeline
  must write for each planted variant; asserted by ``tests/test_annotate_workflow.py``).
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import sys
import zlib
from pathlib import Path

import pysam

from wgs_east.annotate.hgvs import CODON_TABLE, TranscriptModel, complement, describe
from wgs_east.annotate.transcripts import parse_gff3
from wgs_east.resources.check import sha256_of

REPO = Path(__file__).resolve().parents[1]
TD = REPO / "test_data"
OUT = TD / "resources"
VERSION = "test-2026.11"
RELEASE = "2026-11-01"
CONTIGS = ("chr22_16600000_16800000", "chrSYN1", "chrSYN2", "chrX", "chrY")
X, Y = "chrX", "chrY"

# gnomAD-style population: 75,000 individuals, half XX, half XY; grpmax groups and their autosomal AN
N_XX = N_XY = 37_500
GROUPS = {"afr": 40_000, "amr": 14_000, "eas": 6_000, "nfe": 80_000, "sas": 10_000}

# designed values of the planted variants (REVEL from haplotype_design.json; the rest chosen here)
REVEL = {"MIS_HIGH_REVEL": None, "MIS_LOW_REVEL": None, "COMPHET_MIS": 0.81, "HOM_MIS_PM5": 0.76,
         "CLINVAR_P_MIS": 0.89, "COMMON_MIS": 0.07, "CLINVAR_PM5_PARTNER": 0.91}  # fmt: skip
SPLICEAI = {"DENOVO_STOP": 0.04, "COMPHET_FS": 0.02, "COMPHET_MIS": 0.01, "HOM_MIS_PM5": 0.03, "HEMI_DONOR": 0.97,
            "ACCEPTOR": 0.95, "MIS_HIGH_REVEL": 0.02, "MIS_LOW_REVEL": 0.0, "SYNONYMOUS": 0.01, "INFRAME_DEL": 0.03,
            "DEEP_INTRON": 0.02, "COMMON_MIS": 0.0, "RARE_ABSENT_UTR": 0.0, "CLINVAR_P_MIS": 0.01}  # fmt: skip
SPLICE_WINDOW = 25  # SpliceAI rows for every SNV within this many bp of an exon/intron junction
# exon / intron of each planted variant on its MANE transcript (from the design, checked below)
LOCATION = {"DENOVO_STOP": "exon 3/6", "COMPHET_FS": "exon 2/6", "COMPHET_MIS": "exon 4/6",
            "HOM_MIS_PM5": "exon 5/6", "HEMI_DONOR": "intron 2/4", "ACCEPTOR": "intron 3/5",
            "MIS_HIGH_REVEL": "exon 5/6", "MIS_LOW_REVEL": "exon 1/6", "SYNONYMOUS": "exon 2/6",
            "INFRAME_DEL": "exon 5/6", "DEEP_INTRON": "intron 1/5", "COMMON_MIS": "exon 6/6",
            "RARE_ABSENT_UTR": "exon 1/5", "CLINVAR_P_MIS": "exon 2/6"}  # fmt: skip
NULL_VARIANTS = ("DENOVO_STOP", "COMPHET_FS", "HEMI_DONOR", "ACCEPTOR")  # all in early exons: NMD expected
GENE_FACTS = {  # disease, ClinGen HI score, LOEUF, pLI, HPO terms (synthetic); TS scores: TRIPLOSENSITIVITY
    "SYNAD1": ("Synthetic autosomal dominant disorder 1 (TEST ONLY)", "3", 0.21, 1.0, "HP:0001250|HP:0001263"),
    "SYNAR1": ("Synthetic autosomal recessive disorder 1 (TEST ONLY)", "30", 0.93, 0.0, "HP:0001263|HP:0001249"),
    "SYNMIS1": ("Synthetic dominant-negative disorder 1 (TEST ONLY)", "1", 0.48, 0.12, "HP:0001250|HP:0001249"),
    "SYNXL1": ("Synthetic X-linked recessive disorder 1 (TEST ONLY)", "3", 0.34, 0.97, "HP:0001249"),
    # the structural-variant genes of chrSYN2 (test_data/truth/sv_truth.vcf.gz)
    "SYNHI1": ("Synthetic haploinsufficiency disorder 1 (TEST ONLY)", "3", 0.12, 1.0, "HP:0001263|HP:0001250"),
    "SYNREC1": ("Synthetic autosomal recessive disorder 2 (TEST ONLY)", "30", 0.88, 0.0, "HP:0001263"),
    "SYNTS1": ("Synthetic triplosensitivity disorder 1 (TEST ONLY)", "1", 0.55, 0.05, "HP:0001249"),
    "SYNINV1": ("Synthetic autosomal dominant disorder 2 (TEST ONLY)", "2", 0.31, 0.93, "HP:0001250"),
}
# ClinGen triplosensitivity scores (0 = no evidence; 3 = sufficient evidence), read only by the CNV points
TRIPLOSENSITIVITY = {"SYNAD1": "0", "SYNAR1": "0", "SYNMIS1": "0", "SYNXL1": "0", "SYNHI1": "0", "SYNREC1": "0",
                     "SYNTS1": "3", "SYNINV1": "0"}  # fmt: skip
ONE_STAR, TWO_STARS, THREE_STARS = (
    "criteria_provided,_single_submitter", "criteria_provided,_multiple_submitters,_no_conflicts",
    "reviewed_by_expert_panel",
)  # fmt: skip


def unit(*parts: object) -> float:
    """A deterministic number in [0, 1) from names."""
    return zlib.crc32(":".join(str(p) for p in parts).encode()) / 2**32


def key(chrom: str, pos: int) -> tuple[int, int]:
    return CONTIGS.index(chrom), pos


def read_tsv(path: Path) -> list[dict[str, str]]:
    with open(path) as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def bgzip_index(plain: Path, *, vcf: bool) -> Path:
    """bgzip + tabix (the plain file is removed)."""
    if vcf:
        out = pysam.tabix_index(str(plain), preset="vcf", force=True)
    else:
        out = pysam.tabix_index(str(plain), seq_col=0, start_col=1, end_col=1, meta_char="#", force=True)
    return Path(out)


def contig_lines() -> list[str]:
    fai = (TD / "reference" / "genome.fa.fai").read_text().splitlines()
    return [f"##contig=<ID={f.split()[0]},length={f.split()[1]}>" for f in fai]


# --- population --------------------------------------------------------------------------------
def population_record(chrom: str, pos: int, ref: str, alt: str, af: float) -> dict[str, object]:
    if chrom == X:
        an, n_hom_base, n_hemi = 2 * N_XX + N_XY, N_XX, N_XY
    elif chrom == Y:
        an, n_hom_base, n_hemi = N_XY, 0, N_XY
    else:
        an, n_hom_base, n_hemi = 2 * (N_XX + N_XY), N_XX + N_XY, 0
    scale = an / (2 * (N_XX + N_XY))
    group = sorted(GROUPS)[zlib.crc32(f"{chrom}:{pos}:{ref}:{alt}".encode()) % len(GROUPS)]
    popmax_af = min(1.0, float(f"{af * (1 + unit('grpmax', chrom, pos, alt)):.4g}"))
    return {
        "AC": round(af * an), "AN": an, "AF": af, "nhomalt": round(n_hom_base * af * af), "nhemi": round(n_hemi * af),
        "AF_grpmax": popmax_af, "AN_grpmax": round(GROUPS[group] * scale), "grpmax": group,
        "fafmax_faf95_max": float(f"{popmax_af * 0.85:.4g}"), "fafmax_faf95_max_gen_anc": group,
    }  # fmt: skip


def write_population(pool: list[dict[str, str]]) -> dict[tuple[str, int, str, str], dict[str, object]]:
    header = [
        "##fileformat=VCFv4.2",
        f"##source=SYNTHETIC gnomAD-v4-style sites of the wgs-east test genome ({VERSION}); NOT real data",
        "##reference=test_data/reference/genome.fa",
        *contig_lines(),
        '##INFO=<ID=AC,Number=A,Type=Integer,Description="Alternate allele count">',
        '##INFO=<ID=AN,Number=1,Type=Integer,Description="Total number of alleles">',
        '##INFO=<ID=AF,Number=A,Type=Float,Description="Alternate allele frequency">',
        '##INFO=<ID=nhomalt,Number=A,Type=Integer,Description="Count of homozygous individuals">',
        '##INFO=<ID=nhemi,Number=A,Type=Integer,Description="Count of hemizygous individuals (XY, non-PAR X/Y)">',
        '##INFO=<ID=AF_grpmax,Number=A,Type=Float,Description="Maximum allele frequency across genetic ancestry groups">',
        '##INFO=<ID=AN_grpmax,Number=A,Type=Integer,Description="Allele number of the group with the maximum AF">',
        '##INFO=<ID=grpmax,Number=A,Type=String,Description="Genetic ancestry group with the maximum AF">',
        '##INFO=<ID=fafmax_faf95_max,Number=A,Type=Float,Description="Maximum filtering allele frequency (95% CI)">',
        '##INFO=<ID=fafmax_faf95_max_gen_anc,Number=A,Type=String,Description="Group of fafmax_faf95_max">',
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO",
    ]
    out: dict[tuple[str, int, str, str], dict[str, object]] = {}
    lines = []
    for row in sorted(pool, key=lambda r: key(r["chrom"], int(r["pos"]))):
        chrom, pos, ref, alt, af = row["chrom"], int(row["pos"]), row["ref"], row["alt"], float(row["af"])
        rec = population_record(chrom, pos, ref, alt, af)
        out[(chrom, pos, ref, alt)] = rec
        info = ";".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in rec.items())
        lines.append(f"{chrom}\t{pos}\t.\t{ref}\t{alt}\t.\tPASS\t{info}")
    path = OUT / "population.vcf"
    path.write_text("\n".join(header + lines) + "\n")
    bgzip_index(path, vcf=True)
    return out


# --- ClinVar ------------------------------------------------------------------------------------
def clinvar_records(planted: dict[str, dict[str, str]], design: dict, tx: dict[str, TranscriptModel],
                    genome: pysam.FastaFile) -> list[dict[str, object]]:  # fmt: skip
    partner = next(c for c in design["clinvar_designations"] if c["id"] == "CLINVAR_PM5_PARTNER")
    # a conflicting record at the residue of COMPHET_MIS (Cys255): must NOT count for PM5
    comphet = planted["COMPHET_MIS"]
    t = tx["ENST90000000003"]
    conflict_pos = int(comphet["pos"]) + 1  # c.763, the codon's first base (minus strand)
    ref = genome.fetch("chrSYN1", conflict_pos - 1, conflict_pos)
    alt = complement("C")  # codon TGC -> CGC: Cys255Arg
    h = describe(t, genome.fetch("chrSYN1"), conflict_pos, ref, alt)
    assert h.p == "p.Cys255Arg", h
    recs = [
        ("SYNONYMOUS", planted["SYNONYMOUS"], "Likely_benign", ONE_STAR),
        ("CLINVAR_PM5_PARTNER", partner, "Pathogenic", TWO_STARS),
        ("CONFLICT_255", {"chrom": "chrSYN1", "pos": conflict_pos, "ref": ref, "alt": alt, "gene": "SYNAR1"},
         "Conflicting_classifications_of_pathogenicity", "criteria_provided,_conflicting_classifications"),
        ("MIS_LOW_REVEL", planted["MIS_LOW_REVEL"], "Uncertain_significance", ONE_STAR),
        ("CLINVAR_P_MIS", planted["CLINVAR_P_MIS"], "Pathogenic", THREE_STARS),
        ("COMMON_MIS", planted["COMMON_MIS"], "Benign", TWO_STARS),
    ]
    out = []
    for i, (name, v, sig, rev) in enumerate(sorted(recs, key=lambda r: key(r[1]["chrom"], int(r[1]["pos"])))):
        out.append({"name": name, "chrom": v["chrom"], "pos": int(v["pos"]), "ref": v["ref"], "alt": v["alt"],
                    "gene": v["gene"], "id": str(900_001 + i), "sig": sig, "revstat": rev})  # fmt: skip
    return out


def write_clinvar(recs: list[dict[str, object]]) -> None:
    header = [
        "##fileformat=VCFv4.1",
        f"##fileDate={RELEASE.replace('-', '')}",
        f"##source=ClinVar-style SYNTHETIC records of the wgs-east test genome ({VERSION}); NOT real ClinVar",
        "##reference=test_data/reference/genome.fa",
        '##ID=<Description="ClinVar Variation ID">',
        '##INFO=<ID=ALLELEID,Number=1,Type=Integer,Description="the ClinVar Allele ID">',
        '##INFO=<ID=CLNDN,Number=.,Type=String,Description="ClinVar\'s preferred disease name">',
        '##INFO=<ID=CLNHGVS,Number=.,Type=String,Description="Top-level (primary assembly) HGVS expression">',
        '##INFO=<ID=CLNREVSTAT,Number=.,Type=String,Description="ClinVar review status for the Variation ID">',
        '##INFO=<ID=CLNSIG,Number=.,Type=String,Description="Clinical significance for this single variant">',
        '##INFO=<ID=CLNVC,Number=1,Type=String,Description="Variant type">',
        '##INFO=<ID=GENEINFO,Number=1,Type=String,Description="Gene(s) for the variant reported as gene symbol:gene id">',
        *contig_lines(),
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO",
    ]
    lines = []
    for r in recs:
        disease = GENE_FACTS[str(r["gene"])][0].split(" (")[0].replace(" ", "_")
        info = (f"ALLELEID={int(str(r['id'])) + 100_000};CLNDN={disease};"
                f"CLNHGVS={r['chrom']}:g.{r['pos']}{r['ref']}>{r['alt']};CLNREVSTAT={r['revstat']};CLNSIG={r['sig']};"
                f"CLNVC=single_nucleotide_variant;GENEINFO={r['gene']}:9{str(r['id'])[-5:]}")  # fmt: skip
        lines.append(f"{r['chrom']}\t{r['pos']}\t{r['id']}\t{r['ref']}\t{r['alt']}\t.\t.\t{info}")
    path = OUT / "clinvar.vcf"
    path.write_text("\n".join(header + lines) + "\n")
    bgzip_index(path, vcf=True)


# --- REVEL / SpliceAI ---------------------------------------------------------------------------
def missense_snvs(t: TranscriptModel, chrom: str, seq: str) -> list[tuple[int, str, str, str, str]]:
    """(pos, ref, alt, aa_ref, aa_alt) of every missense SNV of a coding transcript (genomic alleles)."""
    assert t.cds_start is not None and t.cds_end is not None
    mrna = t.mrna(seq)
    positions = t.mrna_positions()
    out = []
    for i in range(t.cds_start + 3, t.cds_end - 3, 3):
        codon = mrna[i : i + 3]
        aa = CODON_TABLE[codon]
        for k in range(3):
            for b in "ACGT":
                if b == codon[k]:
                    continue
                new = CODON_TABLE[codon[:k] + b + codon[k + 1 :]]
                if new in (aa, "*"):
                    continue
                g = positions[i + k]
                ref_g, alt_g = (codon[k], b) if t.strand == "+" else (complement(codon[k]), complement(b))
                assert seq[g - 1] == ref_g
                out.append((g, ref_g, alt_g, aa, new))
    return out


def splice_snvs(t: TranscriptModel, seq: str) -> dict[tuple[int, str, str], tuple[str, float]]:
    """SNVs within SPLICE_WINDOW bp of each junction of ``t``: (component, synthetic max delta)."""
    out: dict[tuple[int, str, str], tuple[str, float]] = {}
    plus = t.strand == "+"
    for (s1, e1), (s2, e2) in zip(t.exons, t.exons[1:], strict=False):
        donor_exon_end = e1 if plus else s1  # last exon base before the intron
        acceptor_exon_start = s2 if plus else e2  # first exon base after the intron
        for site, anchor, comp in (("donor", donor_exon_end, "DS_DL"), ("acceptor", acceptor_exon_start, "DS_AL")):
            for d in range(-SPLICE_WINDOW, SPLICE_WINDOW + 1):
                g = anchor + d
                # intronic distance from the junction, in transcript orientation (0 = exonic)
                tx_d = d if plus else -d
                intronic = tx_d > 0 if site == "donor" else tx_d < 0
                dist = abs(tx_d) if intronic else 0
                ref = seq[g - 1]
                for alt in "ACGT":
                    if alt == ref:
                        continue
                    u = unit("spliceai", g, alt)
                    if intronic and dist <= 2:
                        score = 0.80 + 0.19 * u
                    elif intronic and dist <= (6 if site == "donor" else 20):
                        score = 0.05 + 0.30 * u
                    elif not intronic and abs(tx_d) <= (2 if site == "donor" else 0):
                        score = 0.02 + 0.20 * u
                    else:
                        score = 0.05 * u
                    out[(g, ref, alt)] = (comp, round(score, 2))
    return out


def write_scores(planted: dict[str, dict[str, str]], design: dict, models: dict[str, tuple[str, TranscriptModel]],
                 genome: pysam.FastaFile) -> tuple[dict[str, float], dict[str, float]]:  # fmt: skip
    revel_designed = {**REVEL, **design["intended_revel"]}
    partner = next(c for c in design["clinvar_designations"] if c["id"] == "CLINVAR_PM5_PARTNER")
    by_allele = {(p["chrom"], int(p["pos"]), p["ref"], p["alt"]): pid for pid, p in planted.items()}
    by_allele[(partner["chrom"], partner["pos"], partner["ref"], partner["alt"])] = "CLINVAR_PM5_PARTNER"
    revel_rows, splice_rows = [], {}
    for gene, (chrom, t) in sorted(models.items(), key=lambda kv: key(kv[1][0], kv[1][1].start)):
        seq = genome.fetch(chrom).upper()
        for g, ref, alt, aa, new in missense_snvs(t, chrom, seq):
            pid = by_allele.get((chrom, g, ref, alt))
            score = revel_designed[pid] if pid in revel_designed else round(unit("revel", chrom, g, alt), 3)
            revel_rows.append((chrom, g, ref, alt, aa, new, score, t.transcript_id))
        for (g, ref, alt), (comp, score) in splice_snvs(t, seq).items():
            splice_rows[(chrom, g, ref, alt)] = (gene, comp, score)
    for pid, p in planted.items():  # planted variants at their designed values (indels included)
        a = (p["chrom"], int(p["pos"]), p["ref"], p["alt"])
        comp = {"HEMI_DONOR": "DS_DL", "ACCEPTOR": "DS_AL"}.get(pid, "DS_AG")
        splice_rows[a] = (p["gene"], comp, SPLICEAI[pid])
    revel_found = {pid: s for (c, g, r, a, _, _, s, _) in revel_rows if (pid := by_allele.get((c, g, r, a)))}
    missing = [pid for pid in revel_designed if pid not in revel_found]
    assert not missing, f"designed REVEL for non-missense variants: {missing}"
    path = OUT / "revel.tsv"
    with open(path, "w") as fh:
        fh.write("#chr\tpos\tref\talt\taaref\taaalt\tREVEL\tEnsembl_transcriptid\n")
        for r in sorted(revel_rows, key=lambda r: (*key(r[0], r[1]), r[3])):
            fh.write("\t".join(str(x) for x in r) + "\n")
    bgzip_index(path, vcf=False)
    path = OUT / "spliceai.tsv"
    with open(path, "w") as fh:
        fh.write(f"## SpliceAI-style SYNTHETIC precomputed scores ({VERSION}); NOT real SpliceAI\n")
        fh.write("#CHROM\tPOS\tREF\tALT\tSYMBOL\tDS_AG\tDS_AL\tDS_DG\tDS_DL\tDS_MAX\n")
        for (chrom, g, ref, alt), (gene, comp, score) in sorted(splice_rows.items(), key=lambda kv: (*key(*kv[0][:2]), kv[0][2], kv[0][3])):
            ds = {c: round(score * 0.3 * unit("ds", c, g, alt), 2) for c in ("DS_AG", "DS_AL", "DS_DG", "DS_DL")}
            ds[comp] = score
            fh.write("\t".join([chrom, str(g), ref, alt, gene, *(f"{ds[c]:.2f}" for c in ds), f"{max(ds.values()):.2f}"]) + "\n")
    bgzip_index(path, vcf=False)
    return revel_found, {pid: SPLICEAI[pid] for pid in planted}


# --- gene table, manifest, expected -------------------------------------------------------------
def write_gene_table(design: dict) -> None:
    with open(OUT / "gene_table.tsv", "w") as fh:
        fh.write("symbol\tgene_id\tmoi\tlof_mechanism\thaploinsufficiency\tloeuf\tpli\tdisease\thpo\ttriplosensitivity\n")
        for g in design["genes"]:
            lof = "LoF" in g["mechanism"] and "not a known mechanism" not in g["mechanism"]
            disease, hi, loeuf, pli, hpo = GENE_FACTS[g["symbol"]]
            fh.write("\t".join([g["symbol"], g["gene_id"], g["inheritance"], str(lof).lower(), hi, f"{loeuf:g}",
                                f"{pli:g}", disease, hpo, TRIPLOSENSITIVITY[g["symbol"]]]) + "\n")  # fmt: skip


MANIFEST_HEAD = f"""\
# SYNTHETIC resource bundle of the wgs-east test genome: every value is invented for tests.
# Made by `python scripts/make_test_resources.py` (see README.md here). NOT for clinical use.
bundle: wgs-east-test
version: {VERSION}
build: GRCh38
synthetic: true
description: synthetic bundle for the test genome (chr22 slice + chrSYN1/chrSYN2/chrX/chrY); never clinical
sources:
"""


def write_manifest() -> None:
    sources = [
        ("genes", "gene_models", "genes.gff3", "Ensembl-style GFF3 of the designed genes (copy of test_data/genes)", ""),
        ("gnomad", "population", "population.vcf.gz", "gnomAD-v4-style sites of the population pool",
         "    fields: {af: AF, an: AN, ac: AC, nhom: nhomalt, nhemi: nhemi, popmax_af: AF_grpmax, popmax_an: AN_grpmax,\n"
         "             popmax_pop: grpmax, faf: fafmax_faf95_max, faf_pop: fafmax_faf95_max_gen_anc}\n"),
        ("clinvar", "clinvar", "clinvar.vcf.gz", "ClinVar-style records designated by the truth design",
         "    fields: {sig: CLNSIG, revstat: CLNREVSTAT}\n"),
        ("revel", "insilico", "revel.tsv.gz", "REVEL-style scores of every missense SNV of the MANE transcripts",
         "    score: revel\n    columns: {chrom: chr, pos: pos, ref: ref, alt: alt, score: REVEL}\n"),
        ("spliceai", "insilico", "spliceai.tsv.gz", "SpliceAI-style max delta scores around every junction",
         "    score: spliceai\n    columns: {chrom: CHROM, pos: POS, ref: REF, alt: ALT, score: DS_MAX}\n"),
        ("genetable", "gene_table", "gene_table.tsv", "inheritance, mechanism, constraint, disease, HPO of the genes",
         "    columns: {symbol: symbol, moi: moi, loeuf: loeuf, pli: pli, haploinsufficiency: haploinsufficiency,\n"
         "              disease: disease, lof_mechanism: lof_mechanism, triplosensitivity: triplosensitivity}\n"),
    ]  # fmt: skip
    text = MANIFEST_HEAD
    for name, kind, path, desc, extra in sources:
        text += (f"  {name}:\n    kind: {kind}\n    path: {path}\n    version: {VERSION}\n    release_date: {RELEASE}\n"
                 f"    build: GRCh38\n    sha256: {sha256_of(OUT / path)}\n    description: SYNTHETIC - {desc}\n{extra}")  # fmt: skip
    (OUT / "manifest.yaml").write_text(text)


EXPECTED_COLUMNS = ("id", "chrom", "pos", "ref", "alt", "gene", "transcript", "consequence", "hgvs_c", "hgvs_p",
                    "location", "nmd_escape", "pop_af", "pop_an", "pop_nhom", "pop_nhemi", "popmax_af", "popmax_pop",
                    "clinvar_sig", "clinvar_stars", "clinvar_same_aa_stars", "clinvar_same_residue_stars", "revel",
                    "spliceai", "gene_moi", "lof_mechanism")  # fmt: skip


def write_expected(planted: list[dict[str, str]], pop: dict, clinvar: list[dict[str, object]], revel: dict,
                   spliceai: dict, design: dict) -> None:  # fmt: skip
    cv = {(r["chrom"], r["pos"], r["ref"], r["alt"]): r for r in clinvar}
    genes = {g["symbol"]: g for g in design["genes"]}
    stars = {ONE_STAR: 1, TWO_STARS: 2, THREE_STARS: 3, "criteria_provided,_conflicting_classifications": 1}
    with open(OUT / "expected_annotations.tsv", "w") as fh:
        fh.write("\t".join(EXPECTED_COLUMNS) + "\n")
        for p in planted:
            a = (p["chrom"], int(p["pos"]), p["ref"], p["alt"])
            rec = pop.get(a)
            c = cv.get(a)
            g = genes[p["gene"]]
            lof = "LoF" in g["mechanism"] and "not a known mechanism" not in g["mechanism"]
            row = {
                "id": p["id"], "chrom": a[0], "pos": a[1], "ref": a[2], "alt": a[3], "gene": p["gene"],
                "transcript": p["transcript"], "consequence": p["intended_consequence"], "hgvs_c": p["hgvs_c"],
                "hgvs_p": "" if p["hgvs_p"] == "." else p["hgvs_p"], "location": LOCATION[p["id"]],
                "nmd_escape": "false" if p["id"] in NULL_VARIANTS else "",
                "pop_af": "" if rec is None else f"{rec['AF']:g}", "pop_an": "" if rec is None else rec["AN"],
                "pop_nhom": "" if rec is None else rec["nhomalt"], "pop_nhemi": "" if rec is None else rec["nhemi"],
                "popmax_af": "" if rec is None else f"{rec['AF_grpmax']:g}",
                "popmax_pop": "" if rec is None else rec["grpmax"],
                "clinvar_sig": "" if c is None else c["sig"], "clinvar_stars": -1 if c is None else stars[str(c["revstat"])],
                "clinvar_same_aa_stars": -1, "clinvar_same_residue_stars": 2 if p["id"] == "HOM_MIS_PM5" else -1,
                "revel": f"{revel[p['id']]:g}" if p["id"] in revel else "", "spliceai": f"{spliceai[p['id']]:g}",
                "gene_moi": g["inheritance"], "lof_mechanism": str(lof).lower(),
            }  # fmt: skip
            fh.write("\t".join(str(row[k]) for k in EXPECTED_COLUMNS) + "\n")


def main(argv: list[str] | None = None) -> int:
    global OUT
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--outdir", default=str(OUT), help="bundle directory (default: test_data/resources)")
    OUT = Path(parser.parse_args(argv).outdir)
    OUT.mkdir(parents=True, exist_ok=True)
    design = json.loads((TD / "truth" / "haplotype_design.json").read_text())
    planted_rows = read_tsv(TD / "truth" / "planted.tsv")
    planted = {p["id"]: p for p in planted_rows}
    pool = read_tsv(TD / "truth" / "population_pool.tsv")
    shutil.copyfile(TD / "genes" / "genes.gff3", OUT / "genes.gff3")
    with open(OUT / "genes.gff3") as fh:
        transcripts = parse_gff3(fh)
    models = {t.gene: (t.chrom, t.model) for t in transcripts if t.rank == 1}
    tx = {t.id: t.model for t in transcripts}
    genome = pysam.FastaFile(str(TD / "reference" / "genome.fa"))
    for pid, where in LOCATION.items():  # the design's exon/intron numbers, checked on the gene models
        p = planted[pid]
        kind, k = tx[p["transcript"]].region(int(p["pos"]) + (1 if len(p["ref"]) > 1 else 0))
        assert where.startswith(f"{kind} {k}/"), (pid, kind, k)
    pop = write_population(pool)
    clinvar = clinvar_records(planted, design, tx, genome)
    write_clinvar(clinvar)
    revel, spliceai = write_scores(planted, design, models, genome)
    write_gene_table(design)
    write_manifest()
    write_expected(planted_rows, pop, clinvar, revel, spliceai, design)
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
