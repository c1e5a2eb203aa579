#!/usr/bin/env nextflow
/*
 * npxkit as a small Nextflow (DSL2) pipeline built from the nf-core-style modules in
 * modules/npxkit/: qc and score once, then one de -> enrich -> cluster -> report branch
 * per contrast. Options: nextflow.config (params, ext.args per process, profiles).
 *
 *   nextflow run workflows/nextflow/main.nf --npx npx.parquet --samples samples.tsv \
 *       --contrasts C2D1-C1D1 --outdir results -profile standard
 *
 * Not yet exercised under Nextflow itself (see README.md): workflows/test.sh runs the
 * modules' script: and stub: commands with bash.
 */
nextflow.enable.dsl = 2

include { NPXKIT_QC      } from './modules/npxkit/qc/main'
include { NPXKIT_DE      } from './modules/npxkit/de/main'
include { NPXKIT_SCORE   } from './modules/npxkit/score/main'
include { NPXKIT_ENRICH  } from './modules/npxkit/enrich/main'
include { NPXKIT_CLUSTER } from './modules/npxkit/cluster/main'
include { NPXKIT_REPORT  } from './modules/npxkit/report/main'

workflow {
    if (!params.npx || !params.samples) {
        error "npxkit pipeline: --npx and --samples are required"
    }
    def npx       = file(params.npx, checkIfExists: true)
    def samples   = file(params.samples, checkIfExists: true)
    def contrasts = params.contrasts instanceof List ? params.contrasts : params.contrasts.toString().tokenize(',')*.trim()

    ch_study = Channel.of([ [ id: params.id, contrast: contrasts[0] ], npx, samples ])
    ch_branches = Channel.fromList(contrasts).map { c -> [ [ id: c, contrast: c ], npx, samples ] }

    NPXKIT_QC(ch_study)
    NPXKIT_SCORE(ch_study)
    NPXKIT_DE(ch_branches)
    NPXKIT_ENRICH(NPXKIT_DE.out.de)
    NPXKIT_CLUSTER(NPXKIT_ENRICH.out.enrichment)

    // One report per contrast, from the study tables (qc, score) and the branch's tables.
    ch_study_tables = NPXKIT_QC.out.tables
        .mix(NPXKIT_SCORE.out.tables)
        .map { meta, files -> files }
        .collect()
        .map { files -> [ files ] }
    ch_report = NPXKIT_DE.out.de
        .join(NPXKIT_ENRICH.out.enrichment)
        .join(NPXKIT_CLUSTER.out.tables)
        .combine(ch_study_tables)
        .map { meta, de, enrichment, cluster_tables, study_tables ->
            [ meta, [ de, enrichment ] + cluster_tables + study_tables ]
        }
    NPXKIT_REPORT(ch_report)

    NPXKIT_QC.out.versions
        .mix(NPXKIT_SCORE.out.versions, NPXKIT_DE.out.versions, NPXKIT_ENRICH.out.versions,
             NPXKIT_CLUSTER.out.versions, NPXKIT_REPORT.out.versions)
        .unique()
        .collectFile(name: 'versions.yml', storeDir: "${params.outdir}/pipeline_info")
}
