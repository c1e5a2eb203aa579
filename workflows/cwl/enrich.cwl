#!/usr/bin/env cwl-runner
# npxkit enrich as a CWL CommandLineTool. npxkit must be on PATH, or run in the container
# built from workflows/Dockerfile (the DockerRequirement hint below).
cwlVersion: v1.2
class: CommandLineTool
label: "npxkit enrich: over-representation of gene sets among the changed proteins (or camera / fry)"
doc: |
  ORA (default) reads the de.tsv of `npxkit de`; camera / fry read npx, samples, group,
  pair and contrast instead. Writes enrichment.tsv and run.json. Absent optional inputs
  leave npxkit's defaults (`npxkit enrich --help`).

hints:
  DockerRequirement:
    dockerPull: npxkit:0.1.0
  ResourceRequirement:
    coresMin: 1
    ramMin: 2000

baseCommand: [npxkit, enrich]
arguments:
  - {prefix: --threads, valueFrom: $(runtime.cores)}
  - {prefix: --out, valueFrom: ., position: 100}

inputs:
  de:
    type: File?
    doc: "ORA: the de.tsv of npxkit de"
    inputBinding: {prefix: --de}
  contrast:
    type: string?
    doc: "ORA: the contrast of a multi-contrast de.tsv; camera/fry: the contrast tested"
    inputBinding: {prefix: --contrast}
  method:
    type:
      - "null"
      - type: enum
        symbols: [ora, camera, fry]
    inputBinding: {prefix: --method}
  npx:
    type: File?
    inputBinding: {prefix: --npx}
  samples:
    type: File?
    inputBinding: {prefix: --samples}
  group:
    type: string?
    inputBinding: {prefix: --group}
  pair:
    type: string?
    inputBinding: {prefix: --pair}
  covariates:
    type: string[]?
    inputBinding: {prefix: --covariates, itemSeparator: ","}
  genesets:
    type: string?
    doc: Built-in collection (go-bp, go-mf, go-cc, bindea2013); see genesets_file for a GMT
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
  min_size:
    type: int?
    inputBinding: {prefix: --min-size}
  max_size:
    type: int?
    inputBinding: {prefix: --max-size}
  universe:
    type: File?
    inputBinding: {prefix: --universe}
  resolve_aliases:
    type: boolean?
    inputBinding: {prefix: --resolve-aliases}

stdout: enrich.summary.txt
stderr: enrich.log

outputs:
  enrichment:
    type: File
    outputBinding: {glob: enrichment.tsv}
  run_json:
    type: File
    outputBinding: {glob: run.json}
  summary:
    type: stdout
  log:
    type: stderr
