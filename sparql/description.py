"""The endpoint's SPARQL 1.1 Service Description (https://www.w3.org/TR/sparql11-service-description/).

`GET /sparql` without a query answers it: what the endpoint is (`sd:endpoint`), the
language it takes (SPARQL 1.1 Query only: updates are refused), the result formats it
writes (the W3C's format IRIs, https://www.w3.org/ns/formats/), and its default
dataset: one default graph, no named graphs, which is the dataset `{base}/dataset`
that `/.well-known/void` and `/dataset` describe (VoID and DCAT). No `sd:feature` is
claimed: the endpoint does not dereference IRIs in FROM (`sd:DereferencesURIs`), refuses
SERVICE (so no `sd:BasicFederatedQuery`), and holds no named graphs for
`sd:UnionDefaultGraph` or `sd:EmptyGraphs` to be about.
"""

from __future__ import annotations

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, VOID

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
ENTAILMENT = Namespace("http://www.w3.org/ns/entailment/")
# What /sparql writes, by the W3C's format IRIs (sparql/results.py has the writers).
RESULT_FORMATS = ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV",
                  "SPARQL_Results_TSV", "Turtle", "N-Triples", "JSON-LD", "RDF_XML")
# A small JSON-LD context for this document (the project's context names data, not these).
CONTEXT = {"sd": str(SD), "formats": str(FORMATS), "void": str(VOID), "dcterms": str(DCTERMS),
           "rdfs": str(RDFS)}


def service_description(base: str) -> Graph:
    """The Service Description of `{base}/sparql`, its default dataset linked to the VoID."""
    g = Graph(bind_namespaces="none")
    for prefix, namespace in CONTEXT.items():
        g.bind(prefix, namespace)
    endpoint = URIRef(f"{base}/sparql")
    service = URIRef(f"{base}/sparql#service")
    dataset = URIRef(f"{base}/sparql#dataset")
    default = URIRef(f"{base}/sparql#default-graph")
    void = URIRef(f"{base}/dataset")
    g.add((service, RDF.type, SD.Service))
    g.add((service, SD.endpoint, endpoint))
    g.add((service, DCTERMS.title, Literal("migration-kg SPARQL endpoint", lang="en")))
    g.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    for name in RESULT_FORMATS:
        g.add((service, SD.resultFormat, FORMATS[name]))
    g.add((service, SD.defaultEntailmentRegime, ENTAILMENT.Simple))
    g.add((service, SD.defaultDataset, dataset))
    g.add((dataset, RDF.type, SD.Dataset))
    g.add((dataset, SD.defaultGraph, default))
    g.add((default, RDF.type, SD.Graph))
    # the default graph holds the dataset's dump (/v1/export.nt), described by its VoID
    g.add((default, RDFS.seeAlso, void))
    g.add((dataset, RDFS.seeAlso, URIRef(f"{base}/.well-known/void")))
    g.add((void, VOID.sparqlEndpoint, endpoint))
    return g
