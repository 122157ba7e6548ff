"""Load and validate a batch YAML file; every problem found is reported at once with its location."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from wgs_east import fastq
from wgs_east.config.checks import (
    check_acmg_file,
    check_files,
    check_panel_file,
    check_pedigree,
    check_target_bed,
    check_unique_ids,
)
from wgs_east.config.models import CONTIG_REGEX, HPO_REGEX, ID_REGEX, Batch
from wgs_east.errors import InputError, Problem, WgsEastError
from wgs_east.reference import read_contigs

_PATTERN_HELP = {
    ID_REGEX: "must be 1-64 letters, digits, '_' or '-', starting with a letter or digit",
    HPO_REGEX: "must be an HPO term id like HP:0001250",
    CONTIG_REGEX: "is not a valid contig name",
}


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate mapping keys (PyYAML silently keeps the last one)."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    """A mapping; duplicate keys are errors. YAML merge keys (``<<: *anchor``) are supported as YAML 1.1
    defines them: the merged entries come first and the mapping's own keys override them."""
    own = sum(1 for k, _ in node.value if k.tag != "tag:yaml.org,2002:merge")
    if own != len(node.value):
        try:
            loader.flatten_mapping(node)  # node.value becomes: merged entries, then the mapping's own
        except yaml.constructor.ConstructorError as exc:
            raise yaml.constructor.ConstructorError(
                None, None, f"YAML merge key '<<' needs a mapping or a list of mappings: {exc.problem}",
                exc.problem_mark,
            ) from None
    n_merged = len(node.value) - own
    mapping: dict[Any, Any] = {}
    own_keys: set[Any] = set()
    for i, (key_node, value_node) in enumerate(node.value):
        key = loader.construct_object(key_node, deep=deep)
        if i < n_merged:  # merged entries: later ones override earlier ones, the own keys override all
            mapping[key] = loader.construct_object(value_node, deep=deep)
            continue
        if key in own_keys:
            mark = key_node.start_mark
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", mark
            )
        own_keys.add(key)
        mapping[key] = loader.construct_object(value_node, deep=deep)
    return mapping


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def format_loc(loc: tuple[str | int, ...]) -> str:
    """('samples', 2, 'units', 0, 'fastq1') -> 'samples[2].units[0].fastq1'."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _pydantic_problems(exc: ValidationError) -> list[Problem]:
    problems = []
    for err in exc.errors(include_url=False):
        loc = format_loc(tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-"))))
        kind = err["type"]
        value = err.get("input")
        if kind == "extra_forbidden":
            msg = "unknown field"
        elif kind == "missing":
            msg = "required field is missing"
        elif kind == "string_pattern_mismatch":
            pattern = (err.get("ctx") or {}).get("pattern", "")
            msg = f"invalid value {value!r}: {_PATTERN_HELP.get(pattern, 'must match ' + pattern)}"
        elif kind in ("literal_error", "enum"):
            msg = f"invalid value {value!r}: {err['msg'].lower()}"
        elif kind == "value_error":
            msg = err["msg"].removeprefix("Value error, ")
        else:
            shown = repr(value) if not isinstance(value, dict | list) else type(value).__name__
            msg = f"{err['msg']} (got {shown})"
        problems.append(Problem(loc, msg))
    return problems


def read_yaml(path: Path) -> Any:
    """Parse a YAML file strictly; syntax errors become an InputError naming line and column."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(path, [Problem("", "file not found")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(path, [Problem("", f"cannot read file: {exc}")]) from None
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise InputError(path, [Problem(where, f"YAML syntax error: {exc.problem or exc}")]) from None
    except yaml.YAMLError as exc:
        raise InputError(path, [Problem("", f"YAML error: {exc}")]) from None


def parse_batch(data: Any, base_dir: Path, source: Path) -> Batch:
    """Shape and type validation of already-parsed YAML data."""
    if not isinstance(data, dict):
        raise InputError(source, [Problem("", "the batch file must be a YAML mapping (batch:, reference:, samples:)")])
    try:
        return Batch.model_validate(data, context={"base_dir": base_dir})
    except ValidationError as exc:
        raise InputError(source, _pydantic_problems(exc)) from None


def check_reference(batch: Batch) -> tuple[dict[str, int], list[Problem]]:
    """Read the reference's contigs; check the configured contig names exist in it."""
    try:
        contigs = read_contigs(batch.reference.fasta, trust_index=False)  # the FASTA itself, never a .fai
    except InputError as exc:
        return {}, [Problem("reference.fasta", f"{exc.source}: {p}") for p in exc.problems]
    problems = []
    sc = resolve_sex_chromosomes(batch, contigs).reference.sex_chromosomes
    for field, name in (("x", sc.x), ("y", sc.y)) if sc is not None else ():
        if name not in contigs:
            problems.append(Problem(f"reference.sex_chromosomes.{field}", _missing_sex_contig(name, field, contigs)))
    for i, name in enumerate(batch.reference.exclude_contigs):
        if name not in contigs:
            problems.append(Problem(f"reference.exclude_contigs[{i}]", f"contig {name!r} is not in the reference"))
    for i, region in enumerate(batch.reference.par_regions or []):
        length = contigs.get(region.contig)
        if length is None:
            problems.append(Problem(f"reference.par_regions[{i}].contig", f"contig {region.contig!r} not in reference"))
        elif not region.start <= region.end <= length:
            problems.append(Problem(f"reference.par_regions[{i}]", f"region outside 1..{length} or start > end"))
    sex = (sc.x, sc.y) if sc is not None else ()
    autosomes = [c for c in contigs if c not in (*sex, *batch.reference.exclude_contigs)]
    if contigs and not autosomes:
        problems.append(Problem("reference.fasta", "the reference has no autosomal contig"))
    return contigs, problems


def _missing_sex_contig(name: str, field: str, contigs: dict[str, int]) -> str:
    """The message for a configured X or Y contig the FASTA lacks: how to opt out, and the GRCh37-style
    name when the FASTA has it."""
    message = f"contig {name!r} is not in the reference FASTA"
    other = next((c for c in (field.upper(), f"chr{field.upper()}") if c in contigs), None)
    if other is not None and other != name:
        message += f"; the FASTA names it {other!r}: set reference.sex_chromosomes.{field}: {other}"
    return message + (
        "; for a reference without sex chromosomes (a chromosome slice, a panel reference) set"
        " reference.sex_chromosomes: null (every contig diploid, no sex check, no X-linked analysis)"
    )


SEX_CONTIG_NAMES = ("chrX", "chrY", "X", "Y")


def resolve_sex_chromosomes(batch: Batch, contigs: dict[str, int]) -> Batch:
    """`reference.sex_chromosomes` left out of the YAML and a FASTA without any contig named chrX, chrY, X
    or Y: the reference has no sex chromosomes (null). Otherwise the batch as it is."""
    ref = batch.reference
    if "sex_chromosomes" in ref.model_fields_set or not contigs or any(c in contigs for c in SEX_CONTIG_NAMES):
        return batch
    return batch.model_copy(update={"reference": ref.model_copy(update={"sex_chromosomes": None})})


def check_fastqs(batch: Batch, skip: set[str] = frozenset()) -> list[Problem]:
    """Record-level FASTQ checks of every unit whose files exist (units listed in ``skip`` are left out)."""
    problems = []
    for i, s in enumerate(batch.samples):
        for j, u in enumerate(s.units):
            if f"samples[{i}].units[{j}]" in skip:
                continue
            for issue in fastq.check_pair(u.fastq1, u.fastq2).issues:
                field = issue.which if issue.which != "pair" else "fastq2"
                path = getattr(u, field)
                problems.append(Problem(f"samples[{i}].units[{j}].{field}", f"{issue.msg} ({path})"))
    return problems


def check_resources(batch: Batch, contigs: dict[str, int] | None) -> list[Problem]:
    """The resource bundle (``resources:``): manifest, files, checksums, indexes, build, contig names.
    Each problem names the manifest file and the source."""
    if batch.resources is None:
        return []
    from wgs_east.resources.check import check_bundle
    from wgs_east.resources.manifest import load_manifest

    try:
        manifest = load_manifest(batch.resources)
    except InputError as exc:
        return [Problem("resources", f"{exc.source}: {p}") for p in exc.problems]
    bundle = check_bundle(manifest, contigs, batch.reference.build)
    return [Problem("resources", f"{batch.resources}: {p}") for p in bundle]


def load_batch(path: str | Path, *, check_inputs: bool = True) -> Batch:
    """Load a batch YAML file. Relative paths resolve against the file's directory.

    With ``check_inputs`` the input files are checked too (existence, FASTA, FASTQ records).
    Raises InputError listing every problem found.
    """
    source = Path(path)
    try:  # the config path is recorded in the run's state and in every result header
        os.path.abspath(source).encode("utf-8")
    except UnicodeEncodeError:
        shown = os.fsencode(os.path.abspath(source)).decode("utf-8", "backslashreplace")
        raise InputError(
            shown, [Problem("", "the path of the config file is not valid UTF-8 text: rename the file or directory")]
        ) from None
    data = read_yaml(source)
    base_dir = Path(os.path.abspath(source)).parent
    batch = parse_batch(data, base_dir, source)
    problems = check_unique_ids(batch) + check_pedigree(batch)
    if check_inputs:
        file_problems = check_files(batch)
        problems += file_problems
        bad_locs = {p.loc for p in file_problems}
        contigs: dict[str, int] | None = None
        if "reference.fasta" not in bad_locs:
            contigs, ref_problems = check_reference(batch)
            problems += ref_problems
            batch = resolve_sex_chromosomes(batch, contigs)
        bad_units = {loc.rsplit(".", 1)[0] for loc in bad_locs if loc.startswith("samples")}
        problems += check_fastqs(batch, skip=bad_units)
        if "qc.target_bed" not in bad_locs:
            problems += check_target_bed(batch, contigs or None)
        problems += check_acmg_file(batch) + check_panel_file(batch)
        problems += check_resources(batch, contigs or None)
    if problems:
        raise InputError(source, problems)
    return batch


def file_sha256(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


__all__ = ["Batch", "InputError", "WgsEastError", "load_batch", "read_yaml", "file_sha256", "format_loc"]
