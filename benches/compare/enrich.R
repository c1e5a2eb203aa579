# Side-by-side baseline for `npxkit enrich` (limma 3.54.1): camera, fry and cameraPR of
# all GO BP sets against a simulated 5,400-assay study, sets restricted to the measured
# assays and filtered to 10-500 members, as npxkit does. Only the test calls are timed
# (not reading the files, the fit for cameraPR's t, or building the index).
# Usage: Rscript benches/compare/enrich.R npx.csv samples.tsv go_bp.gmt [repeats]
# (npx.csv and samples.tsv from `npxkit simulate --format csv`).
suppressPackageStartupMessages(library(limma))
source(file.path(dirname(normalizePath(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE)))), "study.R"))
args <- commandArgs(trailingOnly = TRUE)
repeats <- if (length(args) >= 4) as.integer(args[4]) else 3L
study <- read_study(args[1], args[2], key = "Assay")
x <- study$x
m <- study$manifest
x <- x[rowSums(is.na(x)) == 0, , drop = FALSE] # camera and fry need complete rows
subject <- factor(m$subject)
time <- factor(m$timepoint, levels = c("C1D1", "C2D1"))
design <- model.matrix(~ subject + time)
lines <- strsplit(readLines(args[3]), "\t")
sets <- lapply(lines, function(l) intersect(l[-(1:2)], rownames(x)))
sizes <- lengths(sets)
sets <- sets[sizes >= 10 & sizes <= 500]
index <- ids2indices(sets, rownames(x))
fit <- eBayes(lmFit(x, design))
t <- fit$t[, "timeC2D1"]
time_of <- function(expr) {
  e <- substitute(expr)
  median(replicate(repeats, system.time(eval(e))[["elapsed"]]))
}
cat(sprintf("R %s limma %s: %d complete assays x %d samples, %d GO BP sets (10-500)\n",
            getRversion(), packageVersion("limma"), nrow(x), ncol(x), length(index)))
cat(sprintf("camera   %.2f s\n", time_of(camera(x, index, design, contrast = ncol(design)))))
cat(sprintf("fry      %.2f s\n", time_of(fry(x, index, design, contrast = ncol(design)))))
cat(sprintf("cameraPR %.3f s\n", time_of(cameraPR(t, index))))
cat(sprintf("cameraPR use.ranks %.2f s\n", time_of(cameraPR(t, index, use.ranks = TRUE))))
