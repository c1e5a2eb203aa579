process NPXKIT_SCORE {
    tag "$meta.id"
    label 'process_low'
    container 'npxkit:0.1.0'

    input:
    // --genesets, --method and, for score_tests.tsv, --group/--pair/--contrast come from
    // task.ext.args
    tuple val(meta), path(npx), path(samples)

    output:
    tuple val(meta), path("${prefix}/scores.tsv")               , emit: scores
    tuple val(meta), path("${prefix}/genesets.tsv")             , emit: genesets
    tuple val(meta), path("${prefix}/score_tests.tsv"), optional: true, emit: score_tests
    tuple val(meta), path("${prefix}/*.tsv")                    , emit: tables
    tuple val(meta), path("${prefix}/run.json")                 , emit: run_json
    path "versions.yml"                                         , emit: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args = task.ext.args ?: ''
    prefix   = task.ext.prefix ?: "${meta.id}"
    """
    npxkit \\
        --threads $task.cpus \\
        score \\
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
    touch $prefix/scores.tsv $prefix/genesets.tsv $prefix/score_tests.tsv $prefix/run.json

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        \$(npxkit versions --yaml)
    END_VERSIONS
    """
}
