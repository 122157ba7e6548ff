"""Read accounting of one unit: the read pairs counted by the FASTQ check, read by fastp, written by fastp
and found in the unit's alignment must agree, so that no lane is lost without an error.

    python -m wgs_east.qc.accounting --sample S --unit L001 --fastq-check qc/fastq_check/S/L001.json \\
        --fastp qc/fastp/S/L001.fastp.json --bam work/align/S/L001.bam --max-filtered-fraction 0.5 --out X.json

The steps and what may be lost between them:

- FASTQ check -> fastp input: nothing. fastp's ``summary.before_filtering.total_reads`` (reads, two per
  pair) must be twice the pairs the check counted (a gzip file named ``.fastq`` once gave 0 here).
- fastp input -> fastp output: the reads fastp's filters remove, each counted under its reason in the
  report's ``filtering_result`` (``low_quality_reads``, ``too_many_N_reads``, ``too_short_reads``,
  ``too_long_reads``, ...; ``passed_filter_reads`` is what it writes, = ``summary.after_filtering.total_reads``).
  The reasons must add up to the reads read, and the fraction removed may be at most the configured
  ``qc.max_unit_read_loss``.
- fastp output -> alignment: nothing. bwa mem writes every read once as a primary record, mapped or not
  (secondary and supplementary records are extra), so the unit BAM's primary records (samtools flagstat)
  must equal the reads fastp wrote.

A unit that breaks any of these fails its job (exit 1) with a message naming sample and unit; the
sample's CRAM is then not made. The counts go into the QC reads metrics (`qc/metrics/{sample}.reads.json`).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from wgs_east.errors import InputError, Problem
from wgs_east.qc.io import read_json, run_main, write_json

COUNT_KEYS = ("reads_checked", "reads_fastp_in", "reads_fastp_out", "reads_filtered", "reads_aligned", "reads_mapped")


def account(
    pairs_checked: int, fastp: Mapping[str, Any], flagstat: Mapping[str, Any], max_filtered_fraction: float
) -> tuple[dict[str, Any], list[str]]:
    """The counts of one unit and what does not add up (empty: all reads accounted for).

    ``fastp`` is fastp's JSON report, ``flagstat`` samtools flagstat's JSON (``-O json``) of the unit BAM.
    """
    reads_in = int(fastp["summary"]["before_filtering"]["total_reads"])
    reads_out = int(fastp["summary"]["after_filtering"]["total_reads"])
    filtering = {k: int(v) for k, v in fastp["filtering_result"].items()}
    aligned = mapped = 0
    for part in ("QC-passed reads", "QC-failed reads"):
        f = flagstat[part]
        aligned += int(f["primary"])
        mapped += int(f["primary mapped"])
    counts: dict[str, Any] = {  # reads, two per pair, as in the other read metrics
        "reads_checked": 2 * pairs_checked,
        "reads_fastp_in": reads_in,
        "reads_fastp_out": reads_out,
        "reads_filtered": reads_in - reads_out,
        "reads_aligned": aligned,
        "reads_mapped": mapped,
        "filtered_fraction": (reads_in - reads_out) / reads_in if reads_in else 0.0,
        "fastp_filtering_result": filtering,
    }
    problems = []
    if reads_in != 2 * pairs_checked:
        problems.append(
            f"fastp read {reads_in} reads, but the FASTQ check counted {pairs_checked} pairs "
            f"({2 * pairs_checked} reads): {_lost(2 * pairs_checked, reads_in)} before trimming"
        )
    if filtering.get("passed_filter_reads") != reads_out or sum(filtering.values()) != reads_in:
        problems.append(
            f"fastp's filtering_result {filtering} does not add up to its {reads_in} reads read "
            f"and {reads_out} written"
        )
    if reads_in and counts["filtered_fraction"] > max_filtered_fraction:
        problems.append(
            f"fastp's filters removed {reads_in - reads_out} of {reads_in} reads "
            f"({counts['filtered_fraction']:.1%}; {_reasons(filtering)}), more than "
            f"qc.max_unit_read_loss = {max_filtered_fraction:g}"
        )
    if aligned != reads_out:
        problems.append(
            f"the alignment has {aligned} primary reads, but fastp wrote {reads_out}: "
            f"{_lost(reads_out, aligned)} between trimming and alignment"
        )
    return counts, problems


def _lost(expected: int, got: int) -> str:
    return f"{expected - got} reads lost" if got < expected else f"{got - expected} reads too many"


def _reasons(filtering: Mapping[str, int]) -> str:
    removed = {k: v for k, v in filtering.items() if k != "passed_filter_reads" and v}
    return ", ".join(f"{k} {v}" for k, v in removed.items()) or "no reason given"


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sample", required=True)
    ap.add_argument("--unit", required=True)
    ap.add_argument("--fastq-check", type=Path, required=True, help="JSON of `python -m wgs_east.fastq`")
    ap.add_argument("--fastp", type=Path, required=True, help="fastp's JSON report")
    ap.add_argument("--bam", type=Path, required=True, help="the unit's alignment (BAM)")
    ap.add_argument("--max-filtered-fraction", type=float, required=True)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    import pysam

    pairs_checked = int(read_json(args.fastq_check)["read_pairs"])
    fastp = read_json(args.fastp)
    flagstat = json.loads(pysam.flagstat("-O", "json", "-@", str(max(args.threads - 1, 0)), str(args.bam)))
    try:
        counts, problems = account(pairs_checked, fastp, flagstat, args.max_filtered_fraction)
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(args.fastp, [Problem("", f"not a fastp JSON report (missing {exc})")]) from None
    if problems:
        print(f"read accounting failed for sample {args.sample}, unit {args.unit}:", file=sys.stderr)
        for p in problems:
            print(f"  {args.sample} unit {args.unit}: {p}", file=sys.stderr)
        return 1
    write_json(args.out, {"sample": args.sample, "unit": args.unit, **counts})
    return 0


if __name__ == "__main__":
    run_main(main)
