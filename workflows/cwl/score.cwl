#!/usr/bin/env cwl-runner
# npxkit score as a CWL CommandLineTool. npxkit must be on PATH, or run in the container
# built from workflows/Dockerfile (the DockerRequirement hint below).
cwlVersion: v1.2
class: CommandLineTool
label: "npxkit score: per-sample gene-set scores (GSVA, ssGSEA, z-score, PLAGE) and paired tests"
doc: |
  Writes scores.tsv, genesets.tsv, score_tests.tsv (with group and contrast) and run.json.
  Absent optional inputs leave npxkit's defaults (`npxkit score --help`).

hints:
  DockerRequirement:
    dockerPull: npxkit:0.1.0
  ResourceRequirement:
    coresMin: 2
    ramMin: 4000

baseCommand: [npxkit, score]
arguments:
  - {prefix: --threads, valueFrom: $(runtime.cores)}
  - {prefix: --out, valueFrom: ., position: 100}

inputs:
  npx:
    type: File
    inputBinding: {prefix: --npx}
  samples:
    type: File?
    inputBinding: {prefix: --samples}
  group:
    type: string?
    doc: Manifest column with the group compared by the tests
    inputBinding: {prefix: --group}
  contrast:
    type: string?
    doc: Contrast B-A of the tests (score_tests.tsv is written only with group and contrast)
    inputBinding: {prefix: --contrast}
  pair:
    type: string?
    inputBinding: {prefix: --pair}
  genesets:
    type: string?
    doc: Built-in collection (bindea2013, go-bp, go-mf, go-cc); see genesets_file for a GMT
    inputBinding: {prefix: --genesets}
  genesets_file:
    type: File?
    doc: A GMT file instead of a built-in collection
    inputBinding: {prefix: --genesets}
  method:
    type:
      - "null"
      - type: enum
        symbols: [gsva, ssgsea, zscore, plage]
    inputBinding: {prefix: --method}
  kcdf:
    type:
      - "null"
      - type: enum
        symbols: [gaussian, poisson, none]
    inputBinding: {prefix: --kcdf}
  kcdf_mode:
    type:
      - "null"
      - type: enum
        symbols: [compat, exact]
    inputBinding: {prefix: --kcdf-mode}
  tau:
    type: double?
    inputBinding: {prefix: --tau}
  mx_diff:
    type: string?
    doc: "true | false"
    inputBinding: {prefix: --mx-diff}
  abs_ranking:
    type: boolean?
    inputBinding: {prefix: --abs-ranking}
  ssgsea_norm:
    type: string?
    doc: "true | false"
    inputBinding: {prefix: --ssgsea-norm}
  min_size:
    type: int?
    inputBinding: {prefix: --min-size}
  max_size:
    type: int?
    inputBinding: {prefix: --max-size}
  resolve_aliases:
    type: boolean?
    inputBinding: {prefix: --resolve-aliases}
  adjust:
    type:
      - "null"
      - type: enum
        symbols: [BH, bonferroni, holm, BY, none]
    inputBinding: {prefix: --adjust}
  exclude_warn:
    type: boolean?
    inputBinding: {prefix: --exclude-warn}
  mask_assay_warn:
    type: boolean?
    inputBinding: {prefix: --mask-assay-warn}
  below_lod:
    type:
      - "null"
      - type: enum
        symbols: [keep, nan]
    inputBinding: {prefix: --below-lod}
  max_missing:
    type: double?
    inputBinding: {prefix: --max-missing}
  control_pattern:
    type: string?
    inputBinding: {prefix: --control-pattern}

stdout: score.summary.txt
stderr: score.log

outputs:
  scores:
    type: File
    outputBinding: {glob: scores.tsv}
  genesets_table:
    type: File
    outputBinding: {glob: genesets.tsv}
  score_tests:
    type: File?
    outputBinding: {glob: score_tests.tsv}
  run_json:
    type: File
    outputBinding: {glob: run.json}
  summary:
    type: stdout
  log:
    type: stderr
