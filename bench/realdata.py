"""The real GIAB reads of ../shared/data/real/ (see its README): datasets, thinning, the plain joint baseline,
scoring. Used by bench/bench_real_accuracy.py and tests/test_real_data.py.

- Thinning keeps a deterministic fraction of the read pairs: a pair is kept when the CRC32 of its read name
  (without a /1 /2 suffix) modulo 1,000,000 is below fraction x 1,000,000. The same name gives the same
  decision in R1 and R2, in every run and on every machine.
- The plain joint baseline is `bwa mem | samtools sort` + `samtools markdup` per sample, then ONE
  `bcftools mpileup -a AD,DP` over all the batch's BAMs `| bcftools call -mv | bcftools norm`, no filter.
- Scoring is `wgs_east.evaluate.evaluate` (PASS or '.' records, inside the confident regions) for both.
"""

from __future__ import annotations

import gzip
import shutil
import subprocess
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "data" / "real"  # CI: shared/ beside the clone
REFERENCE = REAL / "chr20_9995000_10105000.fa"
HG002_TRUTH = REAL / "giab_hg002_chr20" / "HG002_truth_v4.2.1.vcf.gz"
HG002_BED = REAL / "giab_hg002_chr20" / "HG002_confident_v4.2.1.bed"
HG001_TRUTH = REAL / "giab_hg001_trio_chr20" / "HG001_truth_v3.3.2.vcf.gz"
HG001_BED = REAL / "giab_hg001_trio_chr20" / "HG001_confident_v3.3.2_subset.bed"


@dataclass(frozen=True)
class RealSample:
    id: str
    sex: str
    family: str
    folder: str
    coverage: float  # nominal full coverage (README of the data)
    father: str | None = None
    mother: str | None = None
    truth: Path | None = None
    bed: Path | None = None

    def fastqs(self) -> tuple[Path, Path]:
        return REAL / self.folder / f"{self.id}_R1.fastq.gz", REAL / self.folder / f"{self.id}_R2.fastq.gz"


HG002 = RealSample("HG002", "male", "AJ", "giab_hg002_chr20", 30.0, truth=HG002_TRUTH, bed=HG002_BED)
HG001 = RealSample("HG001", "female", "CEPH", "giab_hg001_trio_chr20", 27.0, father="NA12891", mother="NA12892",
                   truth=HG001_TRUTH, bed=HG001_BED)  # fmt: skip
NA12891 = RealSample("NA12891", "male", "CEPH", "giab_hg001_trio_chr20", 27.0)
NA12892 = RealSample("NA12892", "female", "CEPH", "giab_hg001_trio_chr20", 27.0)
TRIO = (HG001, NA12891, NA12892)

DATASETS: dict[str, tuple[RealSample, ...]] = {
    "HG002": (HG002,),
    "HG001_trio": TRIO,
    "all_four": (*TRIO, HG002),
}
COVERAGES: dict[str, float | None] = {"full": None, "15x": 15.0, "7x": 7.0}


def available() -> bool:
    return REFERENCE.is_file() and all(p.is_file() for s in (*TRIO, HG002) for p in s.fastqs())


def keep_fraction(sample: RealSample, coverage: float | None) -> float:
    return 1.0 if coverage is None else min(1.0, coverage / sample.coverage)


def _read_name(header: bytes) -> bytes:
    name = header[1:].split()[0]
    return name[:-2] if name.endswith((b"/1", b"/2")) else name


def thin_pairs(r1: Path, r2: Path, out1: Path, out2: Path, fraction: float) -> int:
    """Write the pairs whose read-name CRC32 falls below ``fraction``; returns the pairs kept."""
    cut = int(round(fraction * 1_000_000))
    kept = 0
    out1.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(r1, "rb") as a, gzip.open(r2, "rb") as b, \
            gzip.open(out1, "wb", compresslevel=1) as o1, gzip.open(out2, "wb", compresslevel=1) as o2:  # fmt: skip
        while True:
            rec1 = [a.readline() for _ in range(4)]
            rec2 = [b.readline() for _ in range(4)]
            if not rec1[0]:
                break
            name = _read_name(rec1[0])
            if name != _read_name(rec2[0]):
                raise ValueError(f"{r1} / {r2}: read names differ ({name!r})")
            if zlib.crc32(name) % 1_000_000 < cut:
                o1.writelines(rec1)
                o2.writelines(rec2)
                kept += 1
    return kept


def sample_fastqs(sample: RealSample, coverage_label: str, workdir: Path) -> tuple[Path, Path]:
    """The sample's FASTQs at this coverage (thinned copies under workdir/fastq/, made once)."""
    fraction = keep_fraction(sample, COVERAGES[coverage_label])
    if fraction >= 1.0:
        return sample.fastqs()
    out1 = workdir / "fastq" / coverage_label / f"{sample.id}_R1.fastq.gz"
    out2 = out1.with_name(f"{sample.id}_R2.fastq.gz")
    if not out2.exists():
        tmp1, tmp2 = out1.with_suffix(".tmp.gz"), out2.with_suffix(".tmp.gz")
        thin_pairs(*sample.fastqs(), tmp1, tmp2, fraction)
        tmp1.replace(out1)
        tmp2.replace(out2)
    return out1, out2


def batch_yaml(batch_id: str, samples: Sequence[RealSample], coverage_label: str, workdir: Path) -> Path:
    """A wgs-east batch YAML of these samples at this coverage (no annotation bundle, no sex chromosomes, no SV calling)."""
    entries = []
    for s in samples:
        r1, r2 = sample_fastqs(s, coverage_label, workdir)
        entry: dict[str, Any] = {"id": s.id, "sex": s.sex, "family": s.family, "affected": False}
        if s.father and any(m.id == s.father for m in samples):
            entry.update(father=s.father, mother=s.mother)
        entry["units"] = [{"id": "L1", "fastq1": str(r1), "fastq2": str(r2), "library": f"LIB_{s.id}"}]
        entries.append(entry)
    # SV calling off: these batches measure small-variant accuracy, and delly cannot estimate the library's
    # insert size from the few thousand pairs of the HG001 trio's 10 kb window ("Sample has not enough data
    # to estimate library parameters"); the GIAB windows have no SV truth either
    data = {"batch": batch_id, "reference": {"fasta": str(REFERENCE), "build": "GRCh37", "sex_chromosomes": None},
            "sv": {"enabled": False}, "samples": entries}  # fmt: skip
    path = workdir / f"{batch_id}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def _sh(cmd: str, log: Path) -> None:
    with open(log, "a") as fh:
        subprocess.run(["bash", "-c", f"set -euo pipefail; {cmd}"], check=True, stderr=fh, stdout=fh)


def baseline_vcf(samples: Sequence[RealSample], coverage_label: str, workdir: Path, fastq_root: Path,
                 threads: int = 1) -> Path:  # fmt: skip
    """The plain joint call of these samples at this coverage (see the module docstring); thinned FASTQs are
    made under (or reused from) ``fastq_root`` as by :func:`sample_fastqs`."""
    out = workdir / "baseline.vcf.gz"
    if out.exists():
        return out
    workdir.mkdir(parents=True, exist_ok=True)
    log = workdir / "baseline.log"
    ref = workdir / "ref.fa"
    if not Path(f"{ref}.bwt").exists():
        shutil.copyfile(REFERENCE, ref)
        _sh(f"bwa index {ref} && samtools faidx {ref}", log)
    bams = []
    for s in samples:
        r1, r2 = sample_fastqs(s, coverage_label, fastq_root)
        bam = workdir / f"{s.id}.bam"
        rg = f"@RG\\tID:{s.id}\\tSM:{s.id}\\tLB:LIB_{s.id}\\tPL:ILLUMINA"
        _sh(f"bwa mem -t {threads} -R '{rg}' {ref} {r1} {r2} | samtools fixmate -m - - "
            f"| samtools sort -o {bam}.sorted.bam - && samtools markdup {bam}.sorted.bam {bam} "
            f"&& samtools index {bam} && rm {bam}.sorted.bam", log)  # fmt: skip
        bams.append(str(bam))
    _sh(f"bcftools mpileup -a AD,DP -f {ref} {' '.join(bams)} -Ou | bcftools call -mv -Ou "
        f"| bcftools norm -f {ref} -m -any -Oz -o {out}.tmp.vcf.gz && tabix -p vcf {out}.tmp.vcf.gz "
        f"&& mv {out}.tmp.vcf.gz.tbi {out}.tbi && mv {out}.tmp.vcf.gz {out}", log)  # fmt: skip
    return out


def score(vcf: Path, samples: Sequence[RealSample]) -> dict[str, dict[str, Any]]:
    """Per sample with a truth set: SNV / INDEL precision, recall, F1, GT concordance (evaluate)."""
    from wgs_east.evaluate import evaluate

    out = {}
    for s in samples:
        if s.truth is None:
            continue
        res = evaluate(s.truth, vcf, REFERENCE, s.bed, [s.id])["samples"][s.id]
        out[s.id] = {t: {k: res[t][k] for k in ("TP", "FP", "FN", "precision", "recall", "F1", "gt_concordance")}
                     for t in ("SNV", "INDEL")}  # fmt: skip
    return out


def mendelian_errors(vcf: Path, child: str = "HG001", father: str = "NA12891", mother: str = "NA12892",
                     bed: Path | None = None) -> dict[str, Any]:  # fmt: skip
    """Trio genotypes of PASS biallelic records where all three are called with reads (FORMAT/DP > 0; inside
    ``bed`` if given): the number that no allele of a parent can explain (a diploid autosome), of all such
    records where one of the three carries an ALT."""
    import pysam

    regions = []
    if bed is not None:
        for line in Path(bed).read_text().splitlines():
            c, a, b = line.split("\t")[:3]
            regions.append((c, int(a), int(b)))
    checked = errors = 0
    with pysam.VariantFile(str(vcf)) as vf:
        for rec in vf:
            if rec.filter.keys() not in ([], ["PASS"]) or len(rec.alts or ()) != 1:
                continue
            if regions and not any(c == rec.chrom and a < rec.pos <= b for c, a, b in regions):
                continue
            gts = [rec.samples[s]["GT"] for s in (child, father, mother)]
            if any(g is None or len(g) != 2 or None in g for g in gts):
                continue
            if any(not rec.samples[s].get("DP") for s in (child, father, mother)):
                continue
            if not any(a for g in gts for a in g):
                continue
            checked += 1
            k, f, m = gts
            ok = (k[0] in f and k[1] in m) or (k[1] in f and k[0] in m)
            errors += not ok
    return {"records": checked, "errors": errors, "rate": errors / checked if checked else None}
