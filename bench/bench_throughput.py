"""Throughput at a size where start-up no longer dominates: CPU seconds per stage per Gbp of reads, for
`wgs-east run` and for the plain tools (bench/baseline.sh) on the same data, extrapolated to one 30x
human genome.

    .venv/bin/python bench/bench_throughput.py [--scale 1.0] [--cores 2] [--keep] [--no-baseline]

1. Generates (not timed, deterministic, under bench/work/throughput/, never committed) a genome of
   20 Mb x SCALE: the four contigs of the test genome, each extended with random sequence (41 % GC) so
   that the synthetic annotation bundle of the test genome (test_data/resources) still fits it, and one
   female affected sample at 30x (15x per haplotype, 2x150 bp, the read simulator of
   scripts/make_test_data.py, run per 1 Mb piece of each haplotype) carrying a heterozygous or homozygous
   SNV every ~1 kb and a 1-3 bp deletion every ~10 kb of the extensions.
2. Runs the product stage by stage (`wgs-east run CONFIG --cores N -- TARGETS`, one call per stage, in
   the workflow's order: reference, align, call, qc, annotate, classify, report; what a call finds done it
   does not redo) and measures each call's wall time and CPU seconds (user + system of the whole
   process tree, `common.run_timed`): that is the stage's cost, Snakemake's start-up included.
3. Runs `bench/baseline.sh` (the same tool commands of reference, alignment and calling, side by side as
   Snakemake would, no Snakemake) on the same data; its per-step CPU seconds (GNU time) are summed per
   stage. QC, annotation, classification and reports have no plain-tool counterpart there.
4. Reports CPU seconds per stage per Gbp of read bases, and extrapolates to one human genome at 30x
   (3.1 Gb x 30 = 93 Gbp of reads): CPU hours, and the wall time on a 16-core node if its cores are kept
   busy (CPU hours / 16: a lower bound; the reference stage is per reference, not per genome, and is left
   out of the per-genome figures). Names the stage that dominates.

Writes bench/results/throughput.json. A full-size run needs ~3 GB of disk under bench/work/ and, on
2 cores, the better part of an hour; `--scale 0.05` (1 Mb) is a smoke test.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import shutil
import sys
import time
from pathlib import Path

import numpy as np
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, WGS_EAST, WORK, compile_package, fresh_dir, row, run_timed, tool_env, write_result  # noqa: E402

TEST_FASTA = ROOT / "test_data" / "reference" / "genome.fa"
MANIFEST = ROOT / "test_data" / "resources" / "manifest.yaml"
BASELINE = ROOT / "bench" / "baseline.sh"
BASE_MB = 20.0
SHARES = {"chr22_16600000_16800000": 0.30, "chrSYN1": 0.55, "chrSYN2": 0.05, "chrX": 0.08, "chrY": 0.02}
SAMPLE, BATCH = "TPUT1", "TPUT"
PIECE = 1_000_000
OVERLAP = 1_000  # pieces overlap, so that coverage does not dip where they meet
HUMAN_GBP = 3.1 * 30  # read bases of one 30x human genome, Gbp
NODE_CORES = 16
STAGES = ("reference", "align", "call", "qc", "annotate", "classify", "report")
BASELINE_STAGE = {
    "copy_reference": "reference", "index_reference": "reference", "index_reference_bwa": "reference",
    "split_reference_regions": "reference", "check_fastq_pair": "align", "trim_reads": "align",
    "map_reads": "align", "account_reads": "align", "mark_duplicates": "align", "index_alignments": "align",
    "make_ploidy_files": "call",
    "record_tool_versions": "call", "write_vcf_header_lines": "call", "call_variants": "call",
    "gather_group_calls": "call", "extract_sample_gvcf": "call", "joint_genotype": "call",
}  # fmt: skip


def simulator():
    """scripts/make_test_data.py as a module (its read simulator and FASTQ writer)."""
    spec = importlib.util.spec_from_file_location("make_test_data", ROOT / "scripts" / "make_test_data.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("make_test_data", module)
    spec.loader.exec_module(module)
    return module


def contig_lengths(scale: float) -> dict[str, int]:
    """Target length of each contig (never shorter than in the test genome)."""
    import pysam

    total = int(BASE_MB * 1e6 * scale)
    with pysam.FastaFile(str(TEST_FASTA)) as fa:
        return {c: max(fa.get_reference_length(c), int(total * share)) for c, share in SHARES.items()}


def random_bases(rng: np.random.Generator, n: int) -> np.ndarray:
    """n bases as codes 0-3 (A, C, G, T), 41 % GC."""
    return rng.choice(4, size=n, p=[0.295, 0.205, 0.205, 0.295]).astype(np.uint8)


def make_genome(root: Path, scale: float, seed: int) -> tuple[dict[str, np.ndarray], dict[str, int]]:
    """Write root/ref/genome.fa; return each contig's codes and where its extension starts."""
    import pysam

    rng = np.random.default_rng(seed)
    codes = np.full(256, 0, dtype=np.uint8)
    codes[np.frombuffer(b"ACGT", dtype=np.uint8)] = np.arange(4, dtype=np.uint8)
    acgt = np.frombuffer(b"ACGT", dtype=np.uint8)
    genome, ext_start = {}, {}
    (root / "ref").mkdir(parents=True, exist_ok=True)
    with pysam.FastaFile(str(TEST_FASTA)) as fa, open(root / "ref" / "genome.fa", "w") as out:
        for contig, length in contig_lengths(scale).items():
            base = fa.fetch(contig).upper()
            seq = np.concatenate([codes[np.frombuffer(base.encode(), dtype=np.uint8)],
                                  random_bases(rng, length - len(base))])  # fmt: skip
            genome[contig], ext_start[contig] = seq, len(base)
            text = acgt[seq].tobytes().decode()
            out.write(f">{contig}\n")
            out.writelines(text[i : i + 60] + "\n" for i in range(0, len(text), 60))
    return genome, ext_start


def haplotypes(genome: dict[str, np.ndarray], ext_start: dict[str, int], seed: int) -> list[tuple[str, np.ndarray]]:
    """The female sample's two haplotypes per contig (none on chrY), with SNVs and small deletions planted in
    the extensions."""
    rng = np.random.default_rng(seed + 1)
    haps = []
    for contig, seq in genome.items():
        if contig == "chrY":
            continue
        start, n = ext_start[contig], len(seq)
        copies = [seq.copy(), seq.copy()]
        snvs = np.sort(rng.choice(np.arange(start, n), size=(n - start) // 1000, replace=False))
        which = rng.choice(3, size=len(snvs), p=[0.4, 0.4, 0.2])  # het on copy 1, het on copy 2, hom
        for h in (0, 1):
            sel = snvs[(which == h) | (which == 2)]
            copies[h][sel] = (copies[h][sel] + 2) % 4
        dels = np.sort(rng.choice(np.arange(start, n - 10), size=(n - start) // 10_000, replace=False))
        for h in (0, 1):
            mine = dels[rng.random(len(dels)) < 0.5]
            drop = np.concatenate([p + np.arange(1 + (p % 3)) for p in mine]) if len(mine) else np.array([], int)
            copies[h] = np.delete(copies[h], drop)
        haps += [(contig, copies[0]), (contig, copies[1])]
    return haps


def make_reads(root: Path, haps: list[tuple[str, np.ndarray]], seed: int) -> tuple[int, list[Path]]:
    """Simulate 15x per haplotype, piece by piece; returns (read pairs, [R1, R2])."""
    mtd = simulator()
    paths = [root / "reads" / f"{SAMPLE}_R{r}.fastq.gz" for r in (1, 2)]
    paths[0].parent.mkdir(parents=True, exist_ok=True)
    pairs = 0
    with gzip.open(paths[0], "wb", compresslevel=1) as r1, gzip.open(paths[1], "wb", compresslevel=1) as r2:
        k = 0
        for contig, hap in haps:
            for start in range(0, len(hap), PIECE):
                piece = hap[start : start + PIECE + OVERLAP]
                if len(piece) < 2 * mtd.READ_LEN:
                    continue
                k += 1
                s1, q1, s2, q2 = mtd.simulate_unit([(contig, piece)], mtd.DEPTH_PER_HAPLOTYPE, seed=seed * 100_003 + k)
                r1.write(mtd.fastq_bytes(f"P{k}_", 1, s1, q1))
                r2.write(mtd.fastq_bytes(f"P{k}_", 2, s2, q2))
                pairs += len(s1)
    return pairs, paths


def write_config(root: Path, reads: list[Path]) -> Path:
    config = {
        "batch": BATCH,
        "reference": {"fasta": "ref/genome.fa", "build": "GRCh38", "sex_chromosomes": {"x": "chrX", "y": "chrY"},
                      "par_regions": []},
        "samples": [{"id": SAMPLE, "sex": "female", "family": "TFAM1", "affected": True, "phenotypes": ["HP:0001250"],
                     "units": [{"id": "L001", "fastq1": str(reads[0].relative_to(root)),
                                "fastq2": str(reads[1].relative_to(root)), "platform": "ILLUMINA",
                                "library": f"LIB_{SAMPLE}"}]}],
        "resources": str(MANIFEST),
    }  # fmt: skip
    path = root / "throughput.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def stage_targets() -> dict[str, list[str]]:
    """What each stage's `wgs-east run` call asks for ([] = everything left: the whole workflow)."""
    return {
        "reference": ["reference/genome.fa.bwt", "reference/genome.fa.fai"],
        "align": [f"alignments/{SAMPLE}.cram.crai"],
        "call": [f"variants/{BATCH}.vcf.gz.tbi", f"gvcf/{SAMPLE}.g.vcf.gz.tbi"],
        "qc": [f"qc/{BATCH}.qc.tsv", f"qc/{BATCH}.relatedness.tsv", "qc/multiqc.html"],
        "annotate": [f"annotated/{BATCH}.vcf.gz.tbi"],
        "classify": [f"classified/{SAMPLE}.tsv"],
        "report": [],
    }


def baseline_stage_cpu(steps_tsv: Path) -> dict[str, float]:
    """CPU seconds per stage from baseline.sh's per-step table (step, seconds, cpu_seconds)."""
    out: dict[str, float] = {}
    for line in steps_tsv.read_text().splitlines()[1:]:
        step, _wall, cpu = line.split("\t")
        stage = BASELINE_STAGE[step]
        out[stage] = round(out.get(stage, 0.0) + float(cpu), 2)
    return out


def extrapolate(cpu_per_gbp: dict[str, float], human_gbp: float = HUMAN_GBP, cores: int = NODE_CORES) -> dict:
    """CPU hours of one genome (stages other than `reference`, which is per reference) and the wall hours on a
    node whose cores are kept busy (a lower bound); the dominant stage."""
    per_genome = {s: v * human_gbp / 3600 for s, v in cpu_per_gbp.items() if s != "reference"}
    total = sum(per_genome.values())
    dominant = max(per_genome, key=per_genome.get) if per_genome else None
    return {
        "human_read_gbp": human_gbp,
        "cpu_hours_per_stage": {s: round(v, 2) for s, v in per_genome.items()},
        "cpu_hours": round(total, 2),
        "node_cores": cores,
        "wall_hours_lower_bound": round(total / cores, 2),
        "dominant_stage": dominant,
        "dominant_share": round(per_genome[dominant] / total, 3) if dominant and total else None,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0, help="genome size = 20 Mb x SCALE (default 1: 20 Mb)")
    ap.add_argument("--cores", type=int, default=2)
    ap.add_argument("--seed", type=int, default=21)
    ap.add_argument("--keep", action="store_true", help="keep bench/work/throughput/")
    ap.add_argument("--no-baseline", action="store_true", help="skip the plain-tools run")
    args = ap.parse_args(argv)
    started = time.perf_counter()
    root = fresh_dir(WORK / "throughput")
    t0 = time.perf_counter()
    genome, ext = make_genome(root, args.scale, args.seed)
    pairs, reads = make_reads(root, haplotypes(genome, ext, args.seed), args.seed)
    config = write_config(root, reads)
    genome_mb = sum(len(s) for s in genome.values()) / 1e6
    read_gbp = pairs * 2 * simulator().READ_LEN / 1e9
    gen_s = time.perf_counter() - t0
    print(f"throughput: genome {genome_mb:.1f} Mb, {pairs:,} read pairs ({read_gbp:.3f} Gbp) made in {gen_s:.0f} s",
          flush=True)  # fmt: skip
    compile_package()
    env = tool_env()

    product: dict[str, dict] = {}
    outdir = root / "run"
    for stage, targets in stage_targets().items():
        cmd = [WGS_EAST, "run", str(config), "--outdir", str(outdir), "--cores", str(args.cores)]
        run = run_timed([*cmd, "--", *targets] if targets else cmd, env=env, log=root / f"{stage}.log")
        product[stage] = run.as_dict()
        print(f"throughput: {stage}: {run.wall_s:.1f} s wall, {run.cpu_s:.1f} CPU s", flush=True)

    plain: dict[str, float] = {}
    baseline_run = None
    if not args.no_baseline:
        out = root / "baseline"
        baseline_run = run_timed(["bash", str(BASELINE), str(config), str(out), str(args.cores)], env=env,
                                 log=root / "baseline.log").as_dict()  # fmt: skip
        plain = baseline_stage_cpu(out / "baseline_steps.tsv")
        print(f"throughput: baseline.sh: {baseline_run['wall_s']:.1f} s wall, {baseline_run['cpu_s']:.1f} CPU s")

    per_gbp = {s: round(product[s]["cpu_s"] / read_gbp, 1) for s in STAGES}
    plain_per_gbp = {s: round(v / read_gbp, 1) for s, v in plain.items()}
    human = extrapolate(per_gbp)
    human_plain = extrapolate(plain_per_gbp) if plain else None
    data = {
        "scale": args.scale, "seed": args.seed, "cores": args.cores, "genome_mb": round(genome_mb, 3),
        "read_pairs": pairs, "read_gbp": round(read_gbp, 4), "generation_seconds": round(gen_s, 1),
        "product_runs": product, "product_cpu_s_per_gbp": per_gbp,
        "baseline_run": baseline_run, "baseline_cpu_s_per_stage": plain, "baseline_cpu_s_per_gbp": plain_per_gbp,
        "human_30x": human, "human_30x_plain_tools": human_plain,
    }  # fmt: skip
    ratio = {s: round(per_gbp[s] / plain_per_gbp[s], 2) for s in plain_per_gbp if plain_per_gbp[s]}
    data["product_over_plain_cpu"] = ratio
    summary = [row(f"{s}: CPU seconds per Gbp of reads", per_gbp[s], "CPU s/Gbp",
                   f"plain tools {plain_per_gbp[s]} (x{ratio.get(s)})" if s in plain_per_gbp else "no plain-tool step")
               for s in STAGES]  # fmt: skip
    summary += [
        row("one 30x human genome (93 Gbp of reads): CPU hours", human["cpu_hours"], "CPU h",
            f"plain tools (alignment + calling only): {human_plain['cpu_hours'] if human_plain else 'not run'}"),
        row(f"wall time on a {NODE_CORES}-core node, cores kept busy (lower bound)", human["wall_hours_lower_bound"], "h",
            "the reference stage (once per reference) left out"),
        row("dominant stage", human["dominant_stage"], "", f"{human['dominant_share']:.0%} of the CPU hours"
            if human["dominant_share"] is not None else ""),
        row("data", f"{genome_mb:.1f} Mb genome, {read_gbp:.3f} Gbp of reads", "", f"scale {args.scale}"),
    ]  # fmt: skip
    path = write_result("throughput", data, repetitions=1, summary=summary, started=started,
                        tools=["bwa", "samtools", "bcftools", "fastp", "mosdepth"],
                        title="Throughput per stage and per Gbp of reads; one 30x human genome extrapolated")  # fmt: skip
    print(f"throughput: {human['cpu_hours']} CPU h per 30x genome, dominant stage {human['dominant_stage']};"
          f" wrote {path}")  # fmt: skip
    if not args.keep:
        shutil.rmtree(root)
    return 0


if __name__ == "__main__":
    sys.exit(main())
