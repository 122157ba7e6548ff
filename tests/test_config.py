"""Every validation rule of the batch config, each with a failing and a passing case."""

from __future__ import annotations

import gzip
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import MiniBatch, write_fastq
from wgs_east.config import load_batch
from wgs_east.config.models import Batch, SexChromosomes
from wgs_east.errors import InputError

Edit = Callable[[dict[str, Any], MiniBatch], None]


def problems_of(mini: MiniBatch, data: dict[str, Any]) -> list[str]:
    path = mini.write(data)
    try:
        load_batch(path)
    except InputError as exc:
        assert exc.source == str(path)
        return [str(p) for p in exc.problems]
    return []


def test_valid_batch_loads_and_resolves_paths(mini: MiniBatch) -> None:
    batch = load_batch(mini.write())
    assert batch.batch == "MINI1"
    assert batch.sample_ids == ["KID1", "DAD1", "MUM1", "SOLO1"]
    assert set(batch.families) == {"FAM1", "FAM2"}
    unit = batch.sample("KID1").units[0]
    assert unit.fastq1 == mini.root / "reads" / "KID1_R1.fastq.gz"
    assert unit.fastq1.is_absolute()
    assert batch.reference.fasta == mini.root / "ref" / "genome.fa"


def test_relative_paths_resolve_against_the_yaml_directory_not_cwd(
    mini: MiniBatch, monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    monkeypatch.chdir(tmp_path_factory.mktemp("elsewhere"))
    assert load_batch(mini.write()).reference.fasta == mini.root / "ref" / "genome.fa"


def _set(path: str, value: Any) -> Edit:
    def edit(d: dict[str, Any], _m: MiniBatch) -> None:
        keys = path.split(".")
        target: Any = d
        for k in keys[:-1]:
            target = target[int(k)] if k.isdigit() else target[k]
        last = keys[-1]
        if value is _DELETE:
            del target[last]
        elif last.isdigit():
            target[int(last)] = value
        else:
            target[last] = value

    return edit


_DELETE = object()

# (rule name, edit that breaks it, expected location, expected words, edit that satisfies it)
CASES: list[tuple[str, Edit, str, str, Edit]] = [
    ("batch id pattern", _set("batch", "B 1"), "batch", "invalid value 'B 1'", _set("batch", "B-1_x")),
    ("unknown field", _set("colour", "blue"), "colour", "unknown field", _set("calling", {"caller": "bcftools"})),
    ("nested unknown field", _set("samples.0.units.0.lane", 1), "samples[0].units[0].lane", "unknown field",
     _set("samples.0.units.0.platform_unit", "FC1-1")),
    ("required field", _set("samples.0.family", _DELETE), "samples[0].family", "required field is missing",
     _set("samples.0.family", "FAM1")),
    ("wrong type", _set("samples.0.affected", "perhaps"), "samples[0].affected", "boolean",
     _set("samples.0.affected", False)),
    ("sample id metacharacters", _set("samples.3.id", "S;rm -rf"), "samples[3].id", "invalid value",
     _set("samples.3.id", "S_1-b")),
    ("sample id with space", _set("samples.3.id", "S 1"), "samples[3].id", "invalid value", _set("samples.3.id", "S1")),
    ("sample id ..", _set("samples.3.id", ".."), "samples[3].id", "invalid value", _set("samples.3.id", "A1")),
    ("sample id slash", _set("samples.3.id", "a/b"), "samples[3].id", "invalid value", _set("samples.3.id", "ab")),
    ("sample id leading dash", _set("samples.3.id", "-x"), "samples[3].id", "invalid value", _set("samples.3.id", "x-")),
    ("sex enum", _set("samples.3.sex", "M"), "samples[3].sex", "invalid value 'M'", _set("samples.3.sex", "unknown")),
    ("HPO id", _set("samples.0.phenotypes", ["HP:12"]), "samples[0].phenotypes[0]", "HPO",
     _set("samples.0.phenotypes", ["HP:0000001"])),
    ("at least one unit", _set("samples.3.units", []), "samples[3].units", "at least 1",
     _set("samples.3.units.0.library", "L2")),
    ("at least one sample", _set("samples", []), "samples", "at least 1", _set("batch", "X")),
    ("build", _set("reference.build", "hg19"), "reference.build", "invalid value", _set("reference.build", "GRCh37")),
    ("platform", _set("samples.0.units.0.platform", "NANOPORE"), "samples[0].units[0].platform", "invalid value",
     _set("samples.0.units.0.platform", "DNBSEQ")),
    ("caller", _set("calling", {"caller": "gatk"}), "calling.caller", "invalid value",
     _set("calling", {"caller": "freebayes"})),
]


@pytest.mark.parametrize(("rule", "bad", "loc", "words", "good"), CASES, ids=[c[0] for c in CASES])
def test_model_rule(mini: MiniBatch, rule: str, bad: Edit, loc: str, words: str, good: Edit) -> None:
    data = mini.copy()
    bad(data, mini)
    probs = problems_of(mini, data)
    assert any(p.startswith(f"{loc}:") and words in p for p in probs), probs
    data = mini.copy()
    good(data, mini)
    assert problems_of(mini, data) == []


def _dup_sample(d: dict[str, Any], _m: MiniBatch) -> None:
    d["samples"][3]["id"] = "DAD1"
    d["samples"][3]["sex"] = "male"


def _dup_unit(d: dict[str, Any], m: MiniBatch) -> None:
    u = dict(d["samples"][3]["units"][0])
    write_fastq(m.root / "reads" / "X_R1.fastq.gz", ["x1"], seed=5)
    write_fastq(m.root / "reads" / "X_R2.fastq.gz", ["x1"], seed=6)
    u.update(fastq1="reads/X_R1.fastq.gz", fastq2="reads/X_R2.fastq.gz")
    d["samples"][3]["units"].append(u)


def _second_unit_ok(d: dict[str, Any], m: MiniBatch) -> None:
    _dup_unit(d, m)
    d["samples"][3]["units"][1]["id"] = "L002"


def _cycle(d: dict[str, Any], _m: MiniBatch) -> None:
    # DAD1's father is KID1, whose father is DAD1
    d["samples"][1]["father"] = "KID1"
    d["samples"][0]["sex"] = "male"
    d["samples"][0]["father"] = "DAD1"


def _parent_other_family(d: dict[str, Any], _m: MiniBatch) -> None:
    d["samples"][0]["father"] = "SOLO1"


def _parent_ok_unknown_sex(d: dict[str, Any], _m: MiniBatch) -> None:
    d["samples"][1]["sex"] = "unknown"


def _father_female(d: dict[str, Any], _m: MiniBatch) -> None:
    d["samples"][1]["sex"] = "female"


def _mother_male(d: dict[str, Any], _m: MiniBatch) -> None:
    d["samples"][2]["sex"] = "male"


def _father_is_mother(d: dict[str, Any], _m: MiniBatch) -> None:
    d["samples"][1]["sex"] = "unknown"
    d["samples"][0]["mother"] = "DAD1"


def _self_parent(d: dict[str, Any], _m: MiniBatch) -> None:
    d["samples"][3]["father"] = "SOLO1"


def _no_such_parent(d: dict[str, Any], _m: MiniBatch) -> None:
    d["samples"][0]["father"] = "NOPE1"


def _missing_fastq(d: dict[str, Any], _m: MiniBatch) -> None:
    d["samples"][2]["units"][0]["fastq1"] = "reads/absent.fastq.gz"


def _fastq_dir(d: dict[str, Any], _m: MiniBatch) -> None:
    d["samples"][2]["units"][0]["fastq1"] = "reads"


def _empty_fastq(d: dict[str, Any], m: MiniBatch) -> None:
    (m.root / "reads" / "empty.fastq.gz").write_bytes(b"")
    d["samples"][2]["units"][0]["fastq1"] = "reads/empty.fastq.gz"


def _same_r1_r2(d: dict[str, Any], _m: MiniBatch) -> None:
    d["samples"][2]["units"][0]["fastq2"] = d["samples"][2]["units"][0]["fastq1"]


def _fastq_shared(d: dict[str, Any], _m: MiniBatch) -> None:
    d["samples"][3]["units"][0]["fastq1"] = d["samples"][2]["units"][0]["fastq1"]
    d["samples"][3]["units"][0]["fastq2"] = d["samples"][2]["units"][0]["fastq2"]


def _missing_reference(d: dict[str, Any], _m: MiniBatch) -> None:
    d["reference"]["fasta"] = "ref/none.fa"


def _no_y_contig(d: dict[str, Any], _m: MiniBatch) -> None:
    d["reference"]["sex_chromosomes"] = {"x": "chrX", "y": "Y"}


def _noop(d: dict[str, Any], _m: MiniBatch) -> None:
    pass


CROSS_CASES: list[tuple[str, Edit, str, str, Edit]] = [
    ("sample id is not the batch id", _set("samples.3.id", "MINI1"), "samples[3].id", "equals the batch id", _noop),
    ("target BED exists", _set("qc", {"target_bed": "panel.bed"}), "qc.target_bed", "target BED not found", _noop),
    ("unique sample ids", _dup_sample, "samples[3].id", "duplicate sample id 'DAD1'", _noop),
    ("unique unit ids", _dup_unit, "samples[3].units[1].id", "duplicate unit id 'L001'", _second_unit_ok),
    ("parent exists", _no_such_parent, "samples[0].father", "'NOPE1' is not a sample", _noop),
    ("parent same family", _parent_other_family, "samples[0].father", "is in family FAM2", _noop),
    ("father sex", _father_female, "samples[0].father", "declared female and cannot be the father",
     _parent_ok_unknown_sex),
    ("mother sex", _mother_male, "samples[0].mother", "declared male and cannot be the mother", _noop),
    ("father != mother", _father_is_mother, "samples[0].mother", "father and mother are the same", _noop),
    ("own parent", _self_parent, "samples[3].father", "cannot be its own father", _noop),
    ("pedigree cycle", _cycle, "samples[", "pedigree cycle", _noop),
    ("fastq exists", _missing_fastq, "samples[2].units[0].fastq1", "FASTQ not found", _noop),
    ("fastq regular file", _fastq_dir, "samples[2].units[0].fastq1", "not a regular file", _noop),
    ("fastq not empty", _empty_fastq, "samples[2].units[0].fastq1", "FASTQ is empty", _noop),
    ("fastq1 != fastq2", _same_r1_r2, "samples[2].units[0].fastq2", "same file as fastq1", _noop),
    ("fastq used once", _fastq_shared, "samples[3].units[0].fastq1", "already used at samples[2].units[0].fastq1",
     _noop),
    ("reference exists", _missing_reference, "reference.fasta", "reference FASTA not found", _noop),
    ("sex chromosome contigs", _no_y_contig, "reference.sex_chromosomes.y", "'Y' is not in the reference", _noop),
]


@pytest.mark.parametrize(("rule", "bad", "loc", "words", "good"), CROSS_CASES, ids=[c[0] for c in CROSS_CASES])
def test_cross_field_rule(mini: MiniBatch, rule: str, bad: Edit, loc: str, words: str, good: Edit) -> None:
    data = mini.copy()
    bad(data, mini)
    probs = problems_of(mini, data)
    assert any(p.startswith(loc) and words in p for p in probs), probs
    data = mini.copy()
    good(data, mini)
    assert problems_of(mini, data) == []


def test_all_problems_reported_at_once(mini: MiniBatch) -> None:
    data = mini.copy()
    _no_such_parent(data, mini)
    _missing_fastq(data, mini)
    _dup_sample(data, mini)
    probs = problems_of(mini, data)
    assert len(probs) >= 3
    assert any("NOPE1" in p for p in probs)
    assert any("FASTQ not found" in p for p in probs)
    assert any("duplicate sample id" in p for p in probs)


def test_yaml_syntax_error_names_line(mini: MiniBatch) -> None:
    path = mini.root / "bad.yaml"
    path.write_text("batch: B1\nsamples:\n  - id: [unclosed\n")
    with pytest.raises(InputError) as info:
        load_batch(path)
    assert "line 4" in str(info.value) or "line 3" in str(info.value)
    assert "YAML syntax error" in str(info.value)


def test_duplicate_yaml_key_refused(mini: MiniBatch) -> None:
    path = mini.write()
    path.write_text(path.read_text().replace("batch: MINI1", "batch: MINI1\nbatch: OTHER"))
    with pytest.raises(InputError, match="duplicate key 'batch'"):
        load_batch(path)


def test_not_a_mapping(mini: MiniBatch) -> None:
    path = mini.root / "list.yaml"
    path.write_text("- a\n- b\n")
    with pytest.raises(InputError, match="must be a YAML mapping"):
        load_batch(path)


def test_control_character_in_path_refused(mini: MiniBatch) -> None:
    data = mini.copy()
    data["samples"][0]["units"][0]["fastq1"] = "reads/a\nb.fastq.gz"
    assert any("control character" in p for p in problems_of(mini, data))


# --- FASTQ content ---------------------------------------------------------------------------------


def _fastq_case(mini: MiniBatch, r1: bytes, r2: bytes) -> list[str]:
    (mini.root / "reads" / "MUM1_R1.fastq.gz").write_bytes(r1)
    (mini.root / "reads" / "MUM1_R2.fastq.gz").write_bytes(r2)
    return problems_of(mini, mini.copy())


def _gz(text: str) -> bytes:
    return gzip.compress(text.encode(), mtime=0)


GOOD = "@r1 1:N:0:1\nACGT\n+\nIIII\n@r2\nACGT\n+\nIIII\n"


@pytest.mark.parametrize(
    ("r1", "r2", "loc", "words"),
    [
        (_gz("@r1\nACGT\n+\nIII\n"), _gz("@r1\nACGT\n+\nIIII\n"), "fastq1", "line 4: quality length 3 != sequence length 4"),
        (_gz(GOOD), _gz(GOOD.replace("@r2", "@rX")), "fastq2", "read names differ at read 2"),
        (_gz(GOOD), _gz("@r1\nACGT\n+\nIIII\n"), "fastq2", "different read counts"),
        (_gz(GOOD)[:-12], _gz(GOOD), "fastq1", "truncated gzip"),
        (_gz("hello world\nthis is not fastq\n"), _gz(GOOD), "fastq1", "not a FASTQ record"),
        (b"\x00\x01binary" * 10, _gz(GOOD), "fastq1", "not a FASTQ record"),
        (_gz("@r1\nAC!T\n+\nIIII\n"), _gz("@r1\nACGT\n+\nIIII\n"), "fastq1", "invalid characters in sequence"),
        (_gz("@r1\nACGT\n+\nIIII\n@r2\nACGT\n"), _gz(GOOD), "fastq1", "file ends inside a record"),
    ],
    ids=["qual-length", "names", "counts", "truncated-gzip", "not-fastq", "binary", "bad-bases", "incomplete"],
)
def test_fastq_content(mini: MiniBatch, r1: bytes, r2: bytes, loc: str, words: str) -> None:
    probs = _fastq_case(mini, r1, r2)
    assert any(p.startswith(f"samples[2].units[0].{loc}:") and words in p for p in probs), probs


def test_fastq_good_pair_with_read_suffixes_and_plain_text(mini: MiniBatch) -> None:
    r1 = GOOD.replace("@r1 1:N:0:1", "@r1/1").encode()
    r2 = GOOD.replace("@r1 1:N:0:1", "@r1/2").encode()
    assert _fastq_case(mini, r1, r2) == []


# --- reference ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (">chr1\nACGT\n>chrX\nACGT\n>chr1\nAC\n>chrY\nA\n", "duplicate contig name 'chr1'"),
        ("this is not a fasta\n", "not a FASTA file"),
        (">chr1\nACGT\n>chrX\n>chrY\nAC\n", "contig 'chrX' has no sequence"),
        (">chr1\nAC GT\n>chrX\nA\n>chrY\nA\n", "invalid characters"),
    ],
    ids=["duplicate-contig", "not-fasta", "empty-contig", "bad-characters"],
)
def test_reference_content(mini: MiniBatch, content: str, words: str) -> None:
    (mini.root / "ref" / "genome.fa").write_text(content)
    probs = problems_of(mini, mini.copy())
    assert any(p.startswith("reference.fasta:") and words in p for p in probs), probs


def test_reference_only_sex_chromosomes_refused(mini: MiniBatch) -> None:
    (mini.root / "ref" / "genome.fa").write_text(">chrX\nACGT\n>chrY\nACGT\n")
    assert any("no autosomal contig" in p for p in problems_of(mini, mini.copy()))


def test_stale_fai_is_not_trusted(mini: MiniBatch) -> None:
    fa = mini.root / "ref" / "genome.fa"
    fai = Path(str(fa) + ".fai")
    fai.write_text("chr1\t600\t6\t60\t61\n")
    os.utime(fai, (1, 1))  # older than the FASTA
    assert problems_of(mini, mini.copy()) == []  # chrX/chrY found by scanning the FASTA


def test_par_regions_default_and_validation(mini: MiniBatch) -> None:
    batch = load_batch(mini.write())
    assert batch.par_regions(300) == []  # GRCh38 PARs do not fit a 300 bp chrX
    assert [r.end for r in batch.par_regions(156_040_895)] == [2_781_479, 156_030_895]
    data = mini.copy()
    data["reference"]["par_regions"] = [{"contig": "chrX", "start": 10, "end": 900}]
    assert any(p.startswith("reference.par_regions[0]") for p in problems_of(mini, data))
    data["reference"]["par_regions"] = [{"contig": "chrX", "start": 10, "end": 90}]
    assert problems_of(mini, data) == []


# --- CLI ---------------------------------------------------------------------------------------------


def test_cli_validate_ok(mini: MiniBatch, run_cli: Callable[..., tuple[int, str, str]]) -> None:
    code, out, err = run_cli("validate", mini.write())
    assert code == 0, err
    assert "batch MINI1, 2 families, 4 samples, 4 units" in out


def test_cli_validate_error_is_one_screen_exit_2(mini: MiniBatch, run_cli: Callable[..., tuple[int, str, str]]) -> None:
    data = mini.copy()
    _missing_fastq(data, mini)
    _no_such_parent(data, mini)
    code, out, err = run_cli("validate", mini.write(data))
    assert code == 2
    assert "Traceback" not in err
    assert "samples[2].units[0].fastq1: FASTQ not found" in err
    assert "samples[0].father: 'NOPE1' is not a sample" in err
    assert str(mini.root / "batch.yaml") in err
    assert len(err.splitlines()) <= 30


def test_cli_many_problems_are_capped_to_one_screen(mini: MiniBatch, run_cli: Callable[..., tuple[int, str, str]]) -> None:
    data = mini.copy()
    data["samples"] = [dict(data["samples"][3], id=f"S{i}", family=f"F{i}") for i in range(60)]
    code, _, err = run_cli("validate", mini.write(data))
    assert code == 2
    assert "... and" in err
    assert len(err.splitlines()) <= 30


def test_cli_missing_config(tmp_path: Path, run_cli: Callable[..., tuple[int, str, str]]) -> None:
    code, _, err = run_cli("validate", tmp_path / "nope.yaml")
    assert code == 2
    assert "file not found" in err and "Traceback" not in err


def test_cli_version_and_schema(run_cli: Callable[..., tuple[int, str, str]]) -> None:
    from wgs_east import __version__

    code, out, _ = run_cli("--version")
    assert code == 0 and __version__ in out
    code, out, _ = run_cli("schema")
    assert code == 0 and '"additionalProperties": false' in out


def _slice_reference(mini: MiniBatch, names: tuple[str, ...] = ("chr20",)) -> None:
    from tests.conftest import write_fasta

    fa = mini.root / "ref" / "genome.fa"
    write_fasta(fa, {n: 300 for n in names})
    Path(str(fa) + ".fai").unlink(missing_ok=True)


def test_reference_without_sex_chromosomes_runs_with_null(mini: MiniBatch) -> None:
    _slice_reference(mini)
    data = mini.copy()
    probs = problems_of(mini, data)  # the chrX/chrY written in the YAML are refused, with the way out
    assert any(p.startswith("reference.sex_chromosomes.x") and "reference.sex_chromosomes: null" in p for p in probs)
    data["reference"]["sex_chromosomes"] = None
    batch = load_batch(mini.write(data))
    assert batch.reference.sex_chromosomes is None
    assert batch.par_regions(None) == []


def test_sex_chromosomes_left_out_on_a_slice_means_none(mini: MiniBatch) -> None:
    _slice_reference(mini)
    data = mini.copy()
    del data["reference"]["sex_chromosomes"]
    batch = load_batch(mini.write(data))
    assert batch.reference.sex_chromosomes is None
    assert Batch.model_validate_json(batch.model_dump_json()).reference.sex_chromosomes is None  # batch.json


def test_sex_chromosomes_left_out_keeps_chrx_chry(mini: MiniBatch) -> None:
    data = mini.copy()
    del data["reference"]["sex_chromosomes"]
    assert load_batch(mini.write(data)).reference.sex_chromosomes == SexChromosomes(x="chrX", y="chrY")


def test_grch37_names_are_suggested(mini: MiniBatch) -> None:
    _slice_reference(mini, ("1", "X", "Y"))
    data = mini.copy()
    del data["reference"]["sex_chromosomes"]  # default chrX/chrY, FASTA has X/Y
    probs = problems_of(mini, data)
    assert any(p.startswith("reference.sex_chromosomes.x") and "set reference.sex_chromosomes.x: X" in p for p in probs)
    assert any(p.startswith("reference.sex_chromosomes.y") and "set reference.sex_chromosomes.y: Y" in p for p in probs)


def test_call_groups_whole_batch_or_whole_families(mini: MiniBatch) -> None:
    data = mini.copy()
    batch = load_batch(mini.write(data))
    assert {g: [s.id for s in m] for g, m in batch.call_groups().items()} == {"MINI1": ["KID1", "DAD1", "MUM1", "SOLO1"]}
    data["calling"] = {"joint_max_samples": 3}  # 4 samples: whole families packed into groups of <= 3
    batch = load_batch(mini.write(data))
    assert {g: [s.id for s in m] for g, m in batch.call_groups().items()} == {"J1": ["KID1", "DAD1", "MUM1"],
                                                                            "J2": ["SOLO1"]}  # fmt: skip
    data["calling"] = {"joint_max_samples": 2}  # a family larger than the limit is one group, never split
    groups = load_batch(mini.write(data)).call_groups()
    assert sorted(len(m) for m in groups.values()) == [1, 3]
