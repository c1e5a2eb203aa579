#!/usr/bin/env cwl-runner
# npxkit de as a CWL CommandLineTool. npxkit must be on PATH, or run in the container
# built from workflows/Dockerfile (the DockerRequirement hint below).
cwlVersion: v1.2
class: CommandLineTool
label: "npxkit de: differential expression with limma's linear models and empirical Bayes"
doc: |
  Writes de.tsv (limma's topTable columns; a leading `contrast` column with more than one
  contrast) and run.json. Absent optional inputs leave npxkit's defaults (`npxkit de --help`).

hints:
  DockerRequirement:
    dockerPull: npxkit:0.1.0
  ResourceRequirement:
    coresMin: 2
    ramMin: 4000

baseCommand: [npxkit, de]
arguments:
  - {prefix: --threads, valueFrom: $(runtime.cores)}
  - {prefix: --out, valueFrom: ., position: 100}

inputs:
  npx:
    type: File
    inputBinding: {prefix: --npx}
  samples:
    type: File
    inputBinding: {prefix: --samples}
  group:
    type: string
    default: timepoint
    doc: Manifest column with the group compared
    inputBinding: {prefix: --group}
  contrast:
    type:
      type: array
      items: string
      inputBinding: {prefix: --contrast}
    doc: Contrasts B-A (levels of group), e.g. [C2D1-C1D1]
    inputBinding: {}
  pair:
    type: string?
    doc: Manifest column with the subject (paired design); absent for unpaired
    inputBinding: {prefix: --pair}
  covariates:
    type: string[]?
    inputBinding: {prefix: --covariates, itemSeparator: ","}
  method:
    type:
      - "null"
      - type: enum
        symbols: [limma, ttest, wilcoxon]
    inputBinding: {prefix: --method}
  trend:
    type: boolean?
    inputBinding: {prefix: --trend}
  robust:
    type: boolean?
    inputBinding: {prefix: --robust}
  lfc:
    type: double?
    inputBinding: {prefix: --lfc}
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

stdout: de.summary.txt
stderr: de.log

outputs:
  de:
    type: File
    outputBinding: {glob: de.tsv}
  run_json:
    type: File
    outputBinding: {glob: run.json}
  summary:
    type: stdout
  log:
    type: stderr
