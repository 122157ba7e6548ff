"""`changes.tsv` of a reanalysis: the variants whose classification changed between two runs.

Compares the reported variants of one sample (classified/{sample}.tsv) of the earlier run and of the
reanalysis, by variant (chrom, pos, ref, alt). A row is written for every variant whose class, points or
criteria differ, and for every variant reported by only one of the runs (``not reported`` on the other
side: below the reporting rule, filtered, or absent). Unchanged variants are not listed; the header
says how many were compared.

    python -m wgs_east.classify.changes --old OLD.tsv --new NEW.tsv --out changes.tsv
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

KEY = ["chrom", "pos", "ref", "alt"]
COMPARED = ["classification", "points", "criteria"]
DESCRIBE = ["sample", "gene", "transcript", "hgvs_c", "hgvs_p", "zygosity"]
NOT_REPORTED = "not reported"
COLUMNS = [
    *KEY, *DESCRIBE, "changed",
    "old_classification", "new_classification", "old_points", "new_points", "old_criteria", "new_criteria",
]  # fmt: skip


def read_classified(path: Path) -> pd.DataFrame:
    """The variant rows of a classified TSV (comment lines skipped), every column as text."""
    frame = pd.read_csv(path, sep="\t", comment="#", dtype=str, keep_default_na=False)
    missing = [c for c in [*KEY, *COMPARED] if c not in frame.columns]
    if missing:
        raise ValueError(f"{path}: not a classified TSV (missing columns: {', '.join(missing)})")
    return frame


def compare(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """One row per variant whose class, points or criteria changed, or that only one run reports."""
    keep = [*KEY, *[c for c in DESCRIBE if c in old.columns or c in new.columns], *COMPARED]
    merged = pd.merge(
        old.reindex(columns=keep), new.reindex(columns=keep), on=KEY, how="outer",
        suffixes=("_old", "_new"), indicator=True,
    )  # fmt: skip
    rows = []
    for rec in merged.to_dict("records"):
        side = rec.pop("_merge")
        out = {k: rec[k] for k in KEY}
        for col in DESCRIBE:  # descriptions from the new run where it reports the variant
            new_value, old_value = rec.get(f"{col}_new"), rec.get(f"{col}_old")
            out[col] = new_value if isinstance(new_value, str) else (old_value if isinstance(old_value, str) else "")
        changed = []
        for col in COMPARED:
            old_value = rec[f"{col}_old"] if side != "right_only" else NOT_REPORTED
            new_value = rec[f"{col}_new"] if side != "left_only" else NOT_REPORTED
            out[f"old_{col}"], out[f"new_{col}"] = old_value, new_value
            if old_value != new_value:
                changed.append(col)
        if side == "left_only":
            changed = ["no longer reported"]
        elif side == "right_only":
            changed = ["newly reported"]
        if changed:
            out["changed"] = ",".join(changed)
            rows.append(out)
    result = pd.DataFrame(rows, columns=COLUMNS)
    if not result.empty:
        result["_pos"] = result["pos"].astype(int)
        result = result.sort_values(["chrom", "_pos", "ref", "alt"]).drop(columns="_pos")
    return result


def write_changes(old_path: Path, new_path: Path, out: Path) -> int:
    """Write ``out`` (atomically); returns the number of changed variants."""
    old, new = read_classified(old_path), read_classified(new_path)
    changes = compare(old, new)
    tmp = out.with_name(out.name + ".tmp")
    with open(tmp, "w") as fh:
        fh.write(f"# earlier_run={old_path}\n# reanalysis={new_path}\n")
        fh.write(f"# compared: {len(old)} variants reported before, {len(new)} now; {len(changes)} changed\n")
        changes.to_csv(fh, sep="\t", index=False)
    tmp.replace(out)
    return len(changes)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--old", type=Path, required=True, help="classified/{sample}.tsv of the earlier run")
    ap.add_argument("--new", type=Path, required=True, help="classified/{sample}.tsv of the reanalysis")
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    n = write_changes(args.old, args.new, args.out)
    print(f"{n} variants changed", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
