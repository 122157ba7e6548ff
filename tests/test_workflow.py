"""The germline workflow on the test genome: DAG, alignments, calls against the truth set, provenance."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pysam
import pytest

from tests.conftest import REPO, TEST_CONFIG, wgs_east_cmd
from wgs_east.config import load_batch

TRUTH = REPO / "test_data" / "truth"
REFERENCE = REPO / "test_data" / "reference" / "genome.fa"
# Accuracy bars of the issue; the pipeline's measured values are in README (Accuracy).
MIN_SNV_F1 = 0.99
MIN_INDEL_F1 = 0.95

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def batch():  # noqa: ANN201
    return load_batch(TEST_CONFIG)


@pytest.fixture(scope="module")
def accuracy(pipeline_run: Path, batch) -> dict:  # noqa: ANN001
    from wgs_east.evaluate import evaluate

    return evaluate(
        TRUTH / "truth.vcf.gz",
        pipeline_run / "variants" / f"{batch.batch}.vcf.gz",
        REFERENCE,
        TRUTH / "confident.bed",
        None,
    )


def test_dry_run_lists_expected_jobs(tmp_path: Path, batch) -> None:  # noqa: ANN001
    proc = subprocess.run(
        [*wgs_east_cmd(), "run", str(TEST_CONFIG), "--outdir", str(tmp_path / "dry"), "--dry-run", "--", "--quiet", "rules"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    counts = {}
    for line in (proc.stdout + proc.stderr).splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1].isdigit():
            counts[parts[0]] = int(parts[1])
    n_units = sum(len(s.units) for s in batch.samples)
    n_samples = len(batch.samples)
    n_groups = len(batch.call_groups())
    assert n_groups == 1  # 4 samples <= calling.joint_max_samples: the batch is called jointly as a whole
    from wgs_east.reference import read_contigs
    from wgs_east.regions import batch_chunk_size, count_chunks

    contigs = read_contigs(batch.reference.fasta)
    n_chunks = count_chunks(contigs, batch_chunk_size(batch, contigs))
    assert n_chunks > 1  # the test genome exercises scatter-gather
    expected = {
        "trim_reads": n_units,
        "map_reads": n_units,
        "mark_duplicates": n_samples,
        "index_alignments": n_samples,
        "call_variants": n_chunks * n_groups,
        "gather_group_calls": n_groups,
        "extract_sample_gvcf": n_samples,
        "joint_genotype": 1,
        "index_reference_bwa": 1,
        "split_reference_regions": 1,
    }
    for rule, n in expected.items():
        assert counts.get(rule) == n, (rule, counts)
    assert not (tmp_path / "dry" / "alignments").exists()  # nothing ran


def test_dry_run_caps_calling_jobs_with_larger_chunks(tmp_path: Path) -> None:
    """calling.max_chunk_jobs: calling groups x chunks above the cap -> fewer, larger chunks for calling and
    annotation alike; the chunk BEDs are cut with the larger size."""
    import yaml

    from tests.conftest import absolute_test_config
    from wgs_east.reference import read_contigs
    from wgs_east.regions import count_chunks

    data = absolute_test_config()
    data["calling"]["max_chunk_jobs"] = 6
    config = tmp_path / "capped.yaml"
    config.write_text(yaml.safe_dump(data, sort_keys=False))
    batch = load_batch(config)
    contigs = read_contigs(batch.reference.fasta)
    uncapped = count_chunks(contigs, batch.calling.chunk_size)
    groups = len(batch.call_groups())
    assert groups * uncapped > 6  # the cap matters for this batch
    proc = subprocess.run(
        [*wgs_east_cmd(), "run", str(config), "--outdir", str(tmp_path / "dry"), "--dry-run", "--", "-p"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout + proc.stderr
    counts = {p[0]: int(p[1]) for p in (line.split() for line in out.splitlines()) if len(p) == 2 and p[1].isdigit()}
    assert 0 < counts["call_variants"] <= 6
    chunks = counts["call_variants"] // groups
    assert counts["call_variants"] == chunks * groups and 1 <= chunks < uncapped
    assert counts["add_gene_annotations"] == chunks  # annotation is scattered over the same chunks
    size = int(out.split("--chunk-size ")[1].split()[0])
    assert size > batch.calling.chunk_size and count_chunks(contigs, size) == chunks


def test_read_groups_from_config(pipeline_run: Path, batch) -> None:  # noqa: ANN001
    for sample in batch.samples:
        with pysam.AlignmentFile(str(pipeline_run / "alignments" / f"{sample.id}.cram"), reference_filename=str(REFERENCE)) as cram:
            rgs = {rg["ID"]: rg for rg in cram.header.to_dict()["RG"]}
        assert set(rgs) == {f"{sample.id}.{u.id}" for u in sample.units}
        for unit in sample.units:
            rg = rgs[f"{sample.id}.{unit.id}"]
            assert rg["SM"] == sample.id
            assert rg["LB"] == unit.library
            assert rg["PL"] == unit.platform
            assert rg["PU"] == (unit.platform_unit or f"{sample.id}.{unit.id}")


def test_cram_decodes_and_has_duplicates_marked(pipeline_run: Path, batch) -> None:  # noqa: ANN001
    for sample in batch.samples:
        cram = pipeline_run / "alignments" / f"{sample.id}.cram"
        subprocess.run(["samtools", "quickcheck", str(cram)], check=True)
        total = int(subprocess.run(["samtools", "view", "-c", "-T", str(REFERENCE), str(cram)],
                                   capture_output=True, text=True, check=True).stdout)
        dups = int(subprocess.run(["samtools", "view", "-c", "-f", "1024", "-T", str(REFERENCE), str(cram)],
                                  capture_output=True, text=True, check=True).stdout)
        assert total > 50_000  # ~30x of a 310 kb genome in 150 bp reads
        assert 0.005 < dups / total < 0.10  # the simulator plants ~2-3% PCR duplicates
        # every input read pair is in the CRAM (nothing silently dropped): primary reads == FASTQ reads
        primary = int(subprocess.run(["samtools", "view", "-c", "-F", "0x900", "-T", str(REFERENCE), str(cram)],
                                     capture_output=True, text=True, check=True).stdout)
        fastp_in = 0
        for unit in sample.units:
            report = json.loads((pipeline_run / "qc" / "fastp" / sample.id / f"{unit.id}.fastp.json").read_text())
            fastp_in += report["summary"]["after_filtering"]["total_reads"]
        assert primary == fastp_in


@pytest.mark.parametrize("sample", ["FATHER1", "MOTHER1", "PROBAND1", "SINGLETON1"])
def test_accuracy_against_truth(accuracy: dict, sample: str) -> None:
    metrics = accuracy["samples"][sample]
    assert metrics["SNV"]["F1"] >= MIN_SNV_F1, metrics["SNV"]
    assert metrics["INDEL"]["F1"] >= MIN_INDEL_F1, metrics["INDEL"]
    assert metrics["SNV"]["TP"] > 100 and metrics["INDEL"]["TP"] > 5


def _alt_count(gt: str) -> tuple[int, ...]:
    alleles = gt.replace("|", "/").split("/")
    return tuple(sorted(int(a) for a in alleles if a != "."))


def test_planted_events_called_with_right_genotypes(pipeline_run: Path, batch) -> None:  # noqa: ANN001
    with open(TRUTH / "planted.tsv") as fh:
        planted = list(csv.DictReader(fh, delimiter="\t"))
    assert {row["event"] for row in planted} >= {"de_novo", "comp_het", "homozygous", "hemizygous"}
    with pysam.VariantFile(str(pipeline_run / "variants" / f"{batch.batch}.vcf.gz")) as vcf:
        for row in planted:
            pos = int(row["pos"])
            records = [r for r in vcf.fetch(row["chrom"], pos - 1, pos) if r.pos == pos and r.ref == row["ref"]
                       and r.alts == (row["alt"],)]
            assert len(records) == 1, f"{row['id']} not called"
            rec = records[0]
            assert "PASS" in rec.filter.keys() or len(rec.filter) == 0, (row["id"], list(rec.filter))
            for sample in batch.sample_ids:
                called = tuple(sorted(a for a in rec.samples[sample]["GT"] if a is not None))
                assert called == _alt_count(row[sample]), (row["id"], sample, called, row[sample])


def test_vcf_header_provenance(pipeline_run: Path, batch) -> None:  # noqa: ANN001
    from wgs_east import __version__
    from wgs_east.config import file_sha256

    with pysam.VariantFile(str(pipeline_run / "variants" / f"{batch.batch}.vcf.gz")) as vcf:
        header = {r.key: r.value for r in vcf.header.records if r.value is not None}
        assert list(vcf.header.samples) == batch.sample_ids
        filters = set(vcf.header.filters.keys())
    assert header["wgs-east_version"] == __version__
    assert header["wgs-east_config_sha256"] == file_sha256(TEST_CONFIG)
    assert header["wgs-east_batch"] == batch.batch
    tools = dict(kv.split("=", 1) for kv in header["wgs-east_tools"].split(";"))
    for tool in ("bwa", "samtools", "bcftools", "fastp", "snakemake"):
        assert tools.get(tool) and tools[tool] != "unknown", tool
    assert header["wgs-east_command"].startswith("wgs-east run")
    assert {"LowQual", "LowDP"} <= filters


def test_normalised_biallelic_and_every_member_genotyped(pipeline_run: Path, batch) -> None:  # noqa: ANN001
    with pysam.VariantFile(str(pipeline_run / "variants" / f"{batch.batch}.vcf.gz")) as vcf:
        n = 0
        for rec in vcf:
            n += 1
            assert len(rec.alts) == 1 and rec.alts[0] not in ("*", "<*>")
            if "PASS" not in rec.filter.keys():
                continue  # e.g. a LowQual SNV inside another member's homozygous deletion: no reads there
            carriers = [s for s in batch.sample_ids if any(a for a in rec.samples[s]["GT"] if a)]
            for fam_members in batch.families.values():
                ids = [m.id for m in fam_members]
                if any(c in ids for c in carriers):
                    for sid in ids:  # joint calling per family: every member has a genotype and depth
                        gt = rec.samples[sid]["GT"]
                        if rec.chrom == batch.reference.sex_chromosomes.y and batch.sample(sid).sex.value == "female":
                            continue
                        assert None not in gt, (rec.chrom, rec.pos, sid, gt)
                        assert rec.samples[sid]["DP"] is not None
    assert n > 500
    # normalisation leaves nothing to do: "Lines total/split/realigned/skipped: N/0/0/0"
    out = subprocess.run(
        ["bcftools", "norm", "-f", str(REFERENCE), "-c", "e", "-m", "-any", "-Ou", "-o", "/dev/null",
         str(pipeline_run / "variants" / f"{batch.batch}.vcf.gz")],
        capture_output=True, text=True, check=True,
    )
    counts = out.stderr.strip().rsplit(":", 1)[1].strip().split("/")
    assert int(counts[0]) == n and counts[1:] == ["0", "0", "0"], out.stderr


def test_resume_redoes_nothing(pipeline_run: Path, batch) -> None:  # noqa: ANN001
    vcf = pipeline_run / "variants" / f"{batch.batch}.vcf.gz"
    before = vcf.stat().st_mtime_ns
    proc = subprocess.run(
        [*wgs_east_cmd(), "run", str(TEST_CONFIG), "--outdir", str(pipeline_run), "--cores", "2"],
        capture_output=True, text=True, check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Nothing to be done" in proc.stdout + proc.stderr
    assert vcf.stat().st_mtime_ns == before


def test_gvcf_per_sample_is_all_sites(pipeline_run: Path, batch) -> None:  # noqa: ANN001
    for sample in batch.sample_ids:
        with pysam.VariantFile(str(pipeline_run / "gvcf" / f"{sample}.g.vcf.gz")) as vcf:
            assert list(vcf.header.samples) == [sample]
            blocks = sum(1 for r in vcf if r.alts is None and r.stop - r.start > 1)  # END-extended hom-ref blocks
        assert blocks > 10


def test_outputs_not_world_readable(pipeline_run: Path) -> None:
    for path in [pipeline_run / "variants", *(pipeline_run / "variants").iterdir()]:
        assert path.stat().st_mode & 0o007 == 0, path


def test_freebayes_caller_meets_the_same_bars(tmp_path: Path, batch) -> None:  # noqa: ANN001
    """The selectable second caller, on the same data (README: caller comparison)."""
    from wgs_east.evaluate import evaluate

    config = REPO / "config" / "test_freebayes.yaml"
    assert load_batch(config).calling.caller == "freebayes"
    outdir = tmp_path / "fb"
    target = f"variants/{batch.batch}.vcf.gz"
    proc = subprocess.run(
        [*wgs_east_cmd(), "run", str(config), "--outdir", str(outdir), "--cores", "2", "--", target],
        capture_output=True, text=True, check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = evaluate(TRUTH / "truth.vcf.gz", outdir / target, REFERENCE, TRUTH / "confident.bed", None)
    for sample, metrics in result["samples"].items():
        assert metrics["SNV"]["F1"] >= MIN_SNV_F1, (sample, metrics["SNV"])
        assert metrics["INDEL"]["F1"] >= MIN_INDEL_F1, (sample, metrics["INDEL"])
    with pysam.VariantFile(str(outdir / target)) as vcf:
        assert "freebayes" in str(vcf.header).lower()


def test_provenance_json_and_summary(pipeline_run: Path, batch, run_cli) -> None:  # noqa: ANN001
    from wgs_east import __version__
    from wgs_east.config import file_sha256

    record = json.loads((pipeline_run / "provenance.json").read_text())
    assert record["status"] == "complete"
    assert record["wgs_east_version"] == __version__
    assert record["config_sha256"] == file_sha256(TEST_CONFIG)
    assert record["batch"] == batch.batch
    assert record["started"] <= record["finished"]
    assert record["tools"]["bwa"].startswith("0.7") and record["tools"]["bcftools"]
    assert "freebayes" not in record["tools"]  # only the tools this configuration runs
    code, out, err = run_cli("provenance", pipeline_run)
    assert code == 0, err
    assert f"batch         : {batch.batch}   status: complete" in out
    assert file_sha256(TEST_CONFIG) in out
    code, _, err = run_cli("provenance", pipeline_run / "nope")
    assert code == 2 and "not a finished wgs-east run directory" in err


def test_snakemake_lint_is_clean(pipeline_run: Path) -> None:
    """`snakemake --lint` on the workflow, with the validated config of the test run, reports nothing."""
    snakemake = Path(sys.executable).parent / "snakemake"
    proc = subprocess.run(
        [str(snakemake), "--lint", "--snakefile", str(REPO / "workflow" / "Snakefile"), "--config",
         "batch_json=.wgs-east/batch.json", "run_json=.wgs-east/run.json"],
        cwd=pipeline_run, capture_output=True, text=True, check=False,
    )  # fmt: skip
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-3000:]
    assert "Congratulations, your workflow is in a good condition!" in out, out[-3000:]
