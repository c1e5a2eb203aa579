process NPXKIT_DE {
    tag "$meta.id"
    label 'process_low'
    container 'npxkit:0.1.0'

    input:
    // meta.contrast: the contrast B-A of this branch; --group, --pair, --covariates and
    // the other options of `npxkit de` come from task.ext.args
    tuple val(meta), path(npx), path(samples)

    output:
    tuple val(meta), path("${prefix}/de.tsv")  , emit: de
    tuple val(meta), path("${prefix}/run.json"), emit: run_json
    path "versions.yml"                        , emit: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args = task.ext.args ?: ''
    prefix   = task.ext.prefix ?: "${meta.id}"
    """
    npxkit \\
        --threads $task.cpus \\
        de \\
        --npx $npx \\
        --samples $samples \\
        --contrast ${meta.contrast} \\
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
    touch $prefix/de.tsv $prefix/run.json

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        \$(npxkit versions --yaml)
    END_VERSIONS
    """
}
