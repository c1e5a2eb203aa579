process NPXKIT_REPORT {
    tag "$meta.id"
    label 'process_single'
    container 'npxkit:0.1.0'

    input:
    // the tables of one results folder (qc, score, de, enrichment, cluster), each under
    // npxkit's fixed file name; staged together into input/ for `npxkit report --in`
    tuple val(meta), path(tables, stageAs: 'input/*')

    output:
    tuple val(meta), path("${prefix}/report.html"), emit: html
    tuple val(meta), path("${prefix}/figures")    , emit: figures
    tuple val(meta), path("${prefix}")            , emit: report
    path "versions.yml"                           , emit: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args = task.ext.args ?: ''
    prefix   = task.ext.prefix ?: "${meta.id}"
    """
    npxkit \\
        --threads $task.cpus \\
        report \\
        --in input \\
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
    mkdir -p $prefix/figures
    touch $prefix/report.html

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        \$(npxkit versions --yaml)
    END_VERSIONS
    """
}
