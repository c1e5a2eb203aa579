process NPXKIT_ENRICH {
    tag "$meta.id"
    label 'process_single'
    container 'npxkit:0.1.0'

    input:
    // over-representation (ora) among the changed proteins of a de.tsv; --genesets,
    // --fdr, --top, --min-size, ... come from task.ext.args
    tuple val(meta), path(de)

    output:
    tuple val(meta), path("${prefix}/enrichment.tsv"), emit: enrichment
    tuple val(meta), path("${prefix}/run.json")      , emit: run_json
    path "versions.yml"                              , emit: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args = task.ext.args ?: ''
    prefix   = task.ext.prefix ?: "${meta.id}"
    """
    npxkit \\
        --threads $task.cpus \\
        enrich \\
        --de $de \\
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
    touch $prefix/enrichment.tsv $prefix/run.json

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        \$(npxkit versions --yaml)
    END_VERSIONS
    """
}
