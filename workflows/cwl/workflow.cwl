#!/usr/bin/env cwl-runner
# The npxkit analysis as a CWL workflow: qc and score once, then one branch per contrast
# (de -> enrich -> cluster -> report). Runs under cwltool and Toil; npxkit must be on PATH
# (or use the container built from workflows/Dockerfile). Example inputs: job.yml.
#   cwltool workflows/cwl/workflow.cwl workflows/cwl/job.yml
cwlVersion: v1.2
class: Workflow
label: "npxkit: qc, de, score, enrich, cluster and report"

requirements:
  ScatterFeatureRequirement: {}
  SubworkflowFeatureRequirement: {}
  MultipleInputFeatureRequirement: {}
  StepInputExpressionRequirement: {}

inputs:
  npx: File
  samples: File
  group:
    type: string
    default: timepoint
  pair:
    type: string?
    default: subject
    doc: Manifest column with the subject; null for an unpaired design
  contrasts:
    type: string[]
    default: [C2D1-C1D1]
    doc: One de / enrich / cluster / report branch per contrast; the first drives score's tests
  score_genesets:
    type: string
    default: bindea2013
  enrich_genesets:
    type: string
    default: go-bp

outputs:
  qc:
    type: File
    outputSource: qc/qc
  assay_qc:
    type: File
    outputSource: qc/assay_qc
  pca:
    type: File
    outputSource: qc/pca
  scores:
    type: File
    outputSource: score/scores
  score_tests:
    type: File?
    outputSource: score/score_tests
  de:
    type: File[]
    outputSource: branch/de
    doc: In the order of contrasts (cwltool names the second de.tsv_2, and so on)
  enrichment:
    type: File[]
    outputSource: branch/enrichment
  clusters:
    type: File[]
    outputSource: branch/clusters
  report:
    type: Directory[]
    outputSource: branch/report
    doc: One folder per contrast, named by the contrast (report.html, figures/)

steps:
  qc:
    run: qc.cwl
    in:
      npx: npx
      samples: samples
      group: group
      pair: pair
    out: [qc, assay_qc, pca, pca_variance, run_json]

  score:
    run: score.cwl
    in:
      npx: npx
      samples: samples
      group: group
      pair: pair
      contrast:
        source: contrasts
        valueFrom: $(self[0])
      genesets: score_genesets
    out: [scores, genesets_table, score_tests, run_json]

  branch:
    scatter: contrast
    in:
      contrast: contrasts
      npx: npx
      samples: samples
      group: group
      pair: pair
      enrich_genesets: enrich_genesets
      qc_tables:
        source: [qc/qc, qc/assay_qc, qc/pca, qc/pca_variance]
        linkMerge: merge_flattened
      score_tables:
        source: [score/scores, score/genesets_table, score/score_tests]
        linkMerge: merge_flattened
        pickValue: all_non_null
    out: [de, enrichment, clusters, report]
    run:
      class: Workflow
      label: one contrast
      inputs:
        contrast: string
        npx: File
        samples: File
        group: string
        pair: string?
        enrich_genesets: string
        qc_tables: File[]
        score_tables: File[]
      outputs:
        de:
          type: File
          outputSource: de/de
        enrichment:
          type: File
          outputSource: enrich/enrichment
        clusters:
          type: File
          outputSource: cluster/clusters
        report:
          type: Directory
          outputSource: report/report
      steps:
        de:
          run: de.cwl
          in:
            npx: npx
            samples: samples
            group: group
            pair: pair
            contrast:
              source: [contrast]
              linkMerge: merge_nested
          out: [de, run_json]
        enrich:
          run: enrich.cwl
          in:
            de: de/de
            genesets: enrich_genesets
          out: [enrichment, run_json]
        cluster:
          run: cluster.cwl
          in:
            enrichment: enrich/enrichment
            genesets: enrich_genesets
          out: [clusters, cluster_words, network_json, network_graphml, run_json]
        report:
          run: report.cwl
          in:
            tables:
              source:
                - qc_tables
                - score_tables
                - de/de
                - enrich/enrichment
                - cluster/clusters
                - cluster/cluster_words
                - cluster/network_json
              linkMerge: merge_flattened
            name: contrast
          out: [report, html]
