# Side-by-side baseline for `npxkit score` (GSVA 1.46.0, method gsva, Gaussian kcdf) on a
# simulated study: Bindea 2013 sets, complete assays, as npxkit scores them.
# Usage: Rscript benches/compare/score.R npx.csv samples.tsv bindea2013.gmt [repeats]
suppressPackageStartupMessages(library(GSVA))
source(file.path(dirname(normalizePath(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE)))), "study.R"))
args <- commandArgs(trailingOnly = TRUE)
repeats <- if (length(args) >= 4) as.integer(args[4]) else 3L
x <- read_study(args[1], args[2], key = "Assay")$x
x <- x[rowSums(is.na(x)) == 0, , drop = FALSE]
lines <- strsplit(readLines(args[3]), "\t")
sets <- setNames(lapply(lines, function(l) l[-(1:2)]), sapply(lines, `[`, 1))
times <- replicate(repeats, system.time(
  s <<- gsva(x, sets, method = "gsva", kcdf = "Gaussian", min.sz = 1, verbose = FALSE)
)[["elapsed"]])
cat(sprintf("R %s GSVA %s gsva (Gaussian): %d genes x %d samples, %d sets, median %.2f s (min %.2f, %d runs)\n",
            getRversion(), packageVersion("GSVA"), nrow(x), ncol(x), nrow(s), median(times),
            min(times), repeats))
