"""Write a synthetic batch of N samples on the test genome, for DAG-scale measurements (bench_dag_scale.py).

    .venv/bin/python bench/make_synthetic_batch.py --samples 1000 --outdir bench/work/synthetic_1000

Writes OUTDIR/batch.yaml and OUTDIR/reads/ (two tiny, valid, distinct FASTQ files per unit: the batch
passes `wgs-east validate`, which reads every FASTQ). The shape is that of a real clinical batch:
two thirds of the samples in trios (father, mother, affected child), the rest affected singletons;
one sample in ten sequenced on two lanes (two units). Everything else comes from config/test.yaml
(reference, annotation bundle, QC settings), except `calling.chunk_size`, by default 2000 bp: the
330 kb test genome is then cut into 166 chunks, as many as GRCh38 gets at the default 20 Mb, so that
the DAG has the size of a real genome's (jobs per family x chunks, annotation chunks).
"""

from __future__ import annotations

import argparse
import gzip
import random
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
TEST_CONFIG = ROOT / "config" / "test.yaml"


def write_fastq(path: Path, names: list[str], seed: int, length: int = 100) -> None:
    rng = random.Random(seed)
    lines = []
    for name in names:
        lines += [f"@{name}", "".join(rng.choice("ACGT") for _ in range(length)), "+", "I" * length]
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode(), mtime=0))


def family_plan(n_samples: int, trio_fraction: float) -> list[list[str]]:
    """Sample roles per family: ["father", "mother", "child"] or ["single"], n_samples in all."""
    n_trios = int(n_samples * trio_fraction) // 3
    families = [["father", "mother", "child"] for _ in range(n_trios)]
    families += [["single"] for _ in range(n_samples - 3 * n_trios)]
    return families


def make_batch(n_samples: int, outdir: Path, *, chunk_size: int = 2000, trio_fraction: float = 2 / 3,
               reads_per_unit: int = 20) -> Path:  # fmt: skip
    base: dict[str, Any] = yaml.safe_load(TEST_CONFIG.read_text())
    outdir.mkdir(parents=True, exist_ok=True)
    reads = outdir / "reads"
    reads.mkdir(exist_ok=True)

    def resolve(value: str) -> str:
        return str((TEST_CONFIG.parent / value).resolve())

    base["reference"]["fasta"] = resolve(base["reference"]["fasta"])
    if base.get("resources"):
        base["resources"] = resolve(base["resources"])
    base["batch"] = f"SYN{n_samples}"
    base.setdefault("calling", {})["chunk_size"] = chunk_size
    samples: list[dict[str, Any]] = []
    rng = random.Random(n_samples)
    k = 0
    for f, roles in enumerate(family_plan(n_samples, trio_fraction), start=1):
        family = f"FAM{f:05d}"
        ids = {role: f"S{k + i + 1:05d}" for i, role in enumerate(roles)}
        for role, sid in ids.items():
            k += 1
            n_units = 2 if k % 10 == 0 else 1
            units = []
            for u in range(1, n_units + 1):
                unit = f"L{u:03d}"
                names = [f"{sid}_{unit}_r{i}" for i in range(reads_per_unit)]
                r1, r2 = reads / f"{sid}_{unit}_R1.fastq.gz", reads / f"{sid}_{unit}_R2.fastq.gz"
                if not (r1.exists() and r2.exists()):
                    write_fastq(r1, names, seed=2 * k * 10 + u)
                    write_fastq(r2, names, seed=2 * k * 10 + u + 1)
                units.append({"id": unit, "fastq1": str(r1), "fastq2": str(r2),
                              "platform": "ILLUMINA", "library": f"LIB_{sid}"})  # fmt: skip
            sample: dict[str, Any] = {
                "id": sid,
                "sex": "male" if role == "father" or (role != "mother" and rng.random() < 0.5) else "female",
                "family": family,
                "affected": role in ("child", "single"),
                "phenotypes": ["HP:0001250"] if role in ("child", "single") else [],
                "units": units,
            }
            if role == "child":
                sample["father"], sample["mother"] = ids["father"], ids["mother"]
            samples.append(sample)
    base["samples"] = samples
    path = outdir / "batch.yaml"
    path.write_text(yaml.safe_dump(base, sort_keys=False))
    return path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--samples", type=int, required=True)
    ap.add_argument("--outdir", type=Path, required=True)
    ap.add_argument("--chunk-size", type=int, default=2000, help="calling.chunk_size (default 2000: 166 chunks)")
    ap.add_argument("--trio-fraction", type=float, default=2 / 3, help="fraction of samples in trios")
    args = ap.parse_args(argv)
    path = make_batch(args.samples, args.outdir, chunk_size=args.chunk_size, trio_fraction=args.trio_fraction)
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
