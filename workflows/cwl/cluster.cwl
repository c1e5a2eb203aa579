#!/usr/bin/env cwl-runner
# npxkit cluster as a CWL CommandLineTool. npxkit must be on PATH, or run in the container
# built from workflows/Dockerfile (the DockerRequirement hint below).
cwlVersion: v1.2
class: CommandLineTool
label: "npxkit cluster: themes of enriched gene sets (vissE's term-overlap network)"
doc: |
  Reads the enrichment.tsv of `npxkit enrich`. Writes clusters.tsv, cluster_words.tsv,
  network.json, network.graphml and run.json. Absent optional inputs leave npxkit's
  defaults (`npxkit cluster --help`).

hints:
  DockerRequirement:
    dockerPull: npxkit:0.1.0
  ResourceRequirement:
    coresMin: 1
    ramMin: 2000

baseCommand: [npxkit, cluster]
arguments:
  - {prefix: --threads, valueFrom: $(runtime.cores)}
  - {prefix: --out, valueFrom: ., position: 100}

inputs:
  enrichment:
    type: File
    inputBinding: {prefix: --enrichment}
  genesets:
    type: string?
    doc: The collection the terms come from (built-in name); see genesets_file for a GMT
    inputBinding: {prefix: --genesets}
  genesets_file:
    type: File?
    inputBinding: {prefix: --genesets}
  fdr:
    type: double?
    inputBinding: {prefix: --fdr}
  top:
    type: int?
    inputBinding: {prefix: --top}
  direction:
    type:
      - "null"
      - type: enum
        symbols: [both, up, down]
    inputBinding: {prefix: --direction}
  members:
    type:
      - "null"
      - type: enum
        symbols: [all, measured]
    inputBinding: {prefix: --members}
  similarity:
    type:
      - "null"
      - type: enum
        symbols: [ari, jaccard, overlap]
    inputBinding: {prefix: --similarity}
  min_similarity:
    type: double?
    inputBinding: {prefix: --min-similarity}
  algorithm:
    type:
      - "null"
      - type: enum
        symbols: [walktrap, louvain, leiden]
    inputBinding: {prefix: --algorithm}
  min_cluster_size:
    type: int?
    inputBinding: {prefix: --min-cluster-size}
  seed:
    type: int?
    inputBinding: {prefix: --seed}

stdout: cluster.summary.txt
stderr: cluster.log

outputs:
  clusters:
    type: File
    outputBinding: {glob: clusters.tsv}
  cluster_words:
    type: File
    outputBinding: {glob: cluster_words.tsv}
  network_json:
    type: File
    outputBinding: {glob: network.json}
  network_graphml:
    type: File
    outputBinding: {glob: network.graphml}
  run_json:
    type: File
    outputBinding: {glob: run.json}
  summary:
    type: stdout
  log:
    type: stderr
