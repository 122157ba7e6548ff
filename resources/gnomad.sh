#!/usr/bin/env bash
# Population: gnomAD v4.1 genomes and exomes sites (two sources: POP_* and POPEX_*), every site with its FILTER,
# AC/AN/AF/nhomalt/grpmax/filtering AF; nhemi = AC_XY and nhomalt = nhomalt_XX on non-PAR X/Y; chrM of the
# genomes from gnomAD's mitochondrial release v3.1 (AF_hom, AF_het, max_hl; NO_CHRM=1 leaves it out).
# Hundreds of GB to download. Usage: resources/gnomad.sh BUNDLE_DIR   (GNOMAD_SETS="genomes exomes" by default)
# resources/Snakefile does the same per chromosome in parallel.
source "$(dirname "$0")/common.sh"
VERSION=${GNOMAD_VERSION:-4.1}
for SET in ${GNOMAD_SETS:-genomes exomes}; do
    BASE=https://storage.googleapis.com/gcp-public-data--gnomad/release/$VERSION/vcf/$SET
    files=()
    for c in $(seq 1 22) X Y; do
        files+=("$(fetch "$BASE/gnomad.$SET.v$VERSION.sites.chr$c.vcf.bgz")")
        fetch "$BASE/gnomad.$SET.v$VERSION.sites.chr$c.vcf.bgz.tbi" > /dev/null
    done
    if [ "$SET" = genomes ] && [ -z "${NO_CHRM:-}" ]; then  # chrM: gnomAD's mitochondrial release (AF_hom, AF_het)
        MITO=https://storage.googleapis.com/gcp-public-data--gnomad/release/3.1/vcf/genomes/gnomad.genomes.v3.1.sites.chrM.vcf.bgz
        files+=("$(fetch "$MITO")")
        fetch "$MITO.tbi" > /dev/null
    fi
    prepare gnomad --bundle "$BUNDLE" --dataset "$SET" --vcf "${files[@]}" --version "gnomAD v$VERSION $SET" \
        --release-date "${GNOMAD_DATE:-2024-04-19}" --url "$BASE" --description "gnomAD v$VERSION $SET sites, FILTER kept"
done
