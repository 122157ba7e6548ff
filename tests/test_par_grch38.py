"""GRCh38 pseudo-autosomal regions end to end: the default `par_regions` (unset), real GRCh38 coordinates.

The test genome's X and Y share no sequence (`config/test.yaml` sets `par_regions: []`), so this test builds
its own small genome in a temporary directory (deterministic, nothing committed): a 2,900,000 bp chrX that is
N everywhere except an 80 kb window straddling the real PAR1 boundary (GRCh38 PAR1 = chrX:10,001-2,781,479,
Ensembl "Pseudoautosomal regions in human"; PAR2, chrX:155,701,383-156,030,895, does not fit in this X and
is dropped by the default, as documented), a 20 kb male-specific chrY and a 30 kb autosome. N runs cost
nothing: the calling chunks are cut at them. Reads are simulated with scripts/make_test_data.py's
simulator: the male carries two copies of the PAR part of the window (his X and his Y), one copy of the
rest. The real workflow (`wgs-east run`, bcftools gVCF calling with the ploidy files, joint genotyping)
then has to call him diploid inside PAR1 and haploid outside it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

from tests.conftest import REPO, wgs_east_cmd

pytestmark = pytest.mark.slow

PAR1_END = 2_781_479  # GRCh38 PAR1: chrX:10,001-2,781,479 (the same on chrY)
X_LENGTH = 2_900_000
WINDOW = (PAR1_END - 40_000 + 1, PAR1_END + 40_000)  # 1-based inclusive, 40 kb on each side of the boundary
Y_LENGTH, AUTO_LENGTH = 20_000, 30_000
# planted SNV positions (1-based): inside PAR1, and outside it on the X-specific side
PAR_HET = [PAR1_END - 38_000 + 3_000 * k for k in range(10)]  # male het (X copy ref, Y copy alt)
PAR_HOM = [PAR1_END - 36_500, PAR1_END - 9_500]  # male hom-alt
NONPAR_MALE = [PAR1_END + 2_000 + 3_000 * k for k in range(10)]  # male hemizygous
NONPAR_FEMALE = [PAR1_END + 3_500 + 3_000 * k for k in range(10)]  # female het
Y_MALE = [3_000, 9_000, 15_000]
AUTO_HET = [5_000, 15_000, 25_000]  # both samples het


def _simulator():  # scripts/make_test_data.py's read simulator (the one the test genome's reads come from)
    sys.path.insert(0, str(REPO / "bench"))
    from bench_throughput import simulator

    return simulator()


def _alt(base: int) -> int:
    return (base + 2) % 4  # A<->G, C<->T: a transition


def build(root: Path) -> Path:
    """Reference, reads and batch config of the PAR genome; returns the config path."""
    mtd = _simulator()
    rng = np.random.default_rng(38)
    window = rng.integers(0, 4, WINDOW[1] - WINDOW[0] + 1).astype(np.uint8)
    y = rng.integers(0, 4, Y_LENGTH).astype(np.uint8)
    auto = rng.integers(0, 4, AUTO_LENGTH).astype(np.uint8)
    acgt = np.frombuffer(b"ACGT", dtype=np.uint8)

    x_text = bytearray(b"N" * X_LENGTH)
    x_text[WINDOW[0] - 1 : WINDOW[1]] = acgt[window].tobytes()
    (root / "ref").mkdir()
    with open(root / "ref" / "genome.fa", "w") as fh:
        for name, seq in (("chr1", acgt[auto].tobytes()), ("chrX", bytes(x_text)), ("chrY", acgt[y].tobytes())):
            fh.write(f">{name}\n")
            fh.writelines(seq[i : i + 60].decode() + "\n" for i in range(0, len(seq), 60))

    def edit(seq: np.ndarray, positions: list[int], offset: int = 1) -> np.ndarray:
        out = seq.copy()
        for p in positions:
            out[p - offset] = _alt(out[p - offset])
        return out

    w0 = WINDOW[0]
    par_len = PAR1_END - w0 + 1
    male_x = edit(window, PAR_HOM + NONPAR_MALE, w0)
    male_ypar = edit(window, PAR_HET + PAR_HOM, w0)[:par_len]  # the Y copy of PAR1: ends at the boundary
    female_x1 = edit(window, NONPAR_FEMALE, w0)
    haps = {
        "MALE1": [("chr1", edit(auto, AUTO_HET)), ("chr1", auto), ("chrX", male_x), ("chrX", male_ypar),
                  ("chrY", edit(y, Y_MALE))],
        "FEMALE1": [("chr1", edit(auto, AUTO_HET)), ("chr1", auto), ("chrX", female_x1), ("chrX", window)],
    }  # fmt: skip
    (root / "reads").mkdir()
    samples = []
    for k, (sid, sample_haps) in enumerate(haps.items()):
        s1, q1, s2, q2 = mtd.simulate_unit(sample_haps, mtd.DEPTH_PER_HAPLOTYPE, seed=100 + k)
        for r, (sq, qu) in ((1, (s1, q1)), (2, (s2, q2))):
            mtd.write_gzip_atomic(root / "reads" / f"{sid}_R{r}.fastq.gz", mtd.fastq_bytes(f"{sid}_", r, sq, qu))
        samples.append({
            "id": sid, "sex": "male" if sid == "MALE1" else "female", "family": f"FAM_{sid}", "affected": False,
            "phenotypes": [],
            "units": [{"id": "L001", "fastq1": f"reads/{sid}_R1.fastq.gz", "fastq2": f"reads/{sid}_R2.fastq.gz",
                       "platform": "ILLUMINA", "library": f"LIB_{sid}"}],
        })  # fmt: skip
    config = {
        "batch": "PAR1",
        # par_regions is NOT set: the GRCh38 default applies (PAR1 fits in this chrX, PAR2 does not)
        "reference": {"fasta": "ref/genome.fa", "build": "GRCh38", "sex_chromosomes": {"x": "chrX", "y": "chrY"}},
        "samples": samples,
    }
    path = root / "par.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


@pytest.fixture(scope="module")
def par_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("par")
    config = build(root)
    outdir = root / "run"
    proc = subprocess.run(
        [*wgs_east_cmd(), "run", str(config), "--outdir", str(outdir), "--cores", "2", "--",
         "variants/PAR1.vcf.gz", "work/call/PAR1.ploidy"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    (root / "run.log").write_text(proc.stdout + proc.stderr)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-5000:]
    return outdir


def _genotypes(vcf: Path) -> dict[tuple[str, int], dict[str, str]]:
    out = subprocess.run(["bcftools", "query", "-f", r"%CHROM\t%POS[\t%SAMPLE=%GT]\n", str(vcf)],
                         capture_output=True, text=True, check=True).stdout  # fmt: skip
    calls = {}
    for line in out.splitlines():
        chrom, pos, *gts = line.split("\t")
        calls[(chrom, int(pos))] = dict(g.split("=") for g in gts)
    return calls


def test_default_ploidy_file_has_grch38_par1_and_drops_par2(par_run: Path) -> None:
    lines = (par_run / "work" / "call" / "PAR1.ploidy").read_text().splitlines()
    haploid_x = [tuple(int(v) for v in line.split("\t")[1:3]) for line in lines
                 if line.startswith("chrX\t") and line.endswith("\tM\t1")]  # fmt: skip
    # haploid in males: X before PAR1 (1-10,000) and after it; PAR2 would be 155,701,383-156,030,895, beyond this X
    assert haploid_x == [(1, 10_000), (PAR1_END + 1, X_LENGTH)]


def test_male_is_diploid_in_par1_and_haploid_outside(par_run: Path) -> None:
    calls = _genotypes(par_run / "variants" / "PAR1.vcf.gz")
    male = {k: v["MALE1"] for k, v in calls.items()}
    female = {k: v["FEMALE1"] for k, v in calls.items()}
    # planted sites, genotype by genotype
    assert [male.get(("chrX", p)) for p in PAR_HET] == ["0/1"] * len(PAR_HET)
    assert [male.get(("chrX", p)) for p in PAR_HOM] == ["1/1"] * len(PAR_HOM)
    assert [male.get(("chrX", p)) for p in NONPAR_MALE] == ["1"] * len(NONPAR_MALE)
    assert [male.get(("chrY", p)) for p in Y_MALE] == ["1"] * len(Y_MALE)
    assert [female.get(("chrX", p)) for p in NONPAR_FEMALE] == ["0/1"] * len(NONPAR_FEMALE)
    assert [male.get(("chrX", p)) for p in NONPAR_FEMALE] == ["0"] * len(NONPAR_FEMALE)  # hom-ref, one copy
    assert [female.get(("chrX", p)) for p in NONPAR_MALE] == ["0/0"] * len(NONPAR_MALE)
    assert [female.get(("chrX", p)) for p in PAR_HET] == ["0/0"] * len(PAR_HET)
    assert [(male.get(("chr1", p)), female.get(("chr1", p))) for p in AUTO_HET] == [("0/1", "0/1")] * 3
    # every record: the male's ploidy follows the PAR1 boundary, the female is diploid on X, absent on Y
    for (chrom, pos), gt in male.items():
        if chrom == "chrX":
            assert ("/" in gt) == (pos <= PAR1_END), (pos, gt)
    assert all("/" in gt for (chrom, _), gt in female.items() if chrom != "chrY")
    assert all(gt in (".", "./.") for (chrom, _), gt in female.items() if chrom == "chrY")
    assert set(calls) >= {("chrX", p) for p in PAR_HET + PAR_HOM + NONPAR_MALE + NONPAR_FEMALE}
