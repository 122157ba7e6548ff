"""The coverage figure of a sample report (matplotlib, Agg backend): mean depth per chromosome and the
cumulative depth distribution (fraction of bases at >= depth) of autosomes, X and Y, from mosdepth.

Returned as an SVG data URI (``data:image/svg+xml;base64,...``) so that the HTML page needs no other file;
the SVG is deterministic (fixed hash salt, no date) and prints sharply.
"""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

CLASS_STYLE = {  # class of contig -> (label, colour); colour-blind safe (Okabe-Ito)
    "autosome": ("autosomes", "#0072B2"),
    "x": ("X", "#E69F00"),
    "y": ("Y", "#CC79A7"),
}
MAX_CONTIGS = 40
"""At most this many contigs get a bar (the longest, in reference order)."""


def contig_table(per_contig: Mapping[str, Mapping[str, Any]]) -> pd.DataFrame:
    """Contig, class, sequenced bases and mean depth, in reference order; excluded contigs dropped."""
    rows = [
        {"contig": c, "class": d.get("class"), "bases": int(d.get("sequenced_bases") or 0),
         "mean": float(d["mean_depth"]) if d.get("mean_depth") is not None else math.nan}
        for c, d in per_contig.items()
    ]  # fmt: skip
    df = pd.DataFrame(rows, columns=["contig", "class", "bases", "mean"])
    return df[df["class"].isin(list(CLASS_STYLE)) & (df["bases"] > 0)].reset_index(drop=True)


def cumulative_by_class(dist: pd.DataFrame, contigs: pd.DataFrame) -> dict[str, pd.Series]:
    """Class -> fraction of the class's bases at >= depth (index depth), each contig weighted by its
    sequenced bases. mosdepth lists each contig's depths from its maximum down to 0; above a contig's
    maximum the fraction is 0."""
    out: dict[str, pd.Series] = {}
    d = dist[dist["contig"].isin(contigs["contig"])]
    if d.empty:
        return out
    wide = d.pivot_table(index="depth", columns="contig", values="proportion", aggfunc="max", fill_value=0.0)
    wide = wide.sort_index()
    for cls in CLASS_STYLE:
        sub = contigs[contigs["class"] == cls]
        sub = sub[sub["contig"].isin(wide.columns)]
        if sub.empty or sub["bases"].sum() == 0:
            continue
        weights = sub.set_index("contig")["bases"].astype(float)
        out[cls] = (wide[weights.index] * weights).sum(axis=1) / weights.sum()
    return out


def coverage_figure_svg(
    per_contig: Mapping[str, Mapping[str, Any]], dist: pd.DataFrame, median_depth: float | None,
    thresholds: Sequence[int] = (10, 20, 30), sample: str = "",
) -> str | None:  # fmt: skip
    """The two-panel coverage figure as SVG text (None when there is nothing to plot)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    contigs = contig_table(per_contig)
    if contigs.empty:
        return None
    shown = contigs
    if len(contigs) > MAX_CONTIGS:
        keep = contigs.nlargest(MAX_CONTIGS, "bases").index
        shown = contigs.loc[sorted(keep)]
    curves = cumulative_by_class(dist, contigs)

    with plt.rc_context({"svg.fonttype": "none", "svg.hashsalt": "wgs-east", "font.size": 10,
                         "axes.spines.top": False, "axes.spines.right": False}):  # fmt: skip
        fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.3), gridspec_kw={"width_ratios": [1.25, 1]})
        x = np.arange(len(shown))
        colours = [CLASS_STYLE[c][1] for c in shown["class"]]
        ax1.bar(x, shown["mean"].fillna(0), color=colours, width=0.75)
        ax1.set_xticks(x, [_short(c) for c in shown["contig"]], rotation=45 if len(shown) > 6 else 0,
                       ha="right" if len(shown) > 6 else "center")  # fmt: skip
        ax1.set_ylabel("mean depth")
        ax1.set_title("Mean depth per chromosome", loc="left", fontsize=11)
        if median_depth is not None and not math.isnan(median_depth) and median_depth > 0:
            ax1.axhline(median_depth, color="#333333", lw=0.8, ls="--")
            ax1.axhline(median_depth / 2, color="#333333", lw=0.8, ls=":")
            ax1.text(len(shown) - 0.5, median_depth, f" autosomal median {median_depth:.0f}x", va="bottom",
                     ha="right", fontsize=9)  # fmt: skip
            ax1.text(len(shown) - 0.5, median_depth / 2, " one copy", va="bottom", ha="right", fontsize=9)
        if len(shown) < len(contigs):
            ax1.set_xlabel(f"{len(shown)} longest of {len(contigs)} contigs")

        top = 0.0
        for cls, series in curves.items():
            label, colour = CLASS_STYLE[cls]
            ax2.step(series.index, series.to_numpy(), where="post", color=colour, label=label, lw=1.5)
            above = series[series >= 0.005]
            top = max(top, float(above.index.max()) if len(above) else 0.0)
        for t in thresholds:
            ax2.axvline(t, color="#999999", lw=0.6, ls=":")
        ax2.set_xlim(0, max(top * 1.05, max(thresholds) * 1.2, 1))
        ax2.set_ylim(0, 1.02)
        ax2.set_xlabel("depth")
        ax2.set_ylabel("fraction of bases at >= depth")
        ax2.set_title("Depth distribution", loc="left", fontsize=11)
        if curves:
            ax2.legend(frameon=False, fontsize=9, loc="lower left")
        fig.tight_layout()
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata={"Date": None, "Title": f"coverage {sample}".strip()})
        plt.close(fig)
    return buf.getvalue()


def _short(contig: str, width: int = 14) -> str:
    return contig if len(contig) <= width else contig[: width - 1] + "…"


def svg_data_uri(svg: str | None) -> str | None:
    if svg is None:
        return None
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")
