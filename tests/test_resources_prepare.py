"""Preparation of real GRCh38 sources (wgs_east.resources.prepare, used by resources/*.sh) on small
fixtures shaped like the upstream files (the synthetic test bundle: tests/test_resources_test_bundle.py)."""

from __future__ import annotations

import gzip
import subprocess
import sys
from pathlib import Path

import pysam
import pytest
import yaml

from tests.conftest import REPO
from wgs_east.errors import InputError
from wgs_east.resources import genetable, prepare
from wgs_east.resources.manifest import load_manifest


def test_contig_names() -> None:
    assert [prepare.ucsc_name(n) for n in ("1", "chr1", "X", "MT", "chrM", "GL000009.2", "22_KI270731v1_random")] == [
        "chr1", "chr1", "chrX", "chrM", "chrM", None, None]  # fmt: skip


def test_other_contigs_than_grch38(monkeypatch: pytest.MonkeyPatch) -> None:
    """``--contigs`` (the test genome): its names kept, renamed from the bare form, in its order; GRCh38's dropped."""
    monkeypatch.setattr(prepare, "CONTIGS", prepare.CONTIGS)
    prepare.set_contigs(["chr22_16600000_16800000", "chrSYN1", "chrX"])
    assert [prepare.ucsc_name(n) for n in ("SYN1", "chrSYN1", "22_16600000_16800000", "X", "1", "MT")] == [
        "chrSYN1", "chrSYN1", "chr22_16600000_16800000", "chrX", None, None]  # fmt: skip
    rows = ["chrX\t5\tA\tG\n", "chrSYN1\t9\tA\tG\n", "chr22_16600000_16800000\t7\tA\tG\n", "chrSYN1\t2\tA\tG\n"]
    assert [r.split("\t")[:2] for r in prepare.sort_rows(rows)] == [
        ["chr22_16600000_16800000", "7"], ["chrSYN1", "2"], ["chrSYN1", "9"], ["chrX", "5"]]  # fmt: skip


def test_gff_lines_rename_and_drop_scaffolds() -> None:
    lines = ["##gff-version 3\n", "##sequence-region   1 1 248956422\n", "##sequence-region KI270728.1 1 1872759\n",
             "1\tensembl_havana\tgene\t11869\t14409\t.\t+\t.\tID=gene:ENSG1;Name=DDX11L1\n",
             "KI270728.1\tensembl\tgene\t1\t5\t.\t+\t.\tID=gene:ENSG2\n", "MT\tinsdc\tgene\t1\t5\t.\t+\t.\tID=gene:ENSG3\n"]  # fmt: skip
    out = list(prepare.gff_lines(lines))
    assert out == ["##gff-version 3\n", "##sequence-region chr1 1 248956422\n",
                   "chr1\tensembl_havana\tgene\t11869\t14409\t.\t+\t.\tID=gene:ENSG1;Name=DDX11L1\n",
                   "chrM\tinsdc\tgene\t1\t5\t.\t+\t.\tID=gene:ENSG3\n"]  # fmt: skip


REVEL_CSV = """chr,hg19_pos,grch38_pos,ref,alt,aaref,aaalt,REVEL,Ensembl_transcriptid
2,100,2100,A,G,K,R,0.2,ENST1
1,35142,35142,G,A,T,M,0.027,ENST00000417324
1,35142,35142,G,A,T,M,0.031,ENST00000461467
1,35142,35142,G,C,T,R,0.035,ENST00000417324
1,40000,.,G,C,T,R,0.5,ENST9
10,5,1005,C,T,R,W,0.9,ENST3
"""


def test_revel_rows_sorted_one_per_allele() -> None:
    rows = prepare.max_per_allele(prepare.sort_rows(prepare.revel_rows(REVEL_CSV.splitlines(keepends=True))), 6)
    assert [r.split("\t")[:4] + [r.split("\t")[6]] for r in rows] == [
        ["chr1", "35142", "G", "A", "0.031"], ["chr1", "35142", "G", "C", "0.035"],
        ["chr2", "2100", "A", "G", "0.2"], ["chr10", "1005", "C", "T", "0.9"]]  # fmt: skip


def test_sort_rows_merges_runs_in_bounded_batches(tmp_path: Path) -> None:
    """GNU sort with a 64 kB buffer makes many runs and merges them two at a time; the order is (contig in
    PRIMARY order, position, ref, alt) so that rows of one allele end up together."""
    import random

    rng = random.Random(7)
    rows = [f"chr{rng.choice(['2', '1', 'X', '10'])}\t{rng.randrange(1, 10**6)}\t{rng.choice('ACGT')}\t{rng.choice('ACGT')}"
            f"\t{'x' * 40}\n" for _ in range(20_000)]  # fmt: skip
    out = list(prepare.sort_rows(rows, buffer_size="64K", batch_size=2, tmpdir=tmp_path))
    key = [(prepare.PRIMARY.index(r.split("\t")[0]), int(r.split("\t")[1]), *r.split("\t")[2:4]) for r in out]
    assert sorted(out) == sorted(rows) and key == sorted(key)
    assert list(tmp_path.iterdir()) == []  # the runs are removed


def test_max_per_allele_groups_a_position_and_refuses_unsorted_rows() -> None:
    rows = ["chr1\t5\tA\tC\tg1\t0.1\n", "chr1\t5\tA\tG\tg1\t0.2\n", "chr1\t5\tA\tC\tg2\t0.5\n", "chr1\t7\tA\tC\tg1\t0.3\n"]
    assert list(prepare.max_per_allele(rows, 5)) == [rows[2], rows[1], rows[3]]
    with pytest.raises(InputError, match="not sorted"):
        list(prepare.max_per_allele([rows[3], rows[0]], 5))


def test_spliceai_rows_take_the_highest_gene_entry() -> None:
    lines = ["1\t69091\tA\tC\tC|OR4F5|0.01|0.00|0.12|0.00|-10|2|3|4,C|OTHER|0.00|0.30|0.00|0.00|1|2|3|4\n",
             "1\t69092\tT\tG\tC|OR4F5|0.90|0.00|0.00|0.00|1|1|1|1\n",  # allele does not match ALT: skipped
             "HLA-A*01\t5\tA\tG\tG|X|0.5|0|0|0|1|1|1|1\n"]  # fmt: skip
    assert list(prepare.spliceai_rows(lines)) == ["chr1\t69091\tA\tC\tOTHER\t0.00\t0.30\t0.00\t0.00\t0.30\n"]


def test_gene_table_merge() -> None:
    constraint = [
        {"gene": "BRCA1", "gene_id": "672", "mane_select": "true", "canonical": "true",
         "lof.oe_ci.upper": "0.9", "lof.pLI": "0.0"},  # the RefSeq row of v4.1.1: the Ensembl one wins
        {"gene": "BRCA1", "gene_id": "ENSG00000012048", "mane_select": "true", "canonical": "true",
         "lof.oe_ci.upper": "0.85", "lof.pLI": "0.0"},
        {"gene": "BRCA1", "gene_id": "ENSG00000012048", "mane_select": "false", "canonical": "false",
         "lof.oe_ci.upper": "1.9", "lof.pLI": "0.0"},
        {"gene": "SCN1A", "gene_id": "ENSG00000144285", "mane_select": "true", "canonical": "true",
         "lof.oe_ci.upper": "NA", "lof.pLI": "1.0"},
    ]  # fmt: skip
    clingen = [{"#Gene Symbol": "SCN1A", "Haploinsufficiency Score": "3"},
               {"#Gene Symbol": "BRCA1", "Haploinsufficiency Score": "Not yet evaluated"},
               {"#Gene Symbol": "GJB2", "Haploinsufficiency Score": "30"},
               {"#Gene Symbol": "CFTR", "Haploinsufficiency Score": "30"}]  # fmt: skip
    g2p = [
        {"gene symbol": "SCN1A", "disease name": "SCN1A-related epilepsy", "allelic requirement": "monoallelic_autosomal",
         "confidence": "definitive", "molecular mechanism": "loss of function", "phenotypes": "HP:0001250;HP:0002133"},
        {"gene symbol": "GJB2", "disease name": "GJB2 hearing loss", "allelic requirement": "biallelic_autosomal",
         "confidence category": "confirmed", "mutation consequence": "altered gene product structure",
         "phenotypes": "HP:0000365"},
        {"gene symbol": "GJB2", "disease name": "KID syndrome", "allelic requirement": "monoallelic_autosomal",
         "confidence": "strong", "molecular mechanism": "gain of function"},
        {"gene symbol": "OTC", "disease name": "OTC deficiency", "allelic requirement": "monoallelic_X_hemizygous",
         "confidence": "limited", "molecular mechanism": "loss of function"},
    ]  # fmt: skip
    genes, pairs = genetable.build_gene_table(constraint, clingen, g2p)
    table = {r["symbol"]: r for r in genes}
    assert set(table) == {"BRCA1", "SCN1A", "GJB2", "CFTR"}  # OTC: limited evidence only
    assert (table["BRCA1"]["gene_id"], table["BRCA1"]["loeuf"], table["BRCA1"]["moi"]) == ("ENSG00000012048", "0.85", "")
    s = table["SCN1A"]
    assert (s["moi"], s["lof_mechanism"], s["lof_moi"], s["haploinsufficiency"], s["hpo"], s["loeuf"]) == (
        "AD", "true", "AD", "3", "HP:0001250|HP:0002133", "")  # fmt: skip
    # two diseases of different modes: AD gain of function, AR where ClinGen HI 30 makes LoF the mechanism
    g = table["GJB2"]
    assert (g["moi"], g["lof_mechanism"], g["lof_moi"], g["n_diseases"]) == ("AD|AR", "true", "AR", "2")
    # HI 30 and no disease pair: an AR pair from ClinGen dosage, so the mode is known
    assert (table["CFTR"]["moi"], table["CFTR"]["lof_moi"]) == ("AR", "AR")
    assert {(p["symbol"], p["moi"], p["lof_mechanism"]) for p in pairs} >= {("GJB2", "AD", "false"), ("GJB2", "AR", "true")}
    assert genetable.g2p_moi("monoallelic_X_heterozygous; biallelic_autosomal") == ["XLD", "AR"]


def test_gene_table_hpo_annotations() -> None:
    g2d = [{"ncbi_gene_id": "NCBIGene:1080", "gene_symbol": "CFTR", "association_type": "MENDELIAN",
            "disease_id": "OMIM:219700", "source": "ftp://ftp.omim.org"}]  # fmt: skip
    hpoa = [{"database_id": "OMIM:219700", "disease_name": "Cystic fibrosis", "hpo_id": "HP:0000007", "aspect": "I"},
            {"database_id": "OMIM:219700", "disease_name": "Cystic fibrosis", "hpo_id": "HP:0002110", "aspect": "P"}]  # fmt: skip
    genes, pairs = genetable.build_gene_table([], hpo=(g2d, hpoa))
    assert [(g["symbol"], g["moi"], g["disease"]) for g in genes] == [("CFTR", "AR", "Cystic fibrosis")]
    assert pairs[0]["disease_id"] == "OMIM:219700" and pairs[0]["sources"] == "HPO"


def test_read_table_skips_the_clingen_preamble(tmp_path: Path) -> None:
    path = tmp_path / "clingen.tsv"
    path.write_text("#ClinGen Gene Curation Results\n#07 Nov,2026\n#\n#Gene Symbol\tGene ID\tHaploinsufficiency Score\n"
                    "SCN1A\tHGNC:10585\t3\n")  # fmt: skip
    assert genetable.read_table(path, header_prefix="#Gene Symbol") == [
        {"#Gene Symbol": "SCN1A", "Gene ID": "HGNC:10585", "Haploinsufficiency Score": "3"}]  # fmt: skip


def _bgzip_vcf(path: Path, text: str) -> Path:
    path.with_suffix("").write_text(text)
    subprocess.run(["bgzip", "-f", str(path.with_suffix(""))], check=True)
    subprocess.run(["tabix", "-f", "-p", "vcf", str(path)], check=True)
    return path


GNOMAD_HEADER = """##fileformat=VCFv4.2
##FILTER=<ID=PASS,Description="All filters passed">
##FILTER=<ID=AC0,Description="Allele count is zero">
##FILTER=<ID=AS_VQSR,Description="Failed VQSR">
##contig=<ID=chr1,length=248956422>
##contig=<ID=chrX,length=156040895>
""" + "".join(
    f'##INFO=<ID={tag},Number={num},Type={typ},Description="{tag}">\n'
    for tag, num, typ in [("AC", "A", "Integer"), ("AN", "1", "Integer"), ("AF", "A", "Float"),
                          ("nhomalt", "A", "Integer"), ("nhomalt_XY", "A", "Integer"), ("AC_XY", "A", "Integer"),
                          ("nhomalt_XX", "A", "Integer"), ("AF_grpmax", "A", "Float"),
                          ("AN_grpmax", "A", "Integer"), ("grpmax", "A", "String"), ("vep", ".", "String")]
) + "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"  # fmt: skip


def test_prepare_gnomad_keeps_filtered_sites_and_counts_hemizygotes(tmp_path: Path) -> None:
    """Non-PAR chrX (none in the real excerpts, whose chrX sites are all in PAR1): nhemi = AC_XY, nhomalt =
    nhomalt_XX (gnomAD XY genotypes are haploid there); PAR and autosomes unchanged, no nhemi."""
    vcf = _bgzip_vcf(tmp_path / "gnomad.vcf.gz", GNOMAD_HEADER + "".join([
        "chr1\t100\t.\tA\tG\t.\tPASS\tAC=3;AN=150000;AF=2e-05;nhomalt=0;nhomalt_XY=0;AF_grpmax=3e-05;AN_grpmax=80000;grpmax=nfe;vep=x|y\n",
        "chr1\t200\t.\tC\tT\t.\tAC0;AS_VQSR\tAC=0;AN=150000;AF=0;nhomalt=0;nhomalt_XY=0\n",
        "chrX\t1000\t.\tG\tA\t.\tPASS\tAC=10;AN=140000;AF=7e-05;nhomalt=1;nhomalt_XY=1;AC_XY=4;nhomalt_XX=0\n",  # PAR1
        "chrX\t5000000\t.\tG\tA\t.\tPASS\tAC=12;AN=110000;AF=1e-04;nhomalt=9;nhomalt_XY=7;AC_XY=7;nhomalt_XX=2\n",  # non-PAR
    ]))  # fmt: skip
    out = tmp_path / "bundle" / "gnomad.sites.vcf.gz"
    out.parent.mkdir()
    prepare.prepare_gnomad([vcf], out)
    body = [line.split("\t") for line in gzip.open(out, "rt") if not line.startswith("#")]
    assert [(f[0], f[1], f[6]) for f in body] == [("chr1", "100", "PASS"), ("chr1", "200", "AC0;AS_VQSR"),
                                                  ("chrX", "1000", "PASS"), ("chrX", "5000000", "PASS")]  # fmt: skip
    info = {f[1]: f[7].strip() for f in body}
    assert info["100"] == "AC=3;AN=150000;AF=2e-05;nhomalt=0;AF_grpmax=3e-05;AN_grpmax=80000;grpmax=nfe;filters=PASS"
    assert info["200"].endswith("filters=AC0,AS_VQSR")
    assert "nhemi" not in info["1000"] and "nhomalt=1;" in info["1000"]
    assert "nhemi=7" in info["5000000"] and "nhomalt=2;" in info["5000000"]
    assert not any(tag in info["5000000"] for tag in ("nhomalt_XY", "AC_XY", "nhomalt_XX"))
    assert out.with_name(out.name + ".tbi").exists()


def test_prepare_clinvar_renames_and_keeps_primary_contigs(tmp_path: Path) -> None:
    vcf = _bgzip_vcf(tmp_path / "clinvar.vcf.gz", (
        "##fileformat=VCFv4.1\n##fileDate=2026-11-01\n##contig=<ID=1>\n##contig=<ID=MT>\n##contig=<ID=NW_009646201.1>\n"
        '##INFO=<ID=CLNSIG,Number=.,Type=String,Description="s">\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n'
        "1\t5\t11\tA\tG\t.\t.\tCLNSIG=Pathogenic\nMT\t7\t12\tA\tG\t.\t.\tCLNSIG=Benign\n"
        "NW_009646201.1\t9\t13\tA\tG\t.\t.\tCLNSIG=Benign\n"
    ))  # fmt: skip
    out = tmp_path / "clinvar.out.vcf.gz"
    prepare.prepare_clinvar(vcf, out)
    body = [line.split("\t")[:3] for line in gzip.open(out, "rt") if not line.startswith("#")]
    assert body == [["chr1", "5", "11"], ["chrM", "7", "12"]]


def test_update_manifest_adds_sources_with_checksums(tmp_path: Path) -> None:
    (tmp_path / "gene_table.tsv").write_text("symbol\tmoi\nSCN1A\tAD\n")
    prepare.update_manifest(tmp_path, "genetable", {"kind": "gene_table", "path": "gene_table.tsv", "version": "x"})
    (tmp_path / "g.gff3").write_text("##gff-version 3\n")
    path = prepare.update_manifest(tmp_path, "genes", {"kind": "gene_models", "path": "g.gff3", "version": "113"})
    m = load_manifest(path)
    assert set(m.sources) == {"genetable", "genes"}
    assert m.sources["genetable"].sha256 == prepare.sha256_of(tmp_path / "gene_table.tsv")
    assert yaml.safe_load(path.read_text())["build"] == "GRCh38"


def test_prepare_cli_gene_models(tmp_path: Path) -> None:
    gff = tmp_path / "in.gff3"
    gff.write_text("##gff-version 3\n22\tx\tgene\t1\t9\t.\t+\t.\tID=gene:G1;Name=A\n"
                   "22\tx\tmRNA\t1\t9\t.\t+\t.\tID=transcript:T1;Parent=gene:G1\n22\tx\texon\t1\t9\t.\t+\t.\tParent=transcript:T1\n")  # fmt: skip
    code = prepare.main(["gene-models", "--bundle", str(tmp_path / "b"), "--gff", str(gff), "--version", "Ensembl 113",
                         "--release-date", "2024-10-07"])  # fmt: skip
    assert code == 0
    m = load_manifest(tmp_path / "b" / "manifest.yaml")
    src = m.sources["gene_models"]
    assert (src.kind, src.version, str(src.release_date)) == ("gene_models", "Ensembl 113", "2024-10-07")
    assert gzip.open(src.path, "rt").read().splitlines()[1].startswith("chr22\t")


@pytest.mark.parametrize("script", sorted(p.name for p in (REPO / "resources").glob("*.sh")))
def test_resource_scripts_are_valid_bash(script: str) -> None:
    subprocess.run(["bash", "-n", str(REPO / "resources" / script)], check=True)


def _info(path: Path) -> list[tuple]:
    with pysam.VariantFile(str(path)) as vcf:
        return [(r.chrom, r.pos, r.ref, r.alts[0], ",".join(r.filter.keys()), dict(r.info)) for r in vcf]


def test_gnomad_mitochondrial_release_keeps_homo_and_heteroplasmic_frequencies(tmp_path: Path) -> None:
    """gnomAD's chrM release (AF_hom, AF_het, max_hl; no AF; FILTER npg, artifact_prone_site, indel_stack) ->
    every site kept with its FILTER as ``filters``, the six chrM tags as in the input, AC = AC_hom + AC_het
    and AF = AC / AN (so that POP_AF does not call a variant gnomAD saw absent)."""
    sys.path.insert(0, str(REPO / "bench"))
    from make_bundle_inputs import gnomad_mito_vcf

    mito = gnomad_mito_vcf(tmp_path / "gnomad.genomes.v3.1.sites.chrM.vcf.bgz", 40)
    prepare.gnomad_part(mito, tmp_path / "chrM.bcf")
    given, made = _info(mito), _info(tmp_path / "chrM.bcf")
    assert [g[:4] for g in given] == [m[:4] for m in made] and len(made) == 40
    assert {g[4] for g in given} == {"PASS", "npg", "artifact_prone_site", "indel_stack", "artifact_prone_site,npg"}
    for (*_, filt, gi), (*_, _, mi) in zip(given, made, strict=True):
        assert mi["filters"] == tuple(filt.split(","))
        for tag in prepare.GNOMAD_MITO_INFO:
            assert mi[tag] == pytest.approx(gi[tag], rel=1e-6), tag
        assert mi["AC"] == (gi["AC_hom"] + gi["AC_het"],)
        assert mi["AF"][0] == pytest.approx((gi["AC_hom"] + gi["AC_het"]) / gi["AN"], rel=1e-5)
        assert set(mi) == {*prepare.GNOMAD_MITO_INFO, "filters", "AC", "AF"}  # hl_hist, vep, ... dropped


def test_gnomad_source_with_chrm_gets_the_mitochondrial_fields_and_annotates(tmp_path: Path) -> None:
    """A genomes source of nuclear + mitochondrial files: one VCF, the manifest's ``fields`` name AF_hom, AF_het,
    max_hl, and ``bcftools annotate`` with the pipeline's columns puts them into POP_AF_HOM, POP_AF_HET,
    POP_MAX_HL (and AF into POP_AF) of a chrM variant."""
    from wgs_east.annotate.fields import FIELDS, header_line
    from wgs_east.annotate.sources import population_columns

    sys.path.insert(0, str(REPO / "bench"))
    from make_bundle_inputs import gnomad_mito_vcf

    mito = gnomad_mito_vcf(tmp_path / "gnomad.genomes.v3.1.sites.chrM.vcf.bgz", 12)
    nuclear = REPO / "test_data" / "resources" / "upstream" / "gnomad.genomes.v4.1.sites.chrY.vcf.bgz"
    bundle = tmp_path / "b"
    bundle.mkdir()
    (bundle / "g.gff3").write_text("##gff-version 3\n")
    prepare.update_manifest(bundle, "genes", {"kind": "gene_models", "path": "g.gff3", "version": "x"})
    assert prepare.main(["gnomad", "--bundle", str(bundle), "--vcf", str(nuclear), str(mito), "--version", "t"]) == 0
    src = load_manifest(bundle / "manifest.yaml").sources["gnomad_genomes"]
    assert (src.fields.af_hom, src.fields.af_het, src.fields.max_hl) == ("AF_hom", "AF_het", "max_hl")
    made = _info(src.path)
    assert {m[0] for m in made} == {"chrY", "chrM"} and len(made) == len(_info(mito)) + len(_info(nuclear))
    target = next(m for m in made if m[0] == "chrM" and m[5]["AC_het"] > 0)
    chrom, pos, ref, alt = target[:4]
    (tmp_path / "hdr.txt").write_text("".join(header_line(f) + "\n" for f in FIELDS if f.source == "population"))
    vcf = tmp_path / "calls.vcf"
    vcf.write_text(f"##fileformat=VCFv4.2\n##contig=<ID=chrM,length=16569>\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\t"
                   f"FILTER\tINFO\n{chrom}\t{pos}\t.\t{ref}\t{alt}\t.\tPASS\t.\n")  # fmt: skip
    calls = pysam.tabix_index(str(vcf), preset="vcf", force=True)
    out = subprocess.run(["bcftools", "annotate", "-a", str(src.path), "-h", str(tmp_path / "hdr.txt"), "-c",
                          population_columns(src), calls], capture_output=True, text=True, check=True).stdout  # fmt: skip
    info = dict(kv.split("=") for kv in out.strip().splitlines()[-1].split("\t")[7].split(";"))
    assert float(info["POP_AF_HOM"]) == pytest.approx(target[5]["AF_hom"], rel=1e-5)
    assert float(info["POP_AF_HET"]) == pytest.approx(target[5]["AF_het"], rel=1e-5)
    assert float(info["POP_MAX_HL"]) == pytest.approx(target[5]["max_hl"], rel=1e-5)
    assert float(info["POP_AF"]) == pytest.approx(target[5]["AF"][0], rel=1e-5) and "POP_NHOM" not in info
