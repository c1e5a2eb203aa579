#!/usr/bin/env cwl-runner
# npxkit qc as a CWL CommandLineTool. npxkit must be on PATH, or run in the container
# built from workflows/Dockerfile (the DockerRequirement hint below).
cwlVersion: v1.2
class: CommandLineTool
label: "npxkit qc: Olink QC (controls, sample and assay warnings, LOD, missingness, pairing, PCA)"
doc: |
  Writes qc.tsv, assay_qc.tsv, pca.tsv, pca_variance.tsv and run.json. Absent optional
  inputs leave npxkit's defaults (`npxkit qc --help`).

hints:
  DockerRequirement:
    dockerPull: npxkit:0.1.0
  ResourceRequirement:
    coresMin: 2
    ramMin: 4000

baseCommand: [npxkit, qc]
arguments:
  - {prefix: --threads, valueFrom: $(runtime.cores)}
  - {prefix: --out, valueFrom: ., position: 100}

inputs:
  npx:
    type: File
    doc: Olink NPX file (long CSV/TSV, Target 96 wide CSV or xlsx, parquet, zip)
    inputBinding: {prefix: --npx}
  samples:
    type: File?
    doc: Sample manifest (TSV or CSV) with a SampleID column
    inputBinding: {prefix: --samples}
  group:
    type: string?
    doc: Manifest column with the timepoint / group (pairing report)
    inputBinding: {prefix: --group}
  pair:
    type: string?
    doc: Manifest column with the subject (pairing report)
    inputBinding: {prefix: --pair}
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
  pca_outlier_sd:
    type: double?
    inputBinding: {prefix: --pca-outlier-sd}

stdout: qc.summary.txt
stderr: qc.log

outputs:
  qc:
    type: File
    outputBinding: {glob: qc.tsv}
  assay_qc:
    type: File
    outputBinding: {glob: assay_qc.tsv}
  pca:
    type: File
    outputBinding: {glob: pca.tsv}
  pca_variance:
    type: File
    outputBinding: {glob: pca_variance.tsv}
  run_json:
    type: File
    outputBinding: {glob: run.json}
  summary:
    type: stdout
  log:
    type: stderr
