"""Synthetic upstream files in the REAL formats, for the bundle-build benchmark and the workflow test.

- gnomAD v4 sites VCF of one chromosome: the header of the real v4.0 exomes excerpt
  (``../shared/data/real-resources``) and records carrying the INFO column of the real excerpts' records
  (cycled; all ~ 800 tags and ``vep``) at new positions; ~ 8 % non-PASS (AC0, AS_VQSR); bgzip + tabix;
- SpliceAI precomputed VCF (``spliceai_scores.masked.snv.hg38.vcf.gz``): contigs ``1``.., three alleles
  per position, ``SpliceAI=ALLELE|SYMBOL|DS_AG|DS_AL|DS_DG|DS_DL|DP_AG|DP_AL|DP_DG|DP_DL`` (the real file:
  ~ 3.4 G rows in all, chr1 ~ 250 M), and an indel file a tenth of its size; bgzip + tabix;
- REVEL v1.3 CSV (``revel_with_transcript_ids``): ``chr,hg19_pos,grch38_pos,ref,alt,aaref,aaalt,REVEL,
  Ensembl_transcriptid``, rows in hg19 order with GRCh38 positions shuffled locally (~ 82 M rows in all).

Values are random (seeded): this is for speed and format, never for classification.

    python bench/make_bundle_inputs.py --outdir DIR --gnomad-records 100000 --spliceai-positions 50000
"""

from __future__ import annotations

import argparse
import gzip
import random
import subprocess
from pathlib import Path

REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "real-resources"
GNOMAD_TEMPLATE = REAL / "gnomad_v4.0_exomes_chrX_excerpt.vcf.gz"
SPLICEAI_HEADER = (
    "##fileformat=VCFv4.0\n"
    '##INFO=<ID=SpliceAI,Number=.,Type=String,Description="SpliceAIv1.3 variant annotation. These include delta '
    "scores (DS) and delta positions (DP) for acceptor gain (AG), acceptor loss (AL), donor gain (DG), and donor "
    'loss (DL). Format: ALLELE|SYMBOL|DS_AG|DS_AL|DS_DG|DS_DL|DP_AG|DP_AL|DP_DG|DP_DL">\n'
    + "".join(f"##contig=<ID={c},length={n}>\n" for c, n in (("1", 248956422), ("X", 156040895)))
    + "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
)
BASES = "ACGT"


def _bgzip_index(plain: Path, *, vcf: bool) -> Path:
    subprocess.run(["bgzip", "-f", str(plain)], check=True)
    gz = plain.with_name(plain.name + ".gz")
    subprocess.run(["tabix", "-f", *(["-p", "vcf"] if vcf else ["-s1", "-b2", "-e2"]), str(gz)], check=True)
    return gz


def gnomad_header() -> str:
    """The real v4.0 header (FILTER, INFO, contig lines), with the INFO lines of the genomes excerpt that the
    exomes header lacks (the genomes have more groups, e.g. ``ami``)."""
    with gzip.open(GNOMAD_TEMPLATE, "rt") as fh:
        lines = [line for line in fh if line.startswith("#")]
    with gzip.open(REAL / "gnomad_v4.0_genomes_chr1_excerpt.vcf.gz", "rt") as fh:
        extra = [line for line in fh if line.startswith("##INFO") and line not in lines]
    return "".join([*lines[:-1], *extra, lines[-1]])


def real_gnomad_info() -> list[str]:
    """The INFO column of every record of the three real gnomAD v4.0 excerpts (all ~ 800 tags and ``vep``:
    a synthetic record costs bcftools what a real one does)."""
    out = []
    for name in ("gnomad_v4.0_genomes_chr1_excerpt.vcf.gz", "gnomad_v4.0_exomes_chr1_excerpt.vcf.gz",
                 "gnomad_v4.0_exomes_chrX_excerpt.vcf.gz"):  # fmt: skip
        with gzip.open(REAL / name, "rt") as fh:
            out += [line.rstrip("\n").split("\t", 8)[7] for line in fh if not line.startswith("#")]
    return out


def gnomad_vcf(path: Path, chrom: str, records: int, seed: int = 1) -> Path:
    """``path`` (``*.vcf.bgz`` name kept, as upstream) + ``.tbi``: ``records`` sites on ``chrom`` with the INFO
    of real records (cycled), new positions and alleles; FILTER ~ 5 % AC0, ~ 3 % AS_VQSR, else PASS."""
    rng = random.Random(seed)
    infos = real_gnomad_info()
    plain = path.with_name(path.name + ".plain.vcf")
    pos = 10_000 if chrom != "chrX" else 2_700_000  # chrX: PAR1 and non-PAR
    with open(plain, "w") as fh:
        fh.write(gnomad_header())
        for i in range(records):
            pos += rng.randint(1, 40)
            ref = rng.choice(BASES)
            alt = rng.choice([b for b in BASES if b != ref])
            draw = rng.random()
            flt = "AC0" if draw < 0.05 else "AS_VQSR" if draw < 0.08 else "PASS"
            fh.write(f"{chrom}\t{pos}\trs{i}\t{ref}\t{alt}\t.\t{flt}\t{infos[i % len(infos)]}\n")
    gz = _bgzip_index(plain, vcf=True)
    gz.replace(path)
    Path(f"{gz}.tbi").replace(f"{path}.tbi")
    return path


def spliceai_vcf(path: Path, chrom: str, positions: int, *, indel: bool = False, seed: int = 2) -> Path:
    """``path`` (+ ``.tbi``): 3 alleles per position (SNVs), or one deletion per position (indels)."""
    rng = random.Random(seed)
    plain = path.with_suffix("")
    bare = chrom.removeprefix("chr")
    pos = 69_000
    with open(plain, "w") as fh:
        fh.write(SPLICEAI_HEADER)
        for _ in range(positions):
            pos += rng.randint(1, 3) if not indel else rng.randint(5, 30)
            ref = rng.choice(BASES)
            alts = [ref + rng.choice(BASES)] if indel else [b for b in BASES if b != ref]
            for alt in alts:
                ds = [f"{rng.random() ** 8:.2f}" for _ in range(4)]
                dp = [str(rng.randint(-50, 50)) for _ in range(4)]
                fh.write(f"{bare}\t{pos}\t.\t{ref}\t{alt}\t.\t.\tSpliceAI={alt}|GENE{pos // 50_000}|{'|'.join(ds)}|{'|'.join(dp)}\n")
    _bgzip_index(plain, vcf=True)
    return path


GNOMAD_MITO_HEADER = (
    # header lines as gnomAD's mitochondrial release writes them (gnomad.genomes.v3.1.sites.chrM.vcf.bgz; copied
    # from a real excerpt, varfish-org/annonars tests/gnomad-mtdna), the tags used by the records below
    "##fileformat=VCFv4.2\n##hailversion=0.2.61-3c86d3ba497a\n"
    '##FILTER=<ID=artifact_prone_site,Description="Variant overlaps site that is commonly reported in literature to '
    'be artifact prone">\n'
    '##FILTER=<ID=indel_stack,Description="Allele where all samples with the variant call had at least 2 different '
    'heteroplasmic indels called at the position">\n'
    '##FILTER=<ID=npg,Description="No-pass-genotypes site (no individuals were PASS for the variant)">\n'
    '##INFO=<ID=filters,Number=.,Type=String,Description="Site-level filters">\n'
    '##INFO=<ID=variant_collapsed,Number=1,Type=String,Description="Variant in format of RefPosAlt">\n'
    '##INFO=<ID=excluded_AC,Number=1,Type=Integer,Description="Excluded allele count (number of individuals in '
    'which the variant was filtered out)">\n'
    '##INFO=<ID=AN,Number=1,Type=Integer,Description="Overall allele number (number of samples with non-missing '
    'genotype)">\n'
    '##INFO=<ID=AC_hom,Number=1,Type=Integer,Description="Allele count restricted to variants with a heteroplasmy '
    'level >= 0.95">\n'
    '##INFO=<ID=AC_het,Number=1,Type=Integer,Description="Allele count restricted to variants with a heteroplasmy '
    'level >= 0.10 and < 0.95">\n'
    '##INFO=<ID=hl_hist,Number=1,Type=String,Description="Histogram of heteroplasmy levels; bin edges are: [0.0, '
    '0.1, 0.2, 0.30000000000000004, 0.4, 0.5, 0.6000000000000001, 0.7000000000000001, 0.8, 0.9, 1.0]">\n'
    '##INFO=<ID=dp_mean,Number=1,Type=Float,Description="Mean depth across all individuals for the site">\n'
    '##INFO=<ID=AF_hom,Number=1,Type=Float,Description="Allele frequency restricted to variants with a heteroplasmy '
    'level >= 0.95">\n'
    '##INFO=<ID=AF_het,Number=1,Type=Float,Description="Allele frequency restricted to variants with a heteroplasmy '
    'level >= 0.10 and < 0.95">\n'
    '##INFO=<ID=max_hl,Number=1,Type=Float,Description="Maximum heteroplasmy level observed among all samples for '
    'that variant">\n'
    '##INFO=<ID=hapmax_AF_hom,Number=1,Type=String,Description="Haplogroup with maximum AF_hom">\n'
    '##INFO=<ID=faf_hapmax_hom,Number=1,Type=Float,Description="Maximum filtering allele frequency across '
    'haplogroups restricted to homoplasmic variants">\n'
    "##VEP version=v101\n##dbSNP version=b154\n"
    "##contig=<ID=chrM,length=16569,assembly=GRCh38>\n"
    "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
)
MITO_FILTERS = ("PASS", "PASS", "PASS", "npg", "artifact_prone_site", "indel_stack", "artifact_prone_site;npg")


def gnomad_mito_vcf(path: Path, records: int, seed: int = 4) -> Path:
    """``path`` (+ ``.tbi``): gnomAD's mitochondrial sites VCF format (``AN``, ``AC_hom``, ``AC_het``,
    ``AF_hom``, ``AF_het``, ``max_hl``; FILTER PASS / npg / artifact_prone_site / indel_stack, repeated in
    INFO ``filters`` as gnomAD does; no AC / AF), random values, ~ 56,000 individuals as in v3.1."""
    rng = random.Random(seed)
    plain = path.with_name(path.name.removesuffix(".bgz").removesuffix(".gz"))
    pos = 0
    with open(plain, "w") as fh:
        fh.write(GNOMAD_MITO_HEADER)
        for i in range(records):
            pos += rng.randint(1, 40)
            ref = rng.choice(BASES)
            alt = rng.choice([b for b in BASES if b != ref]) if i % 5 else ref + rng.choice(BASES)
            filt = MITO_FILTERS[i % len(MITO_FILTERS)]
            an = 56_434 - rng.randint(0, 5)
            hom, het = (0, 0) if filt == "npg" else (rng.randint(0, 400) ** 2 // 100, rng.randint(0, 30))
            info = ([f"filters={filt.replace(';', ',')}"] if filt != "PASS" else []) + [
                f"variant_collapsed={ref}{pos}{alt}", f"excluded_AC={rng.randint(0, 3)}", f"AN={an}",
                f"AC_hom={hom}", f"AC_het={het}", "hl_hist=0|0|0|0|0|0|0|0|0|0", f"dp_mean={rng.uniform(2000, 3000):.2f}",
                f"AF_hom={hom / an:.6g}", f"AF_het={het / an:.6g}",
                f"max_hl={0.997 if hom else (rng.uniform(0.1, 0.9) if het else 0):.6f}", "hapmax_AF_hom=H",
                f"faf_hapmax_hom={hom / an / 2:.6g}",
            ]  # fmt: skip
            fh.write(f"chrM\t{pos}\t.\t{ref}\t{alt}\t.\t{filt}\t{';'.join(info)}\n")
    gz = _bgzip_index(plain, vcf=True)
    gz.rename(path)
    Path(f"{gz}.tbi").rename(f"{path}.tbi")
    return path


def revel_csv(path: Path, chrom: str, rows: int, seed: int = 3) -> Path:
    """REVEL CSV rows of one chromosome, GRCh38 positions locally out of order (the file is in hg19 order)."""
    rng = random.Random(seed)
    bare = chrom.removeprefix("chr")
    pos = 35_000
    with open(path, "w") as fh:
        fh.write("chr,hg19_pos,grch38_pos,ref,alt,aaref,aaalt,REVEL,Ensembl_transcriptid\n")
        for _ in range(rows):
            pos += rng.randint(1, 3)
            g38 = pos + rng.randint(-2_000, 2_000) + 100_000
            ref = rng.choice(BASES)
            alt = rng.choice([b for b in BASES if b != ref])
            fh.write(f"{bare},{pos},{g38},{ref},{alt},R,W,{rng.random():.3f},ENST{rng.randint(1, 9):011d}\n")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--outdir", required=True, type=Path)
    parser.add_argument("--chrom", default="chr1")
    parser.add_argument("--gnomad-records", type=int, default=100_000)
    parser.add_argument("--spliceai-positions", type=int, default=50_000)
    parser.add_argument("--revel-rows", type=int, default=100_000)
    args = parser.parse_args(argv)
    args.outdir.mkdir(parents=True, exist_ok=True)
    for dataset in ("genomes", "exomes"):
        gnomad_vcf(args.outdir / f"gnomad.{dataset}.v4.1.sites.{args.chrom}.vcf.bgz", args.chrom, args.gnomad_records)
    spliceai_vcf(args.outdir / "spliceai_scores.masked.snv.hg38.vcf.gz", args.chrom, args.spliceai_positions)
    spliceai_vcf(args.outdir / "spliceai_scores.masked.indel.hg38.vcf.gz", args.chrom, args.spliceai_positions // 10,
                 indel=True)  # fmt: skip
    revel_csv(args.outdir / "revel_with_transcript_ids", args.chrom, args.revel_rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
