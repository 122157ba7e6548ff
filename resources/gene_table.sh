#!/usr/bin/env bash
# Gene table: gnomAD v4.1 constraint (LOEUF, pLI), ClinGen dosage (haploinsufficiency), Gene2Phenotype
# (inheritance, disease, HPO, mechanism). Usage: resources/gene_table.sh BUNDLE_DIR
source "$(dirname "$0")/common.sh"
CONSTRAINT_URL=${CONSTRAINT_URL:-https://storage.googleapis.com/gcp-public-data--gnomad/release/4.1/constraint/gnomad.v4.1.constraint_metrics.tsv}
CLINGEN_URL=${CLINGEN_URL:-https://ftp.clinicalgenome.org/ClinGen_gene_curation_list_GRCh38.tsv}
G2P_URLS=${G2P_URLS:-"https://www.ebi.ac.uk/gene2phenotype/api/panel/DD/download/ https://www.ebi.ac.uk/gene2phenotype/api/panel/Eye/download/ https://www.ebi.ac.uk/gene2phenotype/api/panel/Skin/download/ https://www.ebi.ac.uk/gene2phenotype/api/panel/Cardiac/download/ https://www.ebi.ac.uk/gene2phenotype/api/panel/Skeletal/download/"}
constraint=$(fetch "$CONSTRAINT_URL")
clingen=$(fetch "$CLINGEN_URL")
g2p=()
for url in $G2P_URLS; do
    panel=$(basename "$(dirname "$url")")
    g2p+=("$(fetch "$url" "G2P_$panel.csv")")
done
prepare gene-table --bundle "$BUNDLE" --name genetable --constraint "$constraint" --clingen "$clingen" \
    --g2p "${g2p[@]}" --version "$(date +%F)" --release-date "$(date +%F)" \
    --url "$CONSTRAINT_URL $CLINGEN_URL G2P" --description "gnomAD v4.1 constraint + ClinGen dosage + G2P"
