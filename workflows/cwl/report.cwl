#!/usr/bin/env cwl-runner
# npxkit report as a CWL CommandLineTool. npxkit must be on PATH, or run in the container
# built from workflows/Dockerfile (the DockerRequirement hint below).
cwlVersion: v1.2
class: CommandLineTool
label: "npxkit report: one HTML report with figures from the tables of the other steps"
doc: |
  `npxkit report` reads one results folder: the tables given in `tables` (qc.tsv,
  assay_qc.tsv, pca.tsv, pca_variance.tsv, de.tsv, scores.tsv, score_tests.tsv,
  genesets.tsv, enrichment.tsv, clusters.tsv, cluster_words.tsv, network.json, ...) are
  staged into the working directory under their own names and read from there. Writes
  the folder `name` (report.html, figures/, run.json).

requirements:
  InitialWorkDirRequirement:
    listing:
      - $(inputs.tables)

hints:
  DockerRequirement:
    dockerPull: npxkit:0.1.0
  ResourceRequirement:
    coresMin: 1
    ramMin: 2000

baseCommand: [npxkit, report]
arguments:
  - {prefix: --threads, valueFrom: $(runtime.cores)}
  - {prefix: --in, valueFrom: .}
  - {prefix: --out, valueFrom: $(inputs.name), position: 100}

inputs:
  tables:
    type: File[]
    doc: The tables of the results folder, each under npxkit's fixed file name
  name:
    type: string
    default: report
    doc: Name of the output folder (the workflow uses the contrast)

stdout: report.summary.txt
stderr: report.log

outputs:
  report:
    type: Directory
    outputBinding: {glob: $(inputs.name)}
  html:
    type: File
    outputBinding: {glob: $(inputs.name)/report.html}
  summary:
    type: stdout
  log:
    type: stderr
