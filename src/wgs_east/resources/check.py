"""Checks of a resource bundle against its manifest and the reference: files, checksums, indexes,
build, columns / INFO tags, and contig names.

Every check returns :class:`~wgs_east.errors.Problem` s located at the manifest field
(``sources.gnomad.sha256``), so that ``wgs-east resources check`` and ``wgs-east validate``/``run`` list
every problem of a bundle at once. Contig names: a source whose contigs miss the reference only by the
``chr`` prefix (``22`` vs ``chr22``, ``MT`` vs ``chrM``), or that shares no contig with it at all, is an
error naming the contigs (such a bundle would silently annotate nothing).

Checksums of large files are cached per (path, size, mtime, ctime, inode) in
``$XDG_CACHE_HOME/wgs-east/sha256.json`` (default ``~/.cache``), so that validating a batch does not re-read
hundreds of GB each time; ``wgs-east resources check --rehash`` ignores the cache. The ctime is what makes
the cache safe: an edit followed by ``touch -d`` (or any utime call) to restore the mtime still sets the
ctime to the current time, and user space cannot set it back; a file replaced by another (``mv``, a new
copy) has another inode. A tabix index older than its file (htslib's own test, whole seconds) is an error:
queries through it would read the wrong blocks.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from wgs_east.annotate.genetable import FALSE_WORDS, MOI_CODES, TRUE_WORDS, parse_moi
from wgs_east.errors import Problem
from wgs_east.resources.manifest import (
    Clinvar,
    GeneModels,
    GeneTable,
    Insilico,
    Manifest,
    Population,
    SvPopulation,
)

BUILD_BY_CHR1_LENGTH = {248_956_422: "GRCh38", 249_250_621: "GRCh37"}
_BGZF_MAGIC = b"\x1f\x8b\x08\x04"
MAX_LISTED_CONTIGS = 8


# --- checksums ------------------------------------------------------------------------------------
def _cache_file() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "wgs-east" / "sha256.json"


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def cached_sha256(path: Path, *, use_cache: bool = True) -> str:
    """sha256 of a file; remembered per (real path, size, mtime, ctime, inode) unless ``use_cache``
    is False (the ctime changes with every edit and cannot be restored: see the module docstring)."""
    st = path.stat()
    key = str(path.resolve())
    stamp = [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]  # not st_dev: it differs between NFS clients
    cache_path = _cache_file()
    cache: dict[str, Any] = {}
    if use_cache:
        try:
            cache = json.loads(cache_path.read_text())
        except (OSError, ValueError):
            cache = {}
        hit = cache.get(key)
        if isinstance(hit, dict) and hit.get("stamp") == stamp and isinstance(hit.get("sha256"), str):
            return hit["sha256"]
    digest = sha256_of(path)
    cache[key] = {"stamp": stamp, "sha256": digest}
    try:  # best effort: an unwritable cache only costs time
        cache_path.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache_path.with_name(f".{cache_path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(cache))
        tmp.replace(cache_path)
    except OSError:
        pass
    return digest


# --- contig names ---------------------------------------------------------------------------------
def _toggle(name: str) -> set[str]:
    """Other spellings of a contig name: with/without ``chr``; M/MT."""
    out = set()
    bare = name[3:] if name.startswith("chr") else name
    out.add(bare)
    out.add("chr" + bare)
    if bare in ("M", "MT"):
        out |= {"M", "MT", "chrM", "chrMT"}
    out.discard(name)
    return out


def _listed(names: Iterable[str]) -> str:
    names = list(names)
    shown = ", ".join(names[:MAX_LISTED_CONTIGS])
    return shown + (f" ... ({len(names)} in all)" if len(names) > MAX_LISTED_CONTIGS else "")


RENAME_HINT = {
    "gene_models": "rename column 1 of the GFF3 (python -m wgs_east.resources.prepare gene-models does)",
    "population": "rename them: bcftools annotate --rename-chrs",
    "clinvar": "rename them: bcftools annotate --rename-chrs",
    "insilico": "rename column 1 of the table, then bgzip and tabix again",
}


def contig_problems(source_contigs: Iterable[str], reference: dict[str, int], hint: str = "") -> str | None:
    """A message when the source's contig names do not fit the reference, else None."""
    names = list(dict.fromkeys(source_contigs))
    if not names:
        return None
    missing = [c for c in names if c not in reference]
    renamed = {c: sorted(t for t in _toggle(c) if t in reference) for c in missing}
    renamed = {c: t for c, t in renamed.items() if t}
    if renamed:
        pairs = [f"{c} (reference: {t[0]})" for c, t in renamed.items()]
        return f"contig names do not match the reference: {_listed(pairs)}" + (f"; {hint}" if hint else "")
    if len(missing) == len(names):
        return (
            f"no contig of this source is in the reference: {_listed(missing)} "
            f"(the reference has {_listed(reference)})"
        )
    return None


def infer_build(reference: dict[str, int]) -> str | None:
    """GRCh38 / GRCh37 from the length of chromosome 1, when the reference has it."""
    for name in ("chr1", "1"):
        if name in reference:
            return BUILD_BY_CHR1_LENGTH.get(reference[name])
    return None


# --- file-level helpers ---------------------------------------------------------------------------
def _readable(path: Path) -> str | None:
    if not path.exists():
        return f"file not found: {path}"
    if not path.is_file():
        return f"not a regular file: {path}"
    if not os.access(path, os.R_OK):
        return f"not readable: {path}"
    if path.stat().st_size == 0:
        return f"file is empty: {path}"
    return None


def _is_bgzf(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(4) == _BGZF_MAGIC


def index_of(path: Path) -> Path | None:
    for suffix in (".tbi", ".csi"):
        candidate = path.with_name(path.name + suffix)
        if candidate.exists():
            return candidate
    return None


def _tabix_problems(path: Path) -> tuple[list[str], list[str]]:
    """(problems, contigs) of a bgzipped, tabix-indexed file."""
    if not _is_bgzf(path):
        return [f"not bgzip-compressed (compress with `bgzip`, then index with `tabix`): {path}"], []
    index = index_of(path)
    if index is None:
        return [f"index missing: neither {path.name}.tbi nor {path.name}.csi exists (make it with `tabix`)"], []
    if int(index.stat().st_mtime) < int(path.stat().st_mtime):  # as htslib tests it (whole seconds)
        return [f"index {index.name} is older than the file: the file changed after indexing "
                f"(rebuild it with `tabix -f`)"], []
    import pysam

    try:
        with pysam.TabixFile(str(path), index=str(index)) as tbx:
            contigs = list(tbx.contigs)
            if contigs:  # the index must lead to records of this file
                next(iter(tbx.fetch(contigs[0])), None)
            return [], contigs
    except (OSError, ValueError) as exc:
        return [f"cannot read it through its index {index.name} (rebuild it with `tabix -f`): {exc}"], []


def _open_text(path: Path) -> Any:
    with open(path, "rb") as fh:
        gz = fh.read(2) == b"\x1f\x8b"
    return gzip.open(path, "rt") if gz else open(path)


def table_header(path: Path) -> list[str]:
    """Column names of a tabular file: the last leading line starting with ``#`` (without the ``#``),
    or the first line when none does."""
    last: str | None = None
    with _open_text(path) as fh:
        for line in fh:
            if line.startswith("#"):
                last = line
                continue
            if last is None:
                last = line
            break
    if last is None:
        return []
    return last.rstrip("\r\n").lstrip("#").split("\t")


# --- per-kind checks ------------------------------------------------------------------------------
def gff3_contigs(path: Path) -> tuple[list[str], dict[str, int]]:
    """Contig names of a GFF3 and counts of Ensembl-style gene/transcript IDs."""
    seqids: dict[str, None] = {}
    counts = {"gene": 0, "transcript": 0}
    with _open_text(path) as fh:
        for line in fh:
            if line.startswith("#") or not line.strip():
                continue
            fields = line.split("\t", 9)
            if len(fields) < 9:
                continue
            seqids.setdefault(fields[0])
            attrs = fields[8]
            if attrs.startswith("ID=gene:") or ";ID=gene:" in attrs:
                counts["gene"] += 1
            elif "ID=transcript:" in attrs:
                counts["transcript"] += 1
    return list(seqids), counts


def _gene_models(src: GeneModels) -> tuple[list[str], list[str]]:
    contigs, counts = gff3_contigs(src.path)
    if not counts["gene"] or not counts["transcript"]:
        return [
            "not an Ensembl-style GFF3: bcftools csq needs genes `ID=gene:...` and transcripts "
            "`ID=transcript:...;Parent=gene:...` (resources/README.md shows how to convert)"
        ], contigs
    return [], contigs


def _vcf_source(src: Population | Clinvar | SvPopulation, tags: dict[str, str | None]) -> tuple[list[str], list[str]]:
    problems, contigs = _tabix_problems(src.path)
    if problems:
        return problems, contigs
    import pysam

    try:
        with pysam.VariantFile(str(src.path)) as vcf:
            info = vcf.header.info
            missing = [f"{field}={tag}" for field, tag in tags.items() if tag and tag not in info]
    except (OSError, ValueError) as exc:
        return [f"not a readable VCF: {exc}"], contigs
    if missing:
        problems.append(f"INFO tags not in the VCF header: {', '.join(missing)} (see `fields:`)")
    return problems, contigs


def _insilico(src: Insilico) -> tuple[list[str], list[str]]:
    problems, contigs = _tabix_problems(src.path)
    if problems:
        return problems, contigs
    header = table_header(src.path)
    missing = [f"{k}={v!r}" for k, v in src.columns.model_dump().items() if v not in header]
    if missing:
        problems.append(f"columns not in the header ({'|'.join(header)}): {', '.join(missing)}")
    return problems, contigs


def _gene_table(src: GeneTable) -> list[str]:
    header = table_header(src.path)
    cols = {k: v for k, v in src.columns.model_dump().items() if v is not None}
    missing = [f"{k}={v!r}" for k, v in cols.items() if v not in header]
    if missing:
        return [f"columns not in the header ({'|'.join(header)}): {', '.join(missing)}"]
    at = {k: header.index(v) for k, v in cols.items()}
    problems: list[str] = []
    seen: set[str] = set()
    with _open_text(src.path) as fh:
        for lineno, line in enumerate(fh, start=1):
            if line.startswith("#") or lineno == 1:
                continue
            f = line.rstrip("\r\n").split("\t")
            if len(f) < len(header):
                problems.append(f"line {lineno}: {len(f)} columns, the header has {len(header)}")
                continue
            sym = f[at["symbol"]]
            if sym in seen:
                problems.append(f"line {lineno}: gene {sym!r} listed twice")
            seen.add(sym)
            for key in ("moi", "lof_moi"):
                bad = [m for m in parse_moi(f[at[key]]) if m not in MOI_CODES] if key in at else []
                if bad:
                    problems.append(f"line {lineno}: unknown inheritance {', '.join(bad)} (use {'|'.join(sorted(MOI_CODES))})")
            for key in ("loeuf", "pli"):
                if key in at and f[at[key]] not in ("", "."):
                    try:
                        float(f[at[key]])
                    except ValueError:
                        problems.append(f"line {lineno}: {key} {f[at[key]]!r} is not a number")
            if "lof_mechanism" in at and f[at["lof_mechanism"]].strip().lower() not in TRUE_WORDS | FALSE_WORDS | {"."}:
                problems.append(f"line {lineno}: lof_mechanism {f[at['lof_mechanism']]!r} is not true/false")
            if len(problems) >= 10:
                break
    return problems


def check_bundle(
    manifest: Manifest, reference: dict[str, int] | None, build: str | None, *, use_cache: bool = True
) -> list[Problem]:
    """Every problem of a validated manifest's files against the reference contigs and build."""
    problems: list[Problem] = []
    if build is not None and manifest.build != build:
        problems.append(Problem("build", f"the bundle is {manifest.build}, the reference is {build}"))
    inferred = infer_build(reference or {})
    if inferred is not None and inferred != manifest.build:
        problems.append(Problem("build", f"the bundle is {manifest.build}, but the reference looks like {inferred} (length of chr1)"))
    for name, src in manifest.sources.items():
        loc = f"sources.{name}"
        where = f"{src.kind} source {src.path.name}"
        missing = _readable(src.path)
        if missing:
            problems.append(Problem(f"{loc}.path", missing))
            continue
        digest = cached_sha256(src.path, use_cache=use_cache)
        if digest != src.sha256:
            problems.append(Problem(
                f"{loc}.sha256", f"{where}: checksum mismatch: the manifest says {src.sha256}, the file has {digest}"
            ))  # fmt: skip
            continue
        contigs: list[str] = []
        if isinstance(src, GeneModels):
            msgs, contigs = _gene_models(src)
        elif isinstance(src, Population):
            msgs, contigs = _vcf_source(src, src.fields.model_dump())
        elif isinstance(src, Clinvar):
            msgs, contigs = _vcf_source(src, src.fields.model_dump())
        elif isinstance(src, Insilico):
            msgs, contigs = _insilico(src)
        elif isinstance(src, SvPopulation):
            msgs, contigs = _vcf_source(src, src.fields.model_dump())
        else:
            assert isinstance(src, GeneTable)
            msgs = _gene_table(src)
        problems += [Problem(loc, f"{where}: {m}") for m in msgs]
        if reference is not None and not msgs:
            msg = contig_problems(contigs, reference, RENAME_HINT.get(src.kind, ""))
            if msg:
                problems.append(Problem(loc, f"{where}: {msg}"))
    return problems


def verify_bundle(
    manifest_path: str | Path, reference_fasta: str | Path | None, build: str | None, *, use_cache: bool = True
) -> tuple[Manifest, Path]:
    """Load and check a bundle; InputError (naming the manifest) listing every problem."""
    from wgs_east.errors import InputError
    from wgs_east.reference import read_contigs
    from wgs_east.resources.manifest import load_manifest

    manifest = load_manifest(manifest_path)
    path = Path(os.path.abspath(manifest_path))
    path = path / "manifest.yaml" if path.is_dir() else path
    contigs = None
    if reference_fasta is not None:
        try:
            contigs = read_contigs(Path(reference_fasta))
        except InputError as exc:
            raise InputError(path, [Problem("--reference", f"{exc.source}: {p}") for p in exc.problems]) from None
    problems = check_bundle(manifest, contigs, build, use_cache=use_cache)
    if problems:
        raise InputError(path, problems)
    return manifest, path


# --- what a source holds (``wgs-east resources check`` prints it) ---------------------------------
TBI_PSEUDO_BIN = 37450


def tabix_counts(tbi: Path) -> dict[str, int] | None:
    """Records per contig from a tabix index (``.tbi``: the n_mapped of each reference's pseudo-bin,
    which htslib writes for VCFs and tables alike), without reading the data; None for another index."""
    import struct

    try:
        with gzip.open(tbi, "rb") as fh:
            data = fh.read()
    except OSError:
        return None
    if data[:4] != b"TBI\x01":
        return None
    n_ref = struct.unpack_from("<i", data, 4)[0]
    l_nm = struct.unpack_from("<i", data, 32)[0]
    names = [n.decode() for n in data[36 : 36 + l_nm].split(b"\x00")[:n_ref]]
    at = 36 + l_nm
    counts: dict[str, int] = {}
    for name in names:
        n_bin = struct.unpack_from("<i", data, at)[0]
        at += 4
        for _ in range(n_bin):
            bin_id, n_chunk = struct.unpack_from("<Ii", data, at)
            at += 8
            if bin_id == TBI_PSEUDO_BIN and n_chunk == 2:
                counts[name] = struct.unpack_from("<Q", data, at + 16)[0]
            at += 16 * n_chunk
        n_intv = struct.unpack_from("<i", data, at)[0]
        at += 4 + 8 * n_intv
        counts.setdefault(name, 0)
    return counts


def count_non_pass(vcf: Path) -> int:
    """Records whose FILTER is neither PASS nor missing (reads every record, through bcftools)."""
    import subprocess

    proc = subprocess.run(
        ["bash", "-o", "pipefail", "-c", "bcftools view -H -i 'FILTER!=\"PASS\" && FILTER!=\".\"' \"$1\" | wc -l", "_",
         str(vcf)], capture_output=True, text=True, check=False,
    )  # fmt: skip
    if proc.returncode != 0:
        raise OSError(f"bcftools view failed on {vcf}: {proc.stderr.strip()[-300:]}")
    return int(proc.stdout.strip())


def source_summary(src: Any, *, full: bool = False) -> dict[str, Any]:
    """Records, contigs (with their record counts where the index has them) and, with ``full`` (reads every
    record of a VCF source), the number of non-PASS records. Gene models: genes and transcripts; gene
    table: genes and how many have a mode of inheritance."""
    out: dict[str, Any] = {"records": None, "contigs": {}, "non_pass": None}
    if isinstance(src, GeneModels):
        contigs, counts = gff3_contigs(src.path)
        out.update(contigs=dict.fromkeys(contigs), genes=counts["gene"], transcripts=counts["transcript"])
        return out
    if isinstance(src, GeneTable):
        from wgs_east.annotate.genetable import read_gene_table

        facts = read_gene_table(src.path, src.columns.model_dump())
        out.update(records=len(facts), with_moi=sum(1 for f in facts.values() if f.moi))
        return out
    index = index_of(src.path)
    counts = tabix_counts(index) if index is not None else None
    if counts is not None:
        out.update(records=sum(counts.values()), contigs=counts)
    if full and isinstance(src, (Population, Clinvar)):
        out["non_pass"] = count_non_pass(src.path)
    return out


def format_summary(name: str, src: Any, summary: dict[str, Any], reference: dict[str, int] | None = None) -> str:
    """One line per source, e.g. ``gnomad_exomes (population): 992 records on 2 contigs (chr1 101, chrX 891);
    non-PASS 928 (93.5 %); reference contigs without records: chr2, ...``."""
    parts = [f"{name} ({src.kind})"]
    contigs = summary["contigs"]
    listed = [f"{c} {n:,}" if n is not None else c for c, n in contigs.items()]
    if summary.get("genes") is not None:
        parts.append(f"{summary['genes']:,} genes, {summary['transcripts']:,} transcripts on {len(contigs)} contigs "
                     f"({_listed(listed)})")  # fmt: skip
    elif summary.get("with_moi") is not None:
        parts.append(f"{summary['records']:,} genes, {summary['with_moi']:,} with a mode of inheritance")
    elif summary["records"] is not None:
        parts.append(f"{summary['records']:,} records on {len(contigs)} contigs ({_listed(listed)})")
    else:
        parts.append("record count not in the index (not a .tbi)")
    if summary["non_pass"] is not None and summary["records"]:
        parts.append(f"non-PASS {summary['non_pass']:,} ({100 * summary['non_pass'] / summary['records']:.1f} %)")
    if reference is not None and contigs and not isinstance(src, GeneTable):
        absent = [c for c in reference if c in PRIMARY_CONTIGS and c not in contigs]
        if absent:
            parts.append(f"primary reference contigs without records: {_listed(absent)}")
    return ": ".join(parts[:2]) + "".join(f"; {p}" for p in parts[2:])


PRIMARY_CONTIGS = frozenset(f"chr{c}" for c in [*range(1, 23), "X", "Y", "M"])
