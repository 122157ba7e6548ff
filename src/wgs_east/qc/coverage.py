"""Coverage metrics from mosdepth, over the sequenced (A/C/G/T) bases of the reference.

mosdepth runs with `--by` the A/C/G/T intervals of the reference (:mod:`wgs_east.qc.composition`),
`--thresholds 10,20,30`, `--mapq` = `qc.coverage_min_mapq`, duplicates excluded. From its output:
- mean and median depth over the autosomes and the fractions of autosomal bases at >= 10x, 20x, 30x;
- mean depth of every contig (X and Y normalised to the autosomal mean feed sex inference);
- optionally (`qc.target_bed`, a second mosdepth run `--by` the targets): the fraction of target bases at
  >= `qc.region_min_depth` and the list of under-covered target regions.

    python -m wgs_east.qc.coverage --batch-json B.json --sample S --fai genome.fa.fai \
        --summary S.mosdepth.summary.txt --dist S.mosdepth.region.dist.txt \
        --thresholds S.thresholds.bed.gz [--target-regions T.regions.bed.gz --target-thresholds T.thresholds.bed.gz] \
        --out S.coverage.json
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from wgs_east.config.models import Batch
from wgs_east.errors import InputError, Problem
from wgs_east.qc.contigs import AUTOSOME, X, Y, classify_contigs
from wgs_east.qc.io import ratio, run_main, write_json

DEPTH_THRESHOLDS = (10, 20, 30)


# --- pure functions ---------------------------------------------------------------------------------
def contig_depths(summary: pd.DataFrame, thresholds: pd.DataFrame) -> pd.DataFrame:
    """Per contig: sequenced length (the `--by` intervals, from the thresholds table, which lists every
    interval), summed depth over them (mosdepth `<contig>_region` rows; a contig without reads has none)
    and the mean depth per sequenced base."""
    lengths = (thresholds["end"] - thresholds["start"]).groupby(thresholds["chrom"], sort=False).sum()
    rows = summary[summary["chrom"].str.endswith("_region") & (summary["chrom"] != "total_region")]
    bases = pd.Series(rows["bases"].to_numpy(dtype=np.int64), index=rows["chrom"].str.removesuffix("_region"))
    out = pd.DataFrame({"length": lengths.astype(np.int64)})
    out["bases"] = bases.reindex(out.index).fillna(0).astype(np.int64)
    out["mean"] = out["bases"] / out["length"].where(out["length"] > 0)
    out.index.name = "contig"
    return out


def median_from_dist(dist: pd.DataFrame, lengths: pd.Series) -> float:
    """Median depth of a set of contigs from mosdepth's cumulative distribution (rows contig, depth,
    proportion of the contig's bases at >= depth), weighting each contig by its length."""
    d = dist[dist["contig"].isin(lengths.index)]
    if d.empty or lengths.sum() == 0:
        return math.nan
    at_least = (d["proportion"] * d["contig"].map(lengths)).groupby(d["depth"]).sum() / lengths.sum()
    reached = at_least[at_least >= 0.5]
    return float(reached.index.max()) if not reached.empty else 0.0


def coverage_metrics(
    depths: pd.DataFrame, dist: pd.DataFrame, thresholds: pd.DataFrame, classes: dict[str, str]
) -> dict[str, Any]:
    """Autosomal mean / median depth and fractions at >= thresholds; X and Y mean depth and ratios."""
    kind = depths.index.map(lambda c: classes.get(c, "excluded"))
    auto = depths[kind == AUTOSOME]
    mean = ratio(auto["bases"].sum(), auto["length"].sum())
    th = thresholds[thresholds["chrom"].map(lambda c: classes.get(c) == AUTOSOME)]
    th_len = (th["end"] - th["start"]).sum()
    out: dict[str, Any] = {
        "autosomal_bases": int(auto["length"].sum()),
        "mean_depth": mean,
        "median_depth": median_from_dist(dist, auto["length"]),
    }
    for t in DEPTH_THRESHOLDS:
        out[f"fraction_{t}x"] = ratio(th[f"{t}X"].sum(), th_len) if f"{t}X" in th else math.nan
    for label, cls in (("x", X), ("y", Y)):
        sub = depths[kind == cls]
        depth = ratio(sub["bases"].sum(), sub["length"].sum())
        out[f"{label}_depth"] = depth
        out[f"{label}_ratio"] = depth / mean if mean and not math.isnan(depth) else math.nan
    return out


def undercovered_regions(
    regions: pd.DataFrame, thresholds: pd.DataFrame, min_depth: int, min_fraction: float
) -> tuple[float, list[dict[str, Any]]]:
    """Fraction of target bases at >= min_depth, and the regions where that fraction is < min_fraction."""
    col = f"{min_depth}X"
    length = (thresholds["end"] - thresholds["start"]).to_numpy()
    covered = thresholds[col].to_numpy()
    frac = np.divide(covered, length, out=np.zeros(len(length)), where=length > 0)
    means = regions["mean"].to_numpy() if len(regions) == len(thresholds) else np.full(len(frac), np.nan)
    bad = []
    for i in np.flatnonzero(frac < min_fraction):
        r = thresholds.iloc[i]
        bad.append(
            {
                "contig": r["chrom"], "start": int(r["start"]), "end": int(r["end"]), "name": r["region"],
                "mean_depth": float(means[i]), "fraction_at_min_depth": float(frac[i]),
            }
        )  # fmt: skip
    return ratio(covered.sum(), length.sum()), bad


# --- readers ----------------------------------------------------------------------------------------
def _read_table(path: Path, **kw: Any) -> pd.DataFrame:
    try:
        return pd.read_csv(path, sep="\t", **kw)
    except FileNotFoundError:
        raise InputError(path, [Problem("", "file not found")]) from None
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise InputError(path, [Problem("", f"cannot parse: {exc}")]) from None


def read_summary(path: Path) -> pd.DataFrame:
    return _read_table(path, dtype={"chrom": str})


def read_dist(path: Path) -> pd.DataFrame:
    return _read_table(path, header=None, names=["contig", "depth", "proportion"], dtype={"contig": str})


def read_thresholds(path: Path) -> pd.DataFrame:
    df = _read_table(path, dtype={"#chrom": str, "region": str})
    return df.rename(columns={"#chrom": "chrom"})


def read_regions(path: Path) -> pd.DataFrame:
    df = _read_table(path, header=None, dtype={0: str})
    df = df.rename(columns={0: "chrom", 1: "start", 2: "end", df.columns[-1]: "mean"})
    return df[["chrom", "start", "end", "mean"]]


def read_fai(path: Path) -> dict[str, int]:
    df = _read_table(path, header=None, usecols=[0, 1], dtype={0: str})
    return dict(zip(df[0], df[1].astype(int), strict=True))


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--batch-json", type=Path, required=True)
    ap.add_argument("--sample", required=True)
    ap.add_argument("--fai", type=Path, required=True)
    ap.add_argument("--summary", type=Path, required=True)
    ap.add_argument("--dist", type=Path, required=True, help="mosdepth region.dist.txt")
    ap.add_argument("--thresholds", type=Path, required=True)
    ap.add_argument("--target-regions", type=Path)
    ap.add_argument("--target-thresholds", type=Path)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    batch = Batch.model_validate_json(args.batch_json.read_text())
    contigs = read_fai(args.fai)
    classes = classify_contigs(contigs, batch)
    thresholds = read_thresholds(args.thresholds)
    depths = contig_depths(read_summary(args.summary), thresholds).reindex(list(contigs))
    depths[["length", "bases"]] = depths[["length", "bases"]].fillna(0).astype(np.int64)
    metrics = coverage_metrics(depths, read_dist(args.dist), thresholds, classes)
    result: dict[str, Any] = {
        "sample": args.sample,
        "sample_metrics": metrics,
        "per_contig": {
            c: {"class": classes[c], "sequenced_bases": int(r["length"]), "mean_depth": float(r["mean"])}
            for c, r in depths.iterrows()
        },
    }
    if args.target_thresholds:
        qc = batch.qc
        fraction, bad = undercovered_regions(
            read_regions(args.target_regions) if args.target_regions else pd.DataFrame(),
            read_thresholds(args.target_thresholds),
            qc.region_min_depth,
            qc.region_min_fraction,
        )
        metrics["target_fraction"] = fraction
        metrics["target_undercovered_regions"] = len(bad)
        result["undercovered_regions"] = bad
    write_json(args.out, result)
    return 0


if __name__ == "__main__":
    run_main(main)
