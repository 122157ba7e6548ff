#!/usr/bin/env bash
# Gene table per gene-disease pair: GenCC submissions, ClinGen dosage (HI 3 / 30), Gene2Phenotype (all panels in
# G2P_URLS: add every panel the G2P site lists), HPO (genes_to_disease.txt + phenotype.hpoa), gnomAD v4.1 constraint (LOEUF, pLI).
# Usage: resources/gene_table.sh BUNDLE_DIR
source "$(dirname "$0")/common.sh"
CONSTRAINT_URL=${CONSTRAINT_URL:-https://storage.googleapis.com/gcp-public-data--gnomad/release/4.1/constraint/gnomad.v4.1.constraint_metrics.tsv}
GENCC_URL=${GENCC_URL:-https://search.thegencc.org/download/action/submissions-export-tsv}
CLINGEN_URL=${CLINGEN_URL:-https://ftp.clinicalgenome.org/ClinGen_gene_curation_list_GRCh38.tsv}
HPO_URL=${HPO_URL:-https://github.com/obophenotype/human-phenotype-ontology/releases/latest/download}
G2P_URLS=${G2P_URLS:-"https://www.ebi.ac.uk/gene2phenotype/api/panel/DD/download/ https://www.ebi.ac.uk/gene2phenotype/api/panel/Eye/download/ https://www.ebi.ac.uk/gene2phenotype/api/panel/Skin/download/ https://www.ebi.ac.uk/gene2phenotype/api/panel/Cardiac/download/ https://www.ebi.ac.uk/gene2phenotype/api/panel/Skeletal/download/"}
constraint=$(fetch "$CONSTRAINT_URL")
gencc=$(fetch "$GENCC_URL" gencc-submissions.tsv)
clingen=$(fetch "$CLINGEN_URL")
g2d=$(fetch "$HPO_URL/genes_to_disease.txt")
hpoa=$(fetch "$HPO_URL/phenotype.hpoa")
g2p=()
for url in $G2P_URLS; do
    panel=$(basename "$(dirname "$url")")
    g2p+=("$(fetch "$url" "G2P_$panel.csv")")
done
prepare gene-table --bundle "$BUNDLE" --name genetable --constraint "$constraint" --gencc "$gencc" \
    --clingen "$clingen" --g2p "${g2p[@]}" --hpo-genes "$g2d" --hpoa "$hpoa" --version "$(date +%F)" \
    --release-date "$(date +%F)" --url "$GENCC_URL $CLINGEN_URL G2P HPO" \
    --description "GenCC + ClinGen dosage + G2P + HPO per gene-disease pair; gnomAD v4.1 constraint"
