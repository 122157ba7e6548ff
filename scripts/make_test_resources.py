#!/usr/bin/env python3
"""Build the SYNTHETIC annotation resource bundle of the test genome, ``test_data/resources/``, the way a
real GRCh38 bundle is built: synthetic upstream files in the real formats, then the bundle workflow.

    python scripts/make_test_resources.py [--outdir DIR] [--upstream DIR] [--upstream-only]   # outputs committed

Deterministic (values from crc32 of names, no randomness, no clock). Reads only committed design
files (``test_data/truth/{population_pool.tsv,planted.tsv,haplotype_design.json}``,
``test_data/genes/genes.gff3``, ``test_data/reference/genome.fa``).

1. Writes into ``test_data/resources/upstream/`` (README there) the upstream files under their real names
   and in their real formats: gnomAD v4 sites VCFs per chromosome (the population pool, AN 150,000), the
   ClinVar VCF (six designated records), SpliceAI masked SNV / indel VCFs (around every junction, planted
   variants at designed values), the REVEL v1.3 zip (every missense SNV of the MANE transcripts), an
   Ensembl GFF3 (the designed gene models), gnomAD constraint, GenCC, ClinGen dosage and a Gene2Phenotype
   CSV (inheritance, mechanism, HI / TS, constraint, disease, HPO terms of the genes), and ``bundle.yaml``,
   the workflow's config for the test genome.
2. Runs ``resources/Snakefile`` (the venv's snakemake) on copies of them and copies the bundle (manifest,
   sources, indexes, ``gene_disease.tsv``) into ``test_data/resources/``, after checking the gene table
   against the design; writes ``expected_annotations.tsv`` (what the pipeline must write for each planted
   variant; asserted by ``tests/test_annotate_workflow.py``).

``tests/test_resources_test_bundle.py`` rebuilds both and compares them with the committed files.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import shutil
import subprocess
import sys
import tempfile
import zipfile
import zlib
from pathlib import Path

import pysam
import yaml

from wgs_east.annotate.hgvs import CODON_TABLE, TranscriptModel, complement, describe
from wgs_east.annotate.transcripts import parse_gff3

REPO = Path(__file__).resolve().parents[1]
TD = REPO / "test_data"
OUT = TD / "resources"
UP = OUT / "upstream"
VERSION = "test-2026.11"
RELEASE = "2026-11-01"
CONTIGS = ("chr22_16600000_16800000", "chrSYN1", "chrSYN2", "chrX", "chrY")
X, Y = "chrX", "chrY"
NON_PAR_TEST = (("chrX", 60_000), ("chrY", 20_000))  # the synthetic chrX / chrY have no pseudo-autosomal region

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


def bare(chrom: str) -> str:
    """The contig as Ensembl, NCBI (ClinVar), REVEL and SpliceAI name it: ``chrSYN1`` -> ``SYN1``."""
    return chrom.removeprefix("chr")


def contig_lines(*, chr_prefix: bool) -> list[str]:
    fai = (TD / "reference" / "genome.fa.fai").read_text().splitlines()
    return [f"##contig=<ID={f.split()[0] if chr_prefix else bare(f.split()[0])},length={f.split()[1]}>" for f in fai]


def gzip_plain(text: str, path: Path) -> None:
    """gzip without a file name or time in the header (the same bytes on every run)."""
    with open(path, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as fh:
        fh.write(text.encode())


SPLICEAI_HEADER = (
    "##fileformat=VCFv4.0\n"
    '##INFO=<ID=SpliceAI,Number=.,Type=String,Description="SpliceAIv1.3 variant annotation. These include delta '
    "scores (DS) and delta positions (DP) for acceptor gain (AG), acceptor loss (AL), donor gain (DG), and donor "
    'loss (DL). Format: ALLELE|SYMBOL|DS_AG|DS_AL|DS_DG|DS_DL|DP_AG|DP_AL|DP_DG|DP_DL">\n'
    f"##source=SpliceAI-format SYNTHETIC scores of the wgs-east test genome ({VERSION}); NOT real SpliceAI\n"
    + "".join(f"{line}\n" for line in contig_lines(chr_prefix=False))
    + "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
)


# --- population: gnomAD v4 sites VCFs, one per chromosome ---------------------------------------
def population_record(chrom: str, pos: int, ref: str, alt: str, af: float) -> dict[str, object]:
    """The designed gnomAD-v4 INFO of one pool site (75,000 individuals, half XX, half XY; the test genome's
    chrX / chrY have no pseudo-autosomal region, so XY genotypes are haploid on all of them)."""
    if chrom == X:
        an, an_xy, n_hom_base, n_hemi = 2 * N_XX + N_XY, N_XY, N_XX, N_XY
    elif chrom == Y:
        an, an_xy, n_hom_base, n_hemi = N_XY, N_XY, 0, N_XY
    else:
        an, an_xy, n_hom_base, n_hemi = 2 * (N_XX + N_XY), 2 * N_XY, N_XX + N_XY, 0
    scale = an / (2 * (N_XX + N_XY))
    group = sorted(GROUPS)[zlib.crc32(f"{chrom}:{pos}:{ref}:{alt}".encode()) % len(GROUPS)]
    popmax_af = min(1.0, float(f"{af * (1 + unit('grpmax', chrom, pos, alt)):.4g}"))
    ac = round(af * an)
    nhom = round(n_hom_base * af * af)  # XX homozygotes on chrX (nhomalt_XX), everyone on autosomes
    ac_xy = round(n_hemi * af) if n_hemi else round(ac * N_XY / (N_XX + N_XY))  # autosomes: XY share of AC
    return {
        "AC": ac, "AN": an, "AF": af, "AC_XX": ac - ac_xy, "AN_XX": an - an_xy, "AC_XY": ac_xy, "AN_XY": an_xy,
        "nhomalt_XX": nhom if chrom != Y else 0, "nhomalt": nhom + (ac_xy if n_hemi else 0),
        "AF_grpmax": popmax_af, "AN_grpmax": round(GROUPS[group] * scale), "grpmax": group,
        "fafmax_faf95_max": float(f"{popmax_af * 0.85:.4g}"), "fafmax_faf95_max_gen_anc": group,
        # what the prepared bundle carries (prepare gnomad-part): nhomalt_XX / AC_XY on chrX / chrY
        "_nhom": nhom, "_nhemi": ac_xy if n_hemi else None,
    }  # fmt: skip


GNOMAD_INFO_HEADER = [  # as gnomAD v4 writes them (gnomad.genomes.v4.0.sites.*.vcf.bgz)
    '##INFO=<ID=AC,Number=A,Type=Integer,Description="Alternate allele count">',
    '##INFO=<ID=AN,Number=1,Type=Integer,Description="Total number of alleles">',
    '##INFO=<ID=AF,Number=A,Type=Float,Description="Alternate allele frequency">',
    '##INFO=<ID=AC_XX,Number=A,Type=Integer,Description="Alternate allele count for XX samples">',
    '##INFO=<ID=AN_XX,Number=1,Type=Integer,Description="Total number of alleles in XX samples">',
    '##INFO=<ID=AC_XY,Number=A,Type=Integer,Description="Alternate allele count for XY samples">',
    '##INFO=<ID=AN_XY,Number=1,Type=Integer,Description="Total number of alleles in XY samples">',
    '##INFO=<ID=nhomalt_XX,Number=A,Type=Integer,Description="Count of homozygous individuals in XX samples">',
    '##INFO=<ID=nhomalt,Number=A,Type=Integer,Description="Count of homozygous individuals">',
    '##INFO=<ID=AF_grpmax,Number=A,Type=Float,Description="Maximum allele frequency across genetic ancestry groups">',
    '##INFO=<ID=AN_grpmax,Number=A,Type=Integer,Description="Total number of alleles in the genetic ancestry group '
    'with the maximum allele frequency">',
    '##INFO=<ID=grpmax,Number=A,Type=String,Description="Genetic ancestry group with the maximum allele frequency">',
    '##INFO=<ID=fafmax_faf95_max,Number=A,Type=Float,Description="Maximum filtering allele frequency (using Poisson '
    '95% CI) across genetic_ancestry groups">',
    '##INFO=<ID=fafmax_faf95_max_gen_anc,Number=A,Type=String,Description="Genetic ancestry group with maximum '
    'filtering allele frequency (using Poisson 95% CI)">',
]  # fmt: skip


def write_population(pool: list[dict[str, str]]) -> dict[tuple[str, int, str, str], dict[str, object]]:
    """``gnomad.genomes.v4.1.sites.{chrom}.vcf.bgz`` (+ ``.tbi``) for each contig with pool sites."""
    header = [
        "##fileformat=VCFv4.2",
        '##FILTER=<ID=AC0,Description="Allele count is zero after filtering out low-confidence genotypes (GQ < 20; '
        'DP < 10; and AB < 0.2 for het calls)">',
        '##FILTER=<ID=AS_VQSR,Description="Failed VQSR filtering thresholds">',
        '##FILTER=<ID=InbreedingCoeff,Description="Inbreeding coefficient < -0.3">',
        '##FILTER=<ID=PASS,Description="Passed all variant filters">',
        f"##source=SYNTHETIC gnomAD-v4-format sites of the wgs-east test genome ({VERSION}); NOT real data",
        *contig_lines(chr_prefix=True),
        *GNOMAD_INFO_HEADER,
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO",
    ]  # fmt: skip
    out: dict[tuple[str, int, str, str], dict[str, object]] = {}
    lines: dict[str, list[str]] = {}
    for row in sorted(pool, key=lambda r: key(r["chrom"], int(r["pos"]))):
        chrom, pos, ref, alt, af = row["chrom"], int(row["pos"]), row["ref"], row["alt"], float(row["af"])
        rec = population_record(chrom, pos, ref, alt, af)
        out[(chrom, pos, ref, alt)] = rec
        info = ";".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in rec.items() if k[0] != "_")
        lines.setdefault(chrom, []).append(f"{chrom}\t{pos}\t.\t{ref}\t{alt}\t.\tPASS\t{info}")
    for chrom, body in lines.items():
        path = UP / f"gnomad.genomes.v4.1.sites.{chrom}.vcf"
        path.write_text("\n".join(header + body) + "\n")
        gz = bgzip_index(path, vcf=True)
        gz.rename(gz.with_suffix(".bgz"))
        Path(f"{gz}.tbi").rename(f"{gz.with_suffix('.bgz')}.tbi")
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
    """``clinvar.vcf.gz`` as NCBI writes it: contigs named ``1``.. (here ``SYN1``, ``X``), no lengths."""
    header = [
        "##fileformat=VCFv4.1",
        '##FILTER=<ID=PASS,Description="All filters passed">',
        f"##fileDate={RELEASE}",
        f"##source=ClinVar-format SYNTHETIC records of the wgs-east test genome ({VERSION}); NOT real ClinVar",
        "##reference=GRCh38",
        '##ID=<Description="ClinVar Variation ID">',
        '##INFO=<ID=ALLELEID,Number=1,Type=Integer,Description="the ClinVar Allele ID">',
        '##INFO=<ID=CLNDN,Number=.,Type=String,Description="ClinVar\'s preferred disease name for the concept specified '
        'by disease identifiers in CLNDISDB">',
        '##INFO=<ID=CLNHGVS,Number=.,Type=String,Description="Top-level (primary assembly, alt, or patch) HGVS expression.">',
        '##INFO=<ID=CLNREVSTAT,Number=.,Type=String,Description="ClinVar review status for the Variation ID">',
        '##INFO=<ID=CLNSIG,Number=.,Type=String,Description="Clinical significance for this single variant">',
        '##INFO=<ID=CLNVC,Number=1,Type=String,Description="Variant type">',
        '##INFO=<ID=GENEINFO,Number=1,Type=String,Description="Gene(s) for the variant reported as gene symbol:gene id. '
        'The gene symbol and id are delimited by a colon (:) and each pair is delimited by a vertical bar (|)">',
        *(f"##contig=<ID={bare(c)}>" for c in CONTIGS),
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO",
    ]  # fmt: skip
    lines = []
    for r in recs:
        disease = GENE_FACTS[str(r["gene"])][0].split(" (")[0].replace(" ", "_")
        info = (f"ALLELEID={int(str(r['id'])) + 100_000};CLNDN={disease};"
                f"CLNHGVS={bare(str(r['chrom']))}:g.{r['pos']}{r['ref']}>{r['alt']};CLNREVSTAT={r['revstat']};"
                f"CLNSIG={r['sig']};CLNVC=single_nucleotide_variant;GENEINFO={r['gene']}:9{str(r['id'])[-5:]}")  # fmt: skip
        lines.append(f"{bare(str(r['chrom']))}\t{r['pos']}\t{r['id']}\t{r['ref']}\t{r['alt']}\t.\t.\t{info}")
    path = UP / "clinvar.vcf"
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
    # REVEL v1.3: revel_with_transcript_ids (CSV, contigs named 1.., hg19 and GRCh38 positions) in its zip
    csv_text = "chr,hg19_pos,grch38_pos,ref,alt,aaref,aaalt,REVEL,Ensembl_transcriptid\n" + "".join(
        f"{bare(c)},{g},{g},{r},{a},{aa},{new},{score},{tx}\n"
        for c, g, r, a, aa, new, score, tx in sorted(revel_rows, key=lambda r: (*key(r[0], r[1]), r[3])))  # fmt: skip
    info = zipfile.ZipInfo("revel_with_transcript_ids", date_time=(2021, 5, 3, 0, 0, 0))
    info.compress_type, info.external_attr = zipfile.ZIP_DEFLATED, 0o644 << 16
    with zipfile.ZipFile(UP / "revel-v1.3_all_chromosomes.zip", "w") as zf:
        zf.writestr(info, csv_text)
    # SpliceAI masked precomputed VCFs: SNVs and indels, SpliceAI=ALLELE|SYMBOL|DS_AG|DS_AL|DS_DG|DS_DL|DP_*
    body: dict[str, list[str]] = {"snv": [], "indel": []}
    for (chrom, g, ref, alt), (gene, comp, score) in sorted(splice_rows.items(), key=lambda kv: (*key(*kv[0][:2]), kv[0][2], kv[0][3])):
        ds = {c: round(score * 0.3 * unit("ds", c, g, alt), 2) for c in ("DS_AG", "DS_AL", "DS_DG", "DS_DL")}
        ds[comp] = score
        dp = [str(int(100 * unit("dp", c, g, alt)) - 50) for c in ("AG", "AL", "DG", "DL")]
        entry = "|".join([alt, gene, *(f"{v:.2f}" for v in ds.values()), *dp])
        kind = "snv" if len(ref) == len(alt) == 1 else "indel"
        body[kind].append(f"{bare(chrom)}\t{g}\t.\t{ref}\t{alt}\t.\t.\tSpliceAI={entry}")
    for kind, lines in body.items():
        path = UP / f"spliceai_scores.masked.{kind}.hg38.vcf"
        path.write_text(SPLICEAI_HEADER + "\n".join(lines) + "\n")
        bgzip_index(path, vcf=True)
    return revel_found, {pid: SPLICEAI[pid] for pid in planted}


# --- gene table, manifest, expected -------------------------------------------------------------
# --- gene table sources: gnomAD constraint, GenCC, ClinGen dosage, Gene2Phenotype -----------------
MOI_TERMS = {"AD": ("HP:0000006", "Autosomal dominant"), "AR": ("HP:0000007", "Autosomal recessive"),
             "XLR": ("HP:0001419", "X-linked recessive")}  # fmt: skip
G2P_REQUIREMENT = {"AD": "monoallelic_autosomal", "AR": "biallelic_autosomal", "XLR": "monoallelic_X_hemizygous"}
CONSTRAINT_COLUMNS = ("gene", "gene_id", "transcript", "canonical", "mane_select", "transcript_version",
                      "transcript_type", "chromosome", "start_position", "end_position", "cds_length",
                      "num_coding_exons", "constraint_flags", "lof.obs", "lof.exp", "lof.oe", "lof.oe_ci.lower",
                      "lof.oe_ci.upper", "lof.pLI", "lof.pNull", "lof.pRec", "mis.z_score", "syn.z_score")  # fmt: skip
GENCC_COLUMNS = ("sgc_id", "version_number", "gene_curie", "gene_symbol", "disease_curie", "disease_title",
                 "disease_original_curie", "disease_original_title", "classification_curie", "classification_title",
                 "moi_curie", "moi_title", "submitter_curie", "submitter_title", "submitted_as_hgnc_id",
                 "submitted_as_hgnc_symbol", "submitted_as_disease_id", "submitted_as_disease_name",
                 "submitted_as_moi_id", "submitted_as_moi_name", "submitted_as_submitter_id",
                 "submitted_as_submitter_name", "submitted_as_classification_id", "submitted_as_classification_name",
                 "submitted_as_date", "submitted_as_public_report_url", "submitted_as_notes", "submitted_as_pmids",
                 "submitted_as_assertion_criteria_url", "submitted_as_submission_id", "submitted_run_date")  # fmt: skip
CLINGEN_COLUMNS = ("#Gene Symbol", "Gene ID", "cytoBand", "Genomic Location", "Haploinsufficiency Score",
                   "Haploinsufficiency Description", *(f"Haploinsufficiency PMID{i}" for i in range(1, 7)),
                   "Triplosensitivity Score", "Triplosensitivity Description",
                   *(f"Triplosensitivity PMID{i}" for i in range(1, 7)), "Date Last Evaluated",
                   "Haploinsufficiency Disease ID", "Triplosensitivity Disease ID")  # fmt: skip
G2P_COLUMNS = ("g2p id", "gene symbol", "gene mim", "hgnc id", "previous gene symbols", "disease name", "disease mim",
               "disease MONDO", "allelic requirement", "cross cutting modifier", "confidence", "variant consequence",
               "variant types", "molecular mechanism", "molecular mechanism categorisation",
               "molecular mechanism evidence", "phenotypes", "publications", "panel", "comments",
               "date of last review")  # fmt: skip
DOSAGE_TEXT = {"0": "No Evidence", "1": "Little Evidence", "2": "Emerging Evidence", "3": "Sufficient Evidence",
               "30": "Gene Associated with Autosomal Recessive Phenotype"}  # fmt: skip


def _table(columns: tuple[str, ...], rows: list[dict[str, str]], sep: str = "\t", preamble: str = "") -> str:
    out = io.StringIO()
    out.write(preamble)
    w = csv.DictWriter(out, fieldnames=columns, delimiter=sep, lineterminator="\n", restval="",
                       quoting=csv.QUOTE_MINIMAL if sep == "\t" else csv.QUOTE_ALL)  # fmt: skip
    w.writeheader()
    w.writerows(rows)
    return out.getvalue()


def write_gene_sources(design: dict, transcripts: dict[str, tuple[str, TranscriptModel, str]]) -> None:
    """The gene table's upstream files, one gene-disease pair per gene: inheritance from GenCC (HPO mode
    terms) and G2P, the LoF mechanism from ClinGen dosage (HI 3 / 30) or G2P's molecular mechanism, HPO
    terms from G2P's phenotypes, LOEUF / pLI of the MANE transcript from the gnomAD constraint table."""
    constraint, gencc, clingen, g2p = [], [], [], []
    for i, g in enumerate(design["genes"], start=1):
        sym, moi = g["symbol"], g["inheritance"]
        disease, hi, loeuf, pli, hpo = GENE_FACTS[sym]
        lof = "LoF" in g["mechanism"] and "not a known mechanism" not in g["mechanism"]
        chrom, model, tx_id = transcripts[sym]
        mondo, omim, hgnc = f"MONDO:9{i:06d}", f"OMIM:9{i:05d}", f"HGNC:9{i:04d}"
        constraint.append({
            "gene": sym, "gene_id": g["gene_id"], "transcript": tx_id, "canonical": "true", "mane_select": "true",
            "transcript_version": "1", "transcript_type": "protein_coding", "chromosome": chrom,
            "start_position": str(model.start), "end_position": str(model.end), "cds_length": "NA",
            "num_coding_exons": str(len(model.exons)), "constraint_flags": "[]", "lof.obs": "NA", "lof.exp": "NA",
            "lof.oe": "NA", "lof.oe_ci.lower": "NA", "lof.oe_ci.upper": f"{loeuf:g}", "lof.pLI": f"{pli:g}",
            "lof.pNull": "NA", "lof.pRec": "NA", "mis.z_score": "NA", "syn.z_score": "NA",
        })  # fmt: skip
        term, title = MOI_TERMS[moi]
        gencc.append({
            "sgc_id": f"SGC-9{i:05d}", "version_number": "1", "gene_curie": hgnc, "gene_symbol": sym,
            "disease_curie": mondo, "disease_title": disease, "disease_original_curie": omim,
            "disease_original_title": disease.upper(), "classification_curie": "GENCC:100001",
            "classification_title": "Definitive", "moi_curie": term, "moi_title": title,
            "submitter_curie": "GENCC:999999", "submitter_title": "wgs-east synthetic (TEST ONLY)",
            "submitted_as_hgnc_id": hgnc, "submitted_as_hgnc_symbol": sym, "submitted_as_disease_id": omim,
            "submitted_as_disease_name": disease, "submitted_as_moi_id": term, "submitted_as_moi_name": f"{title} inheritance",
            "submitted_as_submitter_id": "GENCC:999999", "submitted_as_submitter_name": "wgs-east synthetic (TEST ONLY)",
            "submitted_as_classification_id": "GENCC:100001", "submitted_as_classification_name": "Definitive",
            "submitted_as_date": f"{RELEASE} 00:00:00", "submitted_run_date": RELEASE,
        })  # fmt: skip
        ts = TRIPLOSENSITIVITY[sym]
        clingen.append({
            "#Gene Symbol": sym, "Gene ID": str(90_000 + i), "cytoBand": "", "Genomic Location":
            f"{chrom}:{model.start}-{model.end}", "Haploinsufficiency Score": hi,
            "Haploinsufficiency Description": DOSAGE_TEXT[hi], "Triplosensitivity Score": ts,
            "Triplosensitivity Description": DOSAGE_TEXT[ts], "Date Last Evaluated": RELEASE,
            "Haploinsufficiency Disease ID": mondo if hi in ("3", "30") else "",
            "Triplosensitivity Disease ID": mondo if ts == "3" else "",
        })  # fmt: skip
        mechanism = "loss of function" if lof else ("dominant negative" if "dominant negative" in g["mechanism"]
                                                     else "gain of function")  # fmt: skip
        g2p.append({
            "g2p id": f"G2P9{i:04d}", "gene symbol": sym, "gene mim": "", "hgnc id": hgnc.split(":")[1],
            "disease name": disease, "disease mim": omim.split(":")[1], "disease MONDO": mondo,
            "allelic requirement": G2P_REQUIREMENT[moi], "confidence": "definitive",
            "variant consequence": "absent gene product" if lof else "altered gene product structure",
            "molecular mechanism": mechanism, "molecular mechanism categorisation": "inferred",
            "phenotypes": "; ".join(hpo.split("|")), "panel": "DD", "date of last review": RELEASE,
        })  # fmt: skip
    (UP / "gnomad.v4.1.constraint_metrics.tsv").write_text(_table(CONSTRAINT_COLUMNS, constraint))
    (UP / "gencc-submissions.tsv").write_text(_table(GENCC_COLUMNS, gencc))
    preamble = (f"#ClinGen Gene Curation Results\n#{RELEASE}\n#SYNTHETIC dosage scores of the wgs-east test genome "
                "(TEST ONLY)\n#Genomic Locations are reported on the test genome\n")  # fmt: skip
    (UP / "ClinGen_gene_curation_list_GRCh38.tsv").write_text(_table(CLINGEN_COLUMNS, clingen, preamble=preamble))
    (UP / "G2P_DD.csv").write_text(_table(G2P_COLUMNS, g2p, sep=","))


def write_gene_models() -> None:
    """``Homo_sapiens.GRCh38.113.gff3.gz`` as Ensembl writes it (contigs ``SYN1``, ``X``): the designed gene
    models of ``test_data/genes/genes.gff3``, renamed back to ``chr`` names by the workflow."""
    out = []
    for line in (TD / "genes" / "genes.gff3").read_text().splitlines(keepends=True):
        if line.startswith("##sequence-region"):
            f = line.split()
            out.append(f"##sequence-region   {bare(f[1])} {' '.join(f[2:])}\n")
        elif line.startswith("#") or not line.strip():
            out.append(line)
        else:
            out.append(bare(line.split("\t", 1)[0]) + "\t" + line.split("\t", 1)[1])
    gzip_plain("".join(out), UP / "Homo_sapiens.GRCh38.113.gff3.gz")


# --- the bundle workflow ------------------------------------------------------------------------
MANIFEST_HEAD = {
    "bundle": "wgs-east-test", "version": VERSION, "build": "GRCh38", "synthetic": True,
    "description": "SYNTHETIC bundle of the test genome (chr22 slice + chrSYN1/chrSYN2/chrX/chrY); never clinical",
    "sources": {},
}  # fmt: skip
DESCRIPTIONS = {
    "gene_models": "Ensembl-format GFF3 of the designed genes (test_data/genes/genes.gff3)",
    "gnomad": "gnomAD-v4-format sites of the population pool, every site with its FILTER",
    "clinvar": "ClinVar-format records designated by the truth design",
    "revel": "REVEL-format scores of every missense SNV of the MANE transcripts",
    "spliceai": "SpliceAI-format max delta scores around every junction",
    "gene_table": "GenCC + ClinGen dosage + G2P per gene-disease pair; gnomAD constraint",
}  # fmt: skip


def workflow_config(gnomad_chroms: list[str]) -> dict[str, object]:
    """``test_data/resources/upstream/bundle.yaml``: how ``resources/Snakefile`` builds the test bundle."""
    sources = list(DESCRIPTIONS)
    return {
        "chroms": list(CONTIGS), "contigs": list(CONTIGS), "non_par": [f"{c}:1-{n}" for c, n in NON_PAR_TEST],
        "gnomad_datasets": ["genomes"], "gnomad_chroms": {"genomes": gnomad_chroms}, "gnomad_mito": "",
        "g2p": ["G2P_DD.csv"],
        "version": dict.fromkeys(sources, VERSION), "release_date": dict.fromkeys(sources, RELEASE),
        "url": dict.fromkeys(sources, "test_data/resources/upstream (synthetic; made by scripts/make_test_resources.py)"),
        "description": {k: f"SYNTHETIC - {v}" for k, v in DESCRIPTIONS.items()},
    }  # fmt: skip


def build_bundle(upstream: Path, bundle: Path, *, cores: int = 2) -> subprocess.CompletedProcess[str]:
    """Run ``resources/Snakefile`` on copies of the upstream files (the workflow unzips REVEL next to them)
    into ``bundle`` (created; its manifest seeded with the test bundle's name and ``synthetic: true``)."""
    downloads = bundle.parent / f"{bundle.name}.downloads"
    shutil.copytree(upstream, downloads, dirs_exist_ok=True)
    bundle.mkdir(parents=True, exist_ok=True)
    (bundle / "manifest.yaml").write_text(yaml.safe_dump(MANIFEST_HEAD, sort_keys=False))
    snakemake = Path(sys.executable).parent / "snakemake"
    cmd = [str(snakemake), "-s", str(REPO / "resources" / "Snakefile"), "--cores", str(cores), "--quiet", "all",
           "--configfile", str(upstream / "bundle.yaml"), "--config", f"bundle={bundle}", f"downloads={downloads}",
           f"python={sys.executable}"]  # fmt: skip
    return subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=bundle.parent)


def bundle_files(bundle: Path) -> list[str]:
    """The files of a built bundle that are committed: the manifest, every source's file and index, the pairs."""
    data = yaml.safe_load((bundle / "manifest.yaml").read_text())
    names = ["manifest.yaml"]
    for src in data["sources"].values():
        names += [n for n in (src["path"], f"{src['path']}.tbi", f"{src['path']}.csi", src.get("pairs"))
                  if n and (bundle / n).exists()]  # fmt: skip
    return names


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
                "pop_nhom": "" if rec is None else rec["_nhom"],
                "pop_nhemi": "" if rec is None or rec["_nhemi"] is None else rec["_nhemi"],
                "popmax_af": "" if rec is None else f"{rec['AF_grpmax']:g}",
                "popmax_pop": "" if rec is None else rec["grpmax"],
                "clinvar_sig": "" if c is None else c["sig"], "clinvar_stars": -1 if c is None else stars[str(c["revstat"])],
                "clinvar_same_aa_stars": -1, "clinvar_same_residue_stars": 2 if p["id"] == "HOM_MIS_PM5" else -1,
                "revel": f"{revel[p['id']]:g}" if p["id"] in revel else "", "spliceai": f"{spliceai[p['id']]:g}",
                "gene_moi": g["inheritance"], "lof_mechanism": str(lof).lower(),
            }  # fmt: skip
            fh.write("\t".join(str(row[k]) for k in EXPECTED_COLUMNS) + "\n")


GENE_TABLE_CHECKED = ("moi", "lof_mechanism", "haploinsufficiency", "triplosensitivity", "loeuf", "pli", "disease", "hpo")


def check_gene_table(path: Path, design: dict) -> None:
    """The built gene table says what the design says of each gene (inheritance, LoF mechanism) and carries
    the invented facts of ``GENE_FACTS`` / ``TRIPLOSENSITIVITY``: the upstream files reproduce them."""
    rows = {r["symbol"]: r for r in read_tsv(path)}
    for g in design["genes"]:
        disease, hi, loeuf, pli, hpo = GENE_FACTS[g["symbol"]]
        lof = "LoF" in g["mechanism"] and "not a known mechanism" not in g["mechanism"]
        want = (g["inheritance"], str(lof).lower(), hi, TRIPLOSENSITIVITY[g["symbol"]], f"{loeuf:g}", f"{pli:g}",
                disease, hpo)  # fmt: skip
        got = tuple(rows[g["symbol"]][c] for c in GENE_TABLE_CHECKED)
        assert got == want, (g["symbol"], got, want)
    assert sorted(rows) == sorted(g["symbol"] for g in design["genes"]), sorted(rows)


def write_upstream(design: dict, planted: dict[str, dict[str, str]], pool: list[dict[str, str]]) -> tuple:
    """Every synthetic upstream file (``UP``) and ``bundle.yaml``; returns what ``write_expected`` needs."""
    UP.mkdir(parents=True, exist_ok=True)
    for old in UP.iterdir():  # everything but the README is written below
        if old.name != "README.md":
            old.unlink()
    with open(TD / "genes" / "genes.gff3") as fh:
        transcripts = parse_gff3(fh)
    models = {t.gene: (t.chrom, t.model) for t in transcripts if t.rank == 1}
    tx = {t.id: t.model for t in transcripts}
    genome = pysam.FastaFile(str(TD / "reference" / "genome.fa"))
    for pid, where in LOCATION.items():  # the design's exon/intron numbers, checked on the gene models
        p = planted[pid]
        kind, k = tx[p["transcript"]].region(int(p["pos"]) + (1 if len(p["ref"]) > 1 else 0))
        assert where.startswith(f"{kind} {k}/"), (pid, kind, k)
    write_gene_models()
    pop = write_population(pool)
    clinvar = clinvar_records(planted, design, tx, genome)
    write_clinvar(clinvar)
    revel, spliceai = write_scores(planted, design, models, genome)
    write_gene_sources(design, {t.gene: (t.chrom, t.model, t.id) for t in transcripts if t.rank == 1})
    gnomad_chroms = sorted({c for c, *_ in pop}, key=CONTIGS.index)
    config = workflow_config(gnomad_chroms)
    (UP / "bundle.yaml").write_text("# resources/Snakefile config of the test bundle (scripts/make_test_resources.py)\n"
                                    + yaml.safe_dump(config, sort_keys=False, width=120))  # fmt: skip
    return pop, clinvar, revel, spliceai


def main(argv: list[str] | None = None) -> int:
    global OUT, UP
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--outdir", default=str(OUT), help="bundle directory (default: test_data/resources)")
    parser.add_argument("--upstream", help="where the synthetic upstream files go (default: OUTDIR/upstream)")
    parser.add_argument("--cores", type=int, default=2, help="cores of the bundle workflow")
    parser.add_argument("--upstream-only", action="store_true", help="write the upstream files only (no workflow)")
    args = parser.parse_args(argv)
    OUT = Path(args.outdir).absolute()
    UP = Path(args.upstream).absolute() if args.upstream else OUT / "upstream"
    OUT.mkdir(parents=True, exist_ok=True)
    design = json.loads((TD / "truth" / "haplotype_design.json").read_text())
    planted_rows = read_tsv(TD / "truth" / "planted.tsv")
    planted = {p["id"]: p for p in planted_rows}
    pool = read_tsv(TD / "truth" / "population_pool.tsv")
    pop, clinvar, revel, spliceai = write_upstream(design, planted, pool)
    if args.upstream_only:
        print(f"wrote {UP}")
        return 0
    with tempfile.TemporaryDirectory(prefix="wgs-east-test-bundle-") as tmp:
        bundle = Path(tmp) / "bundle"
        proc = build_bundle(UP, bundle, cores=args.cores)
        if proc.returncode != 0:
            print(proc.stdout[-2000:], proc.stderr[-4000:], sep="\n", file=sys.stderr)
            return 1
        check_gene_table(bundle / "gene_table.tsv", design)
        keep = {"README.md", "expected_annotations.tsv", UP.name}
        for old in OUT.iterdir():  # files of an earlier bundle layout go
            if old.name not in keep and old.is_file():
                old.unlink()
        for name in bundle_files(bundle):
            shutil.copyfile(bundle / name, OUT / name)
    write_expected(planted_rows, pop, clinvar, revel, spliceai, design)
    print(f"wrote {UP} and the bundle built from it by resources/Snakefile: {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
