"""Benchmark of `wgs-east classify` on a deterministic 1,000,000-record annotated VCF.

    .venv/bin/python bench/bench_classify.py [--n 1000000] [--workdir DIR] [--keep]

1. Generates (not timed) an annotated batch VCF in the pipeline's own annotation format: the header of a
   real ``annotated/B001.vcf.gz`` of the test genome (``bench/data/annotated_header.vcf``; refresh with
   ``bcftools view -h DIR/annotated/B001.vcf.gz``) with GRCh38 contigs, records shaped like the real ones
   (bcftools call INFO, BCSQ, the WE_/GENE_/POP_/CLINVAR_/REVEL/SPLICEAI fields of
   ``wgs_east.annotate.fields``, GT:PL:DP:AD:GQ for the four samples of ``config/test.yaml``): half the
   records intergenic, ~45 % in genes (mostly intronic, ~2 % of those coding), frequencies from absent to
   common, a Mendelian trio with a few de novo calls, hemizygous male X. bgzip + tabix.
2. Times ``taskset -c 0 wgs-east classify`` on it (one core; the two affected samples of the test batch,
   a QC result confirming parentage) and ``taskset -c 0 bcftools view -Ou`` decoding the same file.
3. Writes variants/s, peak RSS and the ratio to bcftools to ``bench/results/classify.json``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from common import WGS_EAST, WORK, compile_package, row, run_timed, stats, tool_env, write_result  # noqa: E402

TEMPLATE = ROOT / "bench" / "data" / "annotated_header.vcf"
CONFIG = ROOT / "config" / "test.yaml"
MANIFEST = ROOT / "test_data" / "resources" / "manifest.yaml"
GOAL_RATE = 100_000
GOAL_RATIO = 3.0
SAMPLES = ("FATHER1", "MOTHER1", "PROBAND1", "SINGLETON1")
MALE = {"FATHER1": True, "MOTHER1": False, "PROBAND1": False, "SINGLETON1": True}
GRCH38 = {
    "chr1": 248956422, "chr2": 242193529, "chr3": 198295559, "chr4": 190214555, "chr5": 181538259,
    "chr6": 170805979, "chr7": 159345973, "chr8": 145138636, "chr9": 138394717, "chr10": 133797422,
    "chr11": 135086622, "chr12": 133275309, "chr13": 114364328, "chr14": 107043718, "chr15": 101991189,
    "chr16": 90338345, "chr17": 83257441, "chr18": 80373285, "chr19": 58617616, "chr20": 64444167,
    "chr21": 46709983, "chr22": 50818468, "chrX": 156040895,
}  # fmt: skip
GENE_SPACING = 60_000
GENE_LENGTH = 27_000
CODING = ["missense", "synonymous", "inframe_deletion", "stop_gained", "frameshift", "splice_donor",
          "splice_acceptor", "start_lost"]  # fmt: skip
CODING_P = [0.55, 0.38, 0.02, 0.015, 0.015, 0.0075, 0.0075, 0.005]
MOIS = np.array(["AD", "AR", "AD|AR", ""], dtype=object)
POPS = np.array(["afr", "amr", "eas", "nfe", "sas", "fin", "asj"], dtype=object)


def header_text(template: Path) -> str:
    lines = [x for x in template.read_text().splitlines() if x and not x.startswith("##contig")]
    contigs = [f"##contig=<ID={c},length={n}>" for c, n in GRCH38.items()]
    cut = next(i for i, x in enumerate(lines) if x.startswith("##FILTER")) + 1
    head = lines[:cut] + contigs + [x for x in lines[cut:] if not x.startswith("#CHROM")]
    head.append("\t".join(["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT", *SAMPLES]))
    return "\n".join(head) + "\n"


def _s(values: np.ndarray) -> pd.Series:
    return pd.Series(values).astype(str)


def _fmt(values: np.ndarray, digits: int = 4) -> pd.Series:
    return pd.Series(np.round(values, digits)).astype(str)


def _opt(mask: np.ndarray, text: pd.Series | str) -> pd.Series:
    if isinstance(text, str):
        return pd.Series(np.where(mask, text, ""))
    return text.where(pd.Series(mask), "")


def genotypes(rng: np.random.Generator, af: np.ndarray, on_x: np.ndarray) -> dict[str, np.ndarray]:
    """Alt copies per sample: founders from the AF (at least one carrier per record), a Mendelian
    proband (father's X to the daughter) with de novo calls at 5e-5 per record; males haploid on X."""
    n = len(af)
    p = np.clip(af, 0.0, 0.95)
    haps = {s: rng.random((n, 2)) < p[:, None] for s in ("FATHER1", "MOTHER1", "SINGLETON1")}
    for s in ("FATHER1", "SINGLETON1"):
        haps[s][on_x, 1] = False
    carriers = haps["FATHER1"].any(1) | haps["MOTHER1"].any(1) | haps["SINGLETON1"].any(1)
    who = rng.integers(0, 3, n)
    for k, s in enumerate(("FATHER1", "MOTHER1", "SINGLETON1")):
        haps[s][~carriers & (who == k), 0] = True
    pat = np.where(on_x, haps["FATHER1"][:, 0], haps["FATHER1"][np.arange(n), rng.integers(0, 2, n)])
    mat = haps["MOTHER1"][np.arange(n), rng.integers(0, 2, n)]
    kid = pat.astype(int) + mat
    denovo = (rng.random(n) < 5e-5) & (kid == 0)
    kid[denovo] = 1
    out = {s: haps[s].sum(1) for s in ("FATHER1", "MOTHER1", "SINGLETON1")}
    out["PROBAND1"] = kid
    return out


def sample_column(rng: np.random.Generator, copies: np.ndarray, haploid: np.ndarray) -> pd.Series:
    n = len(copies)
    dp = np.where(haploid, rng.poisson(15, n), rng.poisson(30, n)).clip(3, None)
    alt = np.where(copies == 0, rng.binomial(dp, 0.01), np.where((copies == 1) & ~haploid, rng.binomial(dp, 0.5), dp))
    gt = np.where(haploid, np.where(copies > 0, "1", "0"), np.array(["0/0", "0/1", "1/1"])[np.minimum(copies, 2)])
    pl = np.array(["0,60,255", "255,0,255", "255,60,0"])[np.where(haploid, np.where(copies > 0, 2, 0), np.minimum(copies, 2))]
    gq = np.minimum(dp * 4, 127)
    return _s(gt) + ":" + pl + ":" + _s(dp) + ":" + _s(dp - alt) + "," + _s(alt) + ":" + _s(gq)


def block(rng: np.random.Generator, chrom: str, pos: np.ndarray, gene_offset: int) -> tuple[pd.Series, np.ndarray]:
    """VCF lines of one contig's records; returns (lines, per-record DP)."""
    n = len(pos)
    on_x = np.full(n, chrom == "chrX")
    gene_idx = pos // GENE_SPACING
    in_gene = (pos % GENE_SPACING) < GENE_LENGTH
    gnum = gene_idx + gene_offset
    u = rng.random(n)
    kind = np.where(~in_gene, "intergenic", np.where(u < 0.90, "intron", np.where(u < 0.94, "utr",
                    np.where(u < 0.96, "splice_region", "coding"))))  # fmt: skip
    csq = np.where(kind == "intron", "intron", np.where(kind == "utr", np.where(rng.random(n) < 0.5, "5_prime_utr",
                   "3_prime_utr"), np.where(kind == "splice_region", "splice_region&intron", "")))  # fmt: skip
    coding = kind == "coding"
    csq = np.where(coding, np.array(CODING)[rng.choice(len(CODING), n, p=CODING_P)], csq).astype(object)
    indel = np.isin(csq, ["inframe_deletion", "frameshift"]) | ((kind != "coding") & (rng.random(n) < 0.1))
    ref = np.where(indel, "AT", "C")
    alt = np.where(indel, "A", "T")
    ref = np.where(csq == "inframe_deletion", "ATCT", ref)

    # population frequency: absent 6 %, rare 14 %, low 20 %, common 60 %; null variants mostly rare
    v = rng.random(n)
    lof = np.isin(csq, ["stop_gained", "frameshift", "splice_donor", "splice_acceptor", "start_lost"])
    v = np.where(lof, v * 0.3, v)
    af = np.where(v < 0.06, np.nan, np.where(v < 0.20, 10 ** rng.uniform(-5, -3, n), np.where(
        v < 0.40, 10 ** rng.uniform(-3, np.log10(0.05), n), rng.uniform(0.05, 0.95, n))))  # fmt: skip
    present = ~np.isnan(af)
    an = np.where(rng.random(n) < 0.05, rng.integers(800, 5000, n), 150_000)
    ac = np.round(np.nan_to_num(af) * an).astype(np.int64)
    popmax = np.minimum(np.nan_to_num(af) * rng.uniform(1.0, 2.0, n), 1.0)
    popmax_an = (an * rng.uniform(0.05, 0.5, n)).astype(np.int64)
    nhom = np.floor(np.nan_to_num(af) ** 2 * an / 2).astype(np.int64)
    nhemi = np.where(on_x, np.floor(np.nan_to_num(af) * an / 3), 0).astype(np.int64)

    gts = genotypes(rng, np.where(present, af, 0.0), on_x)
    cols = {s: sample_column(rng, gts[s], on_x & MALE[s]) for s in SAMPLES}
    n_alt = sum(gts[s] for s in SAMPLES)
    n_an = np.where(on_x, 6, 8)
    dp = rng.poisson(110, n)

    base = ("VDB=" + _fmt(rng.random(n)) + ";SGB=" + _fmt(rng.normal(0, 10, n), 3) + ";RPBZ=" + _fmt(rng.normal(0, 1, n), 3)
            + ";MQBZ=0;MQSBZ=0;BQBZ=" + _fmt(rng.normal(0, 1, n), 3) + ";NMBZ=" + _fmt(rng.normal(0, 1, n), 3)
            + ";SCBZ=0;FS=0;MQ0F=0;MQ=60;DP=" + _s(dp) + ";DP4=" + _s(dp // 4) + "," + _s(dp // 4) + "," + _s(dp // 4)
            + "," + _s(dp - 3 * (dp // 4)) + ";AN=" + _s(n_an) + ";AC=" + _s(n_alt) + ";AF="
            + _fmt(n_alt / n_an, 3))  # fmt: skip
    gene = "G" + pd.Series(gnum).astype(str).str.zfill(5)
    tx = "ENST9" + pd.Series(gnum).astype(str).str.zfill(10)
    moi = pd.Series(np.where(on_x, np.where(gnum % 3 == 0, "XLR", ""), MOIS[gnum % 4]))
    lof_gene = (gnum % 5) < 2
    cpos = _s(rng.integers(1, 4000, n))
    offset = _s(rng.integers(3, 3000, n))
    hgvs_c = np.where(kind == "intron", "c." + cpos + np.where(rng.random(n) < 0.5, "+", "-") + offset + "C>T",
                      np.where(kind == "utr", "c.-" + offset + "C>T", "c." + cpos + "C>T"))  # fmt: skip
    aa = _s(rng.integers(1, 1300, n))
    hgvs_p = pd.Series(np.select([csq == "missense", csq == "synonymous", csq == "stop_gained", csq == "frameshift",
                                  csq == "inframe_deletion"],
                                 ["p.Arg" + aa + "Trp", "p.Leu" + aa + "%3D", "p.Arg" + aa + "Ter",
                                  "p.Asp" + aa + "AlafsTer3", "p.Ser" + aa + "del"], ""))  # fmt: skip
    ann = ("BCSQ=" + pd.Series(csq).str.replace("&intron", "") + "|" + gene + "|" + tx + "|protein_coding"
           + ";WE_GENE=" + gene + ";WE_GENE_ID=ENSG9" + pd.Series(gnum).astype(str).str.zfill(10) + ";WE_TRANSCRIPT="
           + tx + ";WE_TX_RULE=MANE_Select;WE_CSQ=" + pd.Series(csq) + ";WE_HGVSC=" + pd.Series(hgvs_c)
           + _opt(hgvs_p != "", ";WE_HGVSP=" + hgvs_p + ";WE_AA_POS=" + aa + ";WE_AA_REF=R;WE_AA_ALT=W")
           + _opt(kind == "intron", ";WE_INTRON=" + _s(rng.integers(1, 10, n)) + "/10")
           + _opt(coding, ";WE_EXON=" + _s(rng.integers(1, 11, n)) + "/11")
           + _opt(coding & (rng.random(n) < 0.1), ";WE_NMD_ESCAPE")
           + _opt(indel & (rng.random(n) < 0.3), ";WE_IN_REPEAT")
           + _opt(moi != "", ";GENE_MOI=" + moi) + _opt(lof_gene, ";GENE_LOF")
           + ";GENE_LOEUF=" + _fmt(rng.uniform(0.1, 1.9, n), 2) + ";GENE_PLI=" + _fmt(rng.random(n), 2)
           + ";CLINVAR_SAME_AA_STARS=" + _s(np.where(rng.random(n) < 0.002, 2, -1))
           + ";CLINVAR_SAME_RESIDUE_STARS=" + _s(np.where(rng.random(n) < 0.004, 2, -1)))  # fmt: skip
    pop = _opt(present, ";POP_AF=" + _fmt(np.nan_to_num(af), 6) + ";POP_AN=" + _s(an) + ";POP_AC=" + _s(ac)
               + ";POP_NHOM=" + _s(nhom) + ";POP_NHEMI=" + _s(nhemi) + ";POPMAX_AF=" + _fmt(popmax, 6)
               + ";POPMAX_AN=" + _s(popmax_an) + ";POPMAX_POP=" + pd.Series(POPS[rng.integers(0, len(POPS), n)]))  # fmt: skip
    revel = _opt(csq == "missense", ";REVEL=" + _fmt(rng.random(n), 3))
    splice = _opt(in_gene & (rng.random(n) < 0.9), ";SPLICEAI=" + _fmt(np.round(rng.exponential(0.03, n).clip(0, 1), 2), 2))
    info = base + _opt(in_gene, ";" + ann) + pop + revel + splice
    qual = _fmt(rng.uniform(20, 999, n), 3)
    flt = np.where(rng.random(n) < 0.97, "PASS", np.where(rng.random(n) < 0.66, "LowQual", "LowDP"))
    line = (chrom + "\t" + _s(pos) + "\t.\t" + _s(ref) + "\t" + _s(alt) + "\t" + qual + "\t" + _s(flt) + "\t" + info
            + "\tGT:PL:DP:AD:GQ\t" + cols["FATHER1"] + "\t" + cols["MOTHER1"] + "\t" + cols["PROBAND1"] + "\t"
            + cols["SINGLETON1"])  # fmt: skip
    return line, dp


def generate(path: Path, n: int, seed: int, template: Path) -> dict[str, float]:
    """Write ``path`` (bgzipped) and its tabix index; returns timing facts."""
    rng = np.random.default_rng(seed)
    t0 = time.perf_counter()
    total = sum(GRCH38.values())
    counts = {c: int(round(n * length / total)) for c, length in GRCH38.items()}
    counts["chr1"] += n - sum(counts.values())
    bgzip = subprocess.Popen(["bgzip", "--threads", "2", "-c"], stdin=subprocess.PIPE, stdout=open(path, "wb"))  # noqa: SIM115
    assert bgzip.stdin is not None
    bgzip.stdin.write(header_text(template).encode())
    gene_offset = 0
    for chrom, k in counts.items():
        length = GRCH38[chrom]
        slots = (length - 20_000) // 3
        pos = np.unique(rng.integers(0, slots, size=k))
        while len(pos) < k:  # distinct positions, 3 bp apart at least
            pos = np.unique(np.concatenate([pos, rng.integers(0, slots, size=k - len(pos))]))
        pos = 10_001 + 3 * pos
        for start in range(0, k, 200_000):
            lines, _ = block(rng, chrom, pos[start : start + 200_000], gene_offset)
            bgzip.stdin.write(("\n".join(lines.tolist()) + "\n").encode())
        gene_offset += length // GENE_SPACING + 1
    bgzip.stdin.close()
    if bgzip.wait() != 0:
        raise RuntimeError("bgzip failed")
    t1 = time.perf_counter()
    subprocess.run(["tabix", "-f", "-p", "vcf", str(path)], check=True)
    return {"generate_seconds": round(t1 - t0, 1), "index_seconds": round(time.perf_counter() - t1, 1)}


def qc_json(path: Path) -> Path:
    pair = {"expected_relationship": "parent-child", "status": "PASS", "kinship": 0.25, "message": "synthetic"}
    path.write_text(json.dumps({
        "verdicts": dict.fromkeys(SAMPLES, "PASS"),
        "samples": [{"sample": s, "reasons": [], "metrics": {"median_depth": 30.0}} for s in SAMPLES],
        # the generator's autosomal depth: Poisson(30) (haploid X calls of the males Poisson(15))
        "pairs": [{"sample_a": "FATHER1", "sample_b": "PROBAND1", **pair},
                  {"sample_a": "MOTHER1", "sample_b": "PROBAND1", **pair}],
    }))  # fmt: skip
    return path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000, help="records of the generated VCF")
    ap.add_argument("--seed", type=int, default=20241122)
    ap.add_argument("--repeats", type=int, default=5, help="runs of each command (median reported)")
    ap.add_argument("--template", type=Path, default=TEMPLATE, help="header of a real annotated VCF")
    ap.add_argument("--workdir", type=Path, help="where the VCF and outputs go (default: bench/work/classify)")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    ap.add_argument("--reuse", action="store_true", help="reuse an existing VCF in --workdir")
    args = ap.parse_args(argv)
    started = time.perf_counter()
    work = args.workdir or WORK / "classify"
    work.mkdir(parents=True, exist_ok=True)
    vcf = work / "annotated.vcf.gz"
    facts: dict[str, float] = {}
    if not (args.reuse and vcf.exists()):
        print(f"classify: generating {args.n:,} records -> {vcf}", file=sys.stderr, flush=True)
        facts = generate(vcf, args.n, args.seed, args.template)
    from wgs_east.classify.reader import carrier_expression, query_command, read_header

    compile_package()
    pin = ["taskset", "-c", "0"] if shutil.which("taskset") else []
    env = tool_env() | {k: "1" for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}
    header = read_header(vcf)
    needed = ["FATHER1", "MOTHER1", "PROBAND1", "SINGLETON1"]  # the two affected samples and the parents
    include = carrier_expression(header.samples, needed, ["PROBAND1", "SINGLETON1"])  # records an affected sample carries
    query = query_command(vcf, needed, info_ids=header.info_ids, has_dp=header.has_dp, include=include,
                          formats=header.gate_formats)  # fmt: skip
    outdir = work / "classified"
    commands = {
        "bcftools_view": [*pin, "bcftools", "view", "--no-version", "-Ou", "-o", "/dev/null", str(vcf)],
        "bcftools_query": [*pin, *query],  # the reader's own decode: the fields classify reads, as text
        "classify": [*pin, WGS_EAST, "classify", "--vcf", str(vcf), "--resources", str(MANIFEST), "--config",
                     str(CONFIG), "--outdir", str(outdir), "--qc", str(qc_json(work / "qc.json"))],
    }  # fmt: skip
    runs: dict[str, list] = {k: [] for k in commands}
    for i in range(1, args.repeats + 1):
        for kind, cmd in commands.items():
            if kind == "classify":
                shutil.rmtree(outdir, ignore_errors=True)
            run = run_timed(cmd, env=env, log=work / f"{kind}.log")
            runs[kind].append(run)
            print(f"classify: {kind} run {i}: {run.wall_s:.2f} s, {run.peak_rss_mb:.0f} MB", flush=True)
    summaries = {}
    for s in ("PROBAND1", "SINGLETON1"):
        doc = json.loads((outdir / f"{s}.json").read_text())
        summaries[s] = {"calls": doc["counts"]["calls"], "listed": doc["counts"]["listed"],
                        "low_confidence_listed": doc["counts"]["low_confidence_listed"],
                        "benign_audit_rows": doc["counts"]["benign_audit"]["rows"],
                        "candidates": doc["counts"]["candidates"], "classes_listed": doc["counts"]["classes_listed"]}  # fmt: skip
    n_records = int(subprocess.run(["bcftools", "index", "--nrecords", str(vcf)], capture_output=True, text=True,
                                   check=True).stdout.strip())  # fmt: skip
    wall = {k: stats([r.wall_s for r in v]) for k, v in runs.items()}
    cls, view, query_s = wall["classify"]["median"], wall["bcftools_view"]["median"], wall["bcftools_query"]["median"]
    rate = int(n_records / cls)
    ratio = round(cls / view, 2)
    pairs = [round(c.wall_s / v.wall_s, 2) for c, v in zip(runs["classify"], runs["bcftools_view"], strict=True)]
    rss = stats([r.peak_rss_mb for r in runs["classify"]], 1)
    data = {
        "command": " ".join(commands["classify"][len(pin):]).replace(str(work), "WORK"),
        "query_command": " ".join(commands["bcftools_query"][len(pin):]).replace(str(work), "WORK"),
        "pinned": " ".join(pin) or "not pinned (no taskset)",
        "order": "interleaved: bcftools view, bcftools query, wgs-east classify; repeated",
        "n_records": n_records,
        "vcf_bytes": vcf.stat().st_size,
        "affected_samples": 2,
        "variants_per_second": rate,
        "ratio_to_bcftools_view": ratio,
        "ratio_per_repetition": pairs,
        "goals": {"variants_per_second": GOAL_RATE, "ratio_to_bcftools_view": GOAL_RATIO},
        "wall_s": wall,
        "cpu_s": {k: stats([r.cpu_s for r in v]) for k, v in runs.items()},
        "peak_rss_mb": {k: stats([r.peak_rss_mb for r in v], 1) for k, v in runs.items()},
        "runs": {k: [r.as_dict() for r in v] for k, v in runs.items()},
        "per_sample": summaries,
        **facts,
        "seed": args.seed,
    }
    summary = [
        row("wgs-east classify, 1 core: records per second", rate, "records/s",
            f"goal >= {GOAL_RATE:,}: " + ("met" if rate >= GOAL_RATE else "NOT met")),
        row("wgs-east classify, 1 core: wall", cls, "s", f"min {wall['classify']['min']}, max {wall['classify']['max']}"),
        row("wgs-east classify: peak RSS", rss["median"], "MB", f"max {rss['max']}"),
        row("ratio to bcftools view -Ou (decode the whole file)", ratio, "x",
            f"goal <= {GOAL_RATIO}: " + ("met" if ratio <= GOAL_RATIO else "NOT met")
            + f" (medians; per repetition {min(pairs)}-{max(pairs)})"),
        row("bcftools view -Ou, 1 core", view, "s", f"min {wall['bcftools_view']['min']}, max {wall['bcftools_view']['max']}"),
        row("bcftools query of the fields classify reads (its decode floor), 1 core", query_s, "s",
            f"= {int(n_records / query_s):,} records/s before any classification"),
        row("records (annotated VCF, 4 samples)", n_records, "", f"{vcf.stat().st_size:,} bytes bgzipped"),
    ]  # fmt: skip
    path = write_result(
        "classify", data, repetitions=args.repeats, summary=summary, tools=("bcftools",), started=started,
        title="wgs-east classify (annotated VCF -> per-sample TSV/JSON/VCF), one core",
    )  # fmt: skip
    print(f"classify: {rate:,} records/s ({cls} s), {ratio} x bcftools view ({view} s), query {query_s} s; wrote {path}")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
