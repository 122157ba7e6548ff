"""Sex-aware ploidy for calling: males haploid on X outside the PARs and on Y, females without Y.

Writes, for one joint-calling group, the bcftools `--ploidy-file` / `--samples-file` pair and the FreeBayes
`--cnv-map`. Samples of unknown sex are diploid on X and haploid on Y (no Y reads: no Y calls).

    python -m wgs_east.ploidy --batch-json B.json --group GROUP --fai genome.fa.fai \
        --ploidy OUT.ploidy --samples OUT.samples --cnv-map OUT.cnv.bed
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from wgs_east.config.models import Batch, Region, Sex

SEX_CODE = {Sex.male: "M", Sex.female: "F", Sex.unknown: "U"}


def haploid_x_intervals(x_length: int, pars: list[Region]) -> list[tuple[int, int]]:
    """1-based inclusive intervals of X outside the PARs."""
    out, pos = [], 1
    for r in sorted(pars, key=lambda r: r.start):
        if r.start > pos:
            out.append((pos, r.start - 1))
        pos = max(pos, r.end + 1)
    if pos <= x_length:
        out.append((pos, x_length))
    return out


DIPLOID = "*\t*\t*\tM\t2\n*\t*\t*\tF\t2\n*\t*\t*\tU\t2\n"
"""The bcftools ploidy file of a reference without sex chromosomes: every contig diploid."""


def bcftools_ploidy(x: str, y: str, x_length: int, y_length: int, pars: list[Region]) -> str:
    lines = [f"{x}\t{a}\t{b}\tM\t1" for a, b in haploid_x_intervals(x_length, pars)]
    lines += [f"{y}\t1\t{y_length}\tM\t1", f"{y}\t1\t{y_length}\tF\t0", f"{y}\t1\t{y_length}\tU\t1"]
    return "\n".join(lines) + "\n" + DIPLOID


def freebayes_cnv_map(
    samples: list[tuple[str, Sex]], x: str, y: str, x_length: int, y_length: int, pars: list[Region]
) -> str:
    """FreeBayes region-specific copy-number map (BED coordinates: 0-based start, end exclusive)."""
    lines = []
    for sid, sex in samples:
        if sex is Sex.male:
            lines += [f"{x}\t{a - 1}\t{b}\t{sid}\t1" for a, b in haploid_x_intervals(x_length, pars)]
            lines.append(f"{y}\t0\t{y_length}\t{sid}\t1")
        elif sex is Sex.female:
            lines.append(f"{y}\t0\t{y_length}\t{sid}\t0")
        else:
            lines.append(f"{y}\t0\t{y_length}\t{sid}\t1")
    return "\n".join(lines) + "\n" if lines else ""


def read_fai(fai: Path) -> dict[str, int]:
    out = {}
    for line in fai.read_text().splitlines():
        name, length = line.split("\t")[:2]
        out[name] = int(length)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--batch-json", type=Path, required=True)
    ap.add_argument("--group", required=True, help="a joint-calling group (Batch.call_groups)")
    ap.add_argument("--fai", type=Path, required=True)
    ap.add_argument("--ploidy", type=Path, required=True)
    ap.add_argument("--samples", type=Path, required=True)
    ap.add_argument("--cnv-map", type=Path, required=True)
    args = ap.parse_args(argv)
    batch = Batch.model_validate_json(args.batch_json.read_text())
    lengths = read_fai(args.fai)
    sc = batch.reference.sex_chromosomes
    members = [(s.id, s.sex) for s in batch.call_groups()[args.group]]
    args.samples.write_text("".join(f"{sid}\t{SEX_CODE[sex]}\n" for sid, sex in members))
    if sc is None:  # a reference without sex chromosomes: every contig diploid
        args.ploidy.write_text(DIPLOID)
        args.cnv_map.write_text("")
        return 0
    pars = batch.par_regions(lengths[sc.x])
    args.ploidy.write_text(bcftools_ploidy(sc.x, sc.y, lengths[sc.x], lengths[sc.y], pars))
    args.cnv_map.write_text(freebayes_cnv_map(members, sc.x, sc.y, lengths[sc.x], lengths[sc.y], pars))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
