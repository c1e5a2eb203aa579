process NPXKIT_QC {
    tag "$meta.id"
    label 'process_low'
    container 'npxkit:0.1.0'

    input:
    tuple val(meta), path(npx), path(samples)

    output:
    tuple val(meta), path("${prefix}/qc.tsv")          , emit: qc
    tuple val(meta), path("${prefix}/assay_qc.tsv")    , emit: assay_qc
    tuple val(meta), path("${prefix}/pca.tsv")         , emit: pca
    tuple val(meta), path("${prefix}/pca_variance.tsv"), emit: pca_variance
    tuple val(meta), path("${prefix}/*.tsv")           , emit: tables
    tuple val(meta), path("${prefix}/run.json")        , emit: run_json
    path "versions.yml"                                , emit: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args = task.ext.args ?: ''
    prefix   = task.ext.prefix ?: "${meta.id}"
    """
    npxkit \\
        --threads $task.cpus \\
        qc \\
        --npx $npx \\
        --samples $samples \\
        $args \\
        --out $prefix

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        \$(npxkit versions --yaml)
    END_VERSIONS
    """

    stub:
    prefix = task.ext.prefix ?: "${meta.id}"
    """
    mkdir -p $prefix
    touch $prefix/qc.tsv $prefix/assay_qc.tsv $prefix/pca.tsv $prefix/pca_variance.tsv $prefix/run.json

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        \$(npxkit versions --yaml)
    END_VERSIONS
    """
}
