#!/usr/bin/env bash
# Gene models: Ensembl GFF3 (the GENCODE comprehensive annotation, tagged MANE_Select and Ensembl_canonical),
# renamed to chr1..chrM. Usage: resources/gene_models.sh BUNDLE_DIR   (ENSEMBL_RELEASE=113 by default)
source "$(dirname "$0")/common.sh"
RELEASE=${ENSEMBL_RELEASE:-113}
URL=https://ftp.ensembl.org/pub/release-$RELEASE/gff3/homo_sapiens/Homo_sapiens.GRCh38.$RELEASE.gff3.gz
gff=$(fetch "$URL")
prepare gene-models --bundle "$BUNDLE" --name ensembl --gff "$gff" --version "Ensembl $RELEASE" \
    --url "$URL" --description "Ensembl $RELEASE GFF3 (GENCODE), MANE Select tags; chr names"
