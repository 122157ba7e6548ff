"""The batch overview: ``DIR/reports/{batch}.html`` (every sample with its QC verdict, family, P/LP/VUS
counts of the affected samples, links to their reports and to the MultiQC report).

    python -m wgs_east.report.batch --batch-json .wgs-east/batch.json --run-json .wgs-east/run.json \\
        --tools provenance/tools.json --qc qc/B.qc.json --classified classified/S1.json classified/S2.json \\
        [--resources MANIFEST] [--multiqc ../qc/multiqc.html] --out reports/B.html
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from wgs_east.errors import InputError, Problem
from wgs_east.qc.io import run_main
from wgs_east.report import context, inputs, render
from wgs_east.report.sample import provenance_from, read_batch


def build(args: argparse.Namespace) -> str:
    batch = read_batch(args.batch_json)
    prov = provenance_from(args.run_json, args.tools, args.resources, render.now())
    qc_doc = inputs.read_json(args.qc) if args.qc else None
    classified: dict[str, Any] = {}
    for path in args.classified or []:
        doc = inputs.read_json(path)
        sid = doc.get("sample")
        if sid not in batch.sample_ids:
            raise InputError(path, [Problem("sample", f"{sid!r} is not a sample of batch {batch.batch}")])
        classified[sid] = doc
    ctx = context.batch_context(batch, qc_doc, classified, prov, args.multiqc or None)
    return render.render("batch.html.j2", ctx)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--batch-json", type=Path, required=True)
    ap.add_argument("--run-json", type=Path, required=True)
    ap.add_argument("--tools", type=Path)
    ap.add_argument("--qc", type=Path, help="QC result qc/{batch}.qc.json")
    ap.add_argument(
        "--classified", type=Path, nargs="*", help="classified/{sample}.json of the affected samples"
    )
    ap.add_argument("--resources", type=Path)
    ap.add_argument(
        "--multiqc", default="../qc/multiqc.html", help="link to the MultiQC report, relative to --out"
    )
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    render.write_html(args.out, build(args))
    return 0


if __name__ == "__main__":
    run_main(main)
