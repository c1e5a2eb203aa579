# Reference outputs for `npxkit score` (tests in crates/npxkit-cli/tests/cli.rs, `score_parity_*`).
# Run from the project root: Rscript test-data/reference/score_cli.R
# Made with R 4.2.2 and GSVA 1.46.0 (Debian 12: r-bioc-gsva); needs ../shared/data/genesets/bindea2013.gmt.
#
# Input: the committed study test-data/reference/de_cli/input/ (npx.csv, samples.tsv). As npxkit does by
# default: control samples (Sample_Type != SAMPLE) set aside, columns in manifest order, one row per assay
# in file order, rows with a missing value left out. GSVA itself drops constant rows (not ssGSEA).
suppressPackageStartupMessages(library(GSVA))
out <- "test-data/reference/score_cli"
d <- read.delim("test-data/reference/de_cli/input/npx.csv", sep = ";", na.strings = "NA",
                stringsAsFactors = FALSE)
m <- read.delim("test-data/reference/de_cli/input/samples.tsv", stringsAsFactors = FALSE)
d <- d[d$Sample_Type == "SAMPLE" & d$SampleID %in% m$SampleID, ]
assays <- unique(d$Assay)
x <- matrix(NA_real_, length(assays), nrow(m), dimnames = list(assays, m$SampleID))
x[cbind(match(d$Assay, assays), match(d$SampleID, m$SampleID))] <- d$NPX
x <- x[rowSums(is.na(x)) == 0, , drop = FALSE]
lines <- strsplit(readLines("../shared/data/genesets/bindea2013.gmt"), "\t")
sets <- setNames(lapply(lines, function(l) l[-(1:2)]), sapply(lines, `[`, 1))
fmt <- function(v) ifelse(is.na(v), "NA", sprintf("%.17g", v))
write_scores <- function(s, file) {
  t <- data.frame(geneset = rownames(s), apply(s, 2, fmt), check.names = FALSE)
  write.table(t, file.path(out, file), sep = "\t", quote = FALSE, row.names = FALSE)
}
scores <- list(
  gsva = gsva(x, sets, method = "gsva", kcdf = "Gaussian", min.sz = 1, verbose = FALSE),
  ssgsea = gsva(x, sets, method = "ssgsea", min.sz = 1, verbose = FALSE),
  zscore = gsva(x, sets, method = "zscore", min.sz = 1, verbose = FALSE),
  plage = gsva(x, sets, method = "plage", min.sz = 1, verbose = FALSE)
)
for (k in names(scores)) write_scores(scores[[k]], paste0(k, ".tsv"))
# Paired Wilcoxon signed-rank test of the GSVA scores, C2D1 - C1D1, over complete subjects.
subjects <- intersect(m$subject[m$timepoint == "C1D1"], m$subject[m$timepoint == "C2D1"])
id <- function(tp) sapply(subjects, function(s) m$SampleID[m$subject == s & m$timepoint == tp])
s <- scores$gsva
tests <- t(sapply(rownames(s), function(g) {
  a <- s[g, id("C2D1")]; b <- s[g, id("C1D1")]
  w <- wilcox.test(a, b, paired = TRUE)
  c(length(a), mean(a - b), w$statistic, w$p.value)
}))
tests <- data.frame(geneset = rownames(s), n_pairs = tests[, 1], mean_diff = fmt(tests[, 2]),
                    statistic = fmt(tests[, 3]), P.Value = fmt(tests[, 4]),
                    adj.P.Val = fmt(p.adjust(tests[, 4], "BH")))
write.table(tests, file.path(out, "tests_gsva.tsv"), sep = "\t", quote = FALSE, row.names = FALSE)

# GO sets (issue #5 asks for a few beside Bindea): the first 15 GO BP sets of
# ../shared/data/genesets/go_bp_human_orghs3.16.gmt with at least 4 measured genes, written
# whole to score_cli/go_sets.gmt (npxkit and GSVA both restrict them to the measured
# genes), scored by GSVA (Gaussian kcdf, compat: what R computes) -> go_gsva.tsv.
# npxkit's documented mapping: a multi-gene assay (IL12A_IL12B) stands for each of its
# genes, so each set gene is translated to the assay row holding it (GSVA alone would
# match whole assay names only).
row_of <- unlist(lapply(rownames(x), function(a) setNames(rep(a, length(strsplit(a, "_")[[1]])),
                                                          strsplit(a, "_")[[1]])))
to_rows <- function(genes) unique(unname(row_of[intersect(genes, names(row_of))]))
go <- strsplit(readLines("../shared/data/genesets/go_bp_human_orghs3.16.gmt"), "\t")
measured <- vapply(go, function(l) length(to_rows(l[-(1:2)])), 0L)
go <- go[measured >= 4][1:15]
writeLines(vapply(go, paste, "", collapse = "\t"), file.path(out, "go_sets.gmt"))
go_sets <- setNames(lapply(go, function(l) to_rows(l[-(1:2)])), sapply(go, `[`, 1))
write_scores(gsva(x, go_sets, method = "gsva", kcdf = "Gaussian", min.sz = 1, verbose = FALSE),
             "go_gsva.tsv")
