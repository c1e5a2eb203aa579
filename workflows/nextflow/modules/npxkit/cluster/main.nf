process NPXKIT_CLUSTER {
    tag "$meta.id"
    label 'process_single'
    container 'npxkit:0.1.0'

    input:
    // the enrichment.tsv of NPXKIT_ENRICH; --genesets (the same collection), --fdr,
    // --similarity, --algorithm, ... come from task.ext.args
    tuple val(meta), path(enrichment)

    output:
    tuple val(meta), path("${prefix}/clusters.tsv")     , emit: clusters
    tuple val(meta), path("${prefix}/cluster_words.tsv"), emit: cluster_words
    tuple val(meta), path("${prefix}/network.json")     , emit: network_json
    tuple val(meta), path("${prefix}/network.graphml")  , emit: network_graphml
    tuple val(meta), path("${prefix}/{*.tsv,network.json}"), emit: tables
    tuple val(meta), path("${prefix}/run.json")         , emit: run_json
    path "versions.yml"                                 , emit: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args = task.ext.args ?: ''
    prefix   = task.ext.prefix ?: "${meta.id}"
    """
    npxkit \\
        --threads $task.cpus \\
        cluster \\
        --enrichment $enrichment \\
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
    touch $prefix/clusters.tsv $prefix/cluster_words.tsv $prefix/network.json $prefix/network.graphml $prefix/run.json

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        \$(npxkit versions --yaml)
    END_VERSIONS
    """
}
