"""Benchmark of the annotated-VCF reader (``wgs_east.annotate.frame.read_annotated``), one core.

    .venv/bin/python bench/bench_annotate_reader.py [--n 300000] [--repeats 3]

Builds (not timed) a bgzipped VCF of ``--n`` records on chr1 whose INFO is one of three shapes (a fully
annotated missense call, a synonymous call with a percent-encoded ``p.Leu5%3D``, a population frequency
only), pins itself and its bcftools child to one core, and reads it ``--repeats`` times with
``read_annotated``. Reports variants per CPU second (reader + ``bcftools query`` together: CPU time, so
that a busy machine changes the figure less than wall time would) and per wall second. This figure was
asserted (>= 100,000 per CPU second) by ``tests/test_annotate_frame.py`` until issue 21; it lives here now.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import row, stats, tool_env, write_result  # noqa: E402  (puts src/ on the path)

from wgs_east.annotate.fields import header_text  # noqa: E402
from wgs_east.annotate.frame import read_annotated  # noqa: E402

INFOS = (
    "WE_GENE=G1;WE_TRANSCRIPT=T1;WE_CSQ=missense;WE_HGVSC=c.10C>T;WE_HGVSP=p.Arg4Trp;WE_AA_POS=4;WE_AA_REF=R;"
    "WE_AA_ALT=W;POP_AF=0;POP_AN=150000;POP_NHOM=0;POPMAX_AF=0;POPMAX_AN=80000;POPMAX_POP=nfe;REVEL=0.93;"
    "CLINVAR_SAME_RESIDUE_STARS=2;CLINVAR_SAME_RESIDUE=p.Arg4Gln|9|2|chr1:101:G:A;CLINVAR_SAME_AA_STARS=-1;"
    "GENE_MOI=AD|AR;GENE_LOF;GENE_LOEUF=0.2",
    "WE_GENE=G1;WE_CSQ=synonymous;WE_HGVSP=p.Leu5%3D;WE_IN_REPEAT;WE_NMD_ESCAPE;SPLICEAI=0.01;"
    "CLINVAR_SIG=Likely_benign;CLINVAR_STARS=1",
    "POP_AF=0.001;POP_AN=150000",
)


def _cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def make_vcf(path: Path, n: int, seed: int) -> Path:
    """A deterministic annotated VCF of ``n`` records (bgzip + tabix)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    kinds = rng.integers(0, len(INFOS), n)
    plain = path.with_suffix("")
    with open(plain, "w") as fh:
        fh.write("##fileformat=VCFv4.2\n##contig=<ID=chr1,length=248956422>\n" + header_text(None))
        fh.write("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n")
        for i, k in enumerate(kinds.tolist()):
            fh.write(f"chr1\t{(i + 1) * 10}\t.\tC\tT\t50\tPASS\t{INFOS[k]}\n")
    subprocess.run(["bgzip", "-f", str(plain)], check=True, env=tool_env())
    subprocess.run(["tabix", "-f", "-p", "vcf", str(path)], check=True, env=tool_env())
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300_000, help="records of the synthetic VCF")
    parser.add_argument("--repeats", type=int, default=3, help="timed reads (the median is reported)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    if hasattr(os, "sched_setaffinity"):  # the bcftools child inherits the affinity
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    with tempfile.TemporaryDirectory(prefix="wgs-east-bench-reader-") as tmp:
        vcf = make_vcf(Path(tmp) / "annotated.vcf.gz", args.n, args.seed)
        cpu, wall = [], []
        for _ in range(args.repeats):
            c0, w0 = _cpu_seconds(), time.perf_counter()
            rows = sum(len(chunk) for chunk in read_annotated(vcf))
            cpu.append(_cpu_seconds() - c0)
            wall.append(time.perf_counter() - w0)
            if rows != args.n:
                raise RuntimeError(f"read {rows} rows of {args.n}")
    cpu_s, wall_s = stats(cpu, 3), stats(wall, 3)
    per_cpu = round(args.n / cpu_s["median"])
    per_wall = round(args.n / wall_s["median"])
    data = {"n_variants": args.n, "seed": args.seed, "cpu_s": cpu_s, "wall_s": wall_s,
            "variants_per_cpu_second": per_cpu, "variants_per_wall_second": per_wall}  # fmt: skip
    summary = [
        row(f"read_annotated, {args.n:,} records, one core: variants per CPU second", per_cpu, "variants/s",
            f"median of {args.repeats}: {cpu_s['median']} CPU s (reader + bcftools query); goal >= 100,000"),
        row("the same per wall second", per_wall, "variants/s", f"median {wall_s['median']} s"),
    ]  # fmt: skip
    path = write_result("annotate_reader", data, repetitions=args.repeats, summary=summary, started=started,
                        tools=["bcftools"], title="Annotated-VCF reader (read_annotated), one core")  # fmt: skip
    print(f"read_annotated: {args.n:,} records, {per_cpu:,} per CPU second, {per_wall:,} per wall second")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
