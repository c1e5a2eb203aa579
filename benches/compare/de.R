# Side-by-side baseline for benches/benches/de.rs: limma on the same simulated study.
# Usage: Rscript benches/compare/de.R npx.csv samples.tsv [repeats]
# Times lmFit + eBayes + topTable (paired design ~ subject + timepoint) from the matrix,
# the same span as the Rust bench; loading is timed by load.R.
suppressPackageStartupMessages(library(limma))
source(file.path(dirname(normalizePath(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE)))), "study.R"))
args <- commandArgs(trailingOnly = TRUE)
repeats <- if (length(args) >= 3) as.integer(args[3]) else 5L
study <- read_study(args[1], args[2])
y <- study$x
m <- study$manifest
subject <- factor(m$subject); timepoint <- factor(m$timepoint, levels = c("C1D1", "C2D1"))
design <- model.matrix(~ subject + timepoint)
for (trend in c(FALSE, TRUE)) {
  times <- replicate(repeats, system.time({
    fit <- eBayes(lmFit(y, design), trend = trend)
    tt <- topTable(fit, coef = "timepointC2D1", number = Inf, confint = TRUE)
  })[["elapsed"]])
  cat(sprintf("R %s limma %s lmFit+eBayes(trend=%s)+topTable: %d x %d, %.2f%% NaN, median %.3f s (min %.3f, %d runs)\n",
              getRversion(), packageVersion("limma"), trend, nrow(y), ncol(y),
              100 * mean(is.na(y)), median(times), min(times), repeats))
}
