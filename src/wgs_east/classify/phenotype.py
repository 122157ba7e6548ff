"""Phenotype similarity between a proband's HPO terms and a gene's (issue 24 item 9), for ranking.

Measure: Resnik similarity (Resnik 1995) with the best-match average from the proband's terms to the
gene's, as Phenomizer does (Köhler et al. 2009, Am J Hum Genet 85:457):

    sim(Q, G) = (1 / |Q|) * sum over q in Q of  max over g in G of  IC(MICA(q, g))
    IC(t)     = -ln(number of genes annotated with t / number of genes with any term)

IC is the annotation-frequency information content over the bundle's gene table (the genes' HPO
columns). **Deviation**: the bundle carries no HPO ontology, so the most informative common ancestor
(MICA) of two different terms cannot be found; it is taken as the root (IC 0). Only exactly shared
terms score: sim(Q, G) = sum of IC(q) for q in Q that the gene has, divided by |Q|. With the ontology
(hp.obo) the same formula would credit related terms too. A gene without HPO terms, or a proband
without phenotypes, scores 0 (similarity not evaluable: the ranking then falls back to points).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping


def information_content(gene_hpo: Mapping[str, Iterable[str]]) -> dict[str, float]:
    """IC of every term of the gene table: ``-ln(genes with the term / genes with any term)``."""
    annotated = {g: set(t) for g, t in gene_hpo.items() if t}
    n = len(annotated)
    counts = Counter(term for terms in annotated.values() for term in terms)
    return {t: -math.log(c / n) for t, c in counts.items()} if n else {}


def gene_similarity(phenotypes: Iterable[str], gene_hpo: Mapping[str, Iterable[str]]) -> dict[str, float]:
    """Resnik best-match average (exact terms, see the module docstring) of every gene with the proband."""
    query = list(dict.fromkeys(phenotypes))
    if not query:
        return {}
    ic = information_content(gene_hpo)
    out = {}
    for gene, terms in gene_hpo.items():
        shared = set(terms)
        score = sum(ic.get(q, 0.0) for q in query if q in shared) / len(query)
        if score > 0:
            out[gene] = score
    return out
