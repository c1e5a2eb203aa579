# Side-by-side baseline for benches/benches/load.rs: load an Olink long CSV into an
# assays x samples matrix with base R, the way an R user without OlinkAnalyze would.
# Usage: Rscript benches/compare/load.R npx.csv samples.tsv [repeats]
# (OlinkAnalyze::read_NPX is not in Debian, so base R's reader is the reference here.)
args <- commandArgs(trailingOnly = TRUE)
npx_file <- args[1]; manifest_file <- args[2]
repeats <- if (length(args) >= 3) as.integer(args[3]) else 5L
load_matrix <- function() {
  d <- read.delim(npx_file, sep = ";", na.strings = "NA", stringsAsFactors = FALSE)
  m <- read.delim(manifest_file, stringsAsFactors = FALSE)
  d <- d[d$Sample_Type == "SAMPLE" & d$QC_Warning != "FAIL" & d$SampleID %in% m$SampleID, ]
  assays <- unique(d$OlinkID); samples <- m$SampleID
  x <- matrix(NA_real_, length(assays), length(samples), dimnames = list(assays, samples))
  x[cbind(match(d$OlinkID, assays), match(d$SampleID, samples))] <- d$NPX
  x
}
times <- replicate(repeats, system.time(x <<- load_matrix())[["elapsed"]])
cat(sprintf("R %s base read.delim + pivot: %d x %d, median %.3f s (min %.3f, %d runs)\n",
            getRversion(), nrow(x), ncol(x), median(times), min(times), repeats))
