# Reference outputs of R's t.test / wilcox.test for the end-to-end parity tests of
# `npxkit de --method ttest|wilcoxon` (crates/npxkit-cli/tests/cli.rs, section
# "npxkit de --method ttest|wilcoxon"), as OlinkAnalyze's olink_ttest / olink_wilcox
# run them: one test per assay between the two levels of a contrast.
#
# Run from the project root:
#     Rscript test-data/reference/de_classical.R
# Made with R 4.2.2 (Debian 12 r-base-core 4.2.2); base R only.
#
# Input: the committed study of de_cli.R, test-data/reference/de_cli/input/
# (npx.csv, samples.tsv), read and QC'd as there: control samples
# (Sample_Type != SAMPLE) and FAIL samples are set aside, NA NPX is missing.
#
# For a contrast B-A (level B, baseline A):
# - paired (--pair subject): the subjects with exactly one sample at A and one at B;
#   per assay x = values at B, y = values at A of those subjects, t.test(x, y,
#   paired = TRUE) / wilcox.test(x, y, paired = TRUE), which drop the pairs with a
#   missing value. logFC = mean of the complete differences B - A.
# - unpaired: x = the samples at B, y = the samples at A; t.test(x, y) (Welch) /
#   wilcox.test(x, y). logFC = mean(x) - mean(y), missing values dropped.
# AveExpr = mean of the assay's observed values over the samples used (the two
# levels; for paired tests the complete subjects). adj.P.Val = p.adjust over the
# assays of the contrast. B is NA. For t.test: CI.L/CI.R = conf.int (95%),
# t = statistic, df.total = parameter. For wilcox.test: CI.L, CI.R and df.total are
# NA; t = statistic (V for paired, W otherwise). Where R stops with an error the
# statistics are NA.
#
# Writes, per case, de_classical/<case>.args (the `npxkit de` options, one argument
# per line, read by the Rust test) and de_classical/<case>.tsv (leading `contrast`
# column, one row per assay in input order), numbers with sprintf("%.17g").

root <- file.path("test-data", "reference", "de_classical")
input <- file.path("test-data", "reference", "de_cli", "input")
dir.create(root, showWarnings = FALSE)

fmt17 <- function(x) ifelse(is.na(x), "NA", sprintf("%.17g", x))

# The QC'd matrix: assays x study samples, in file order.
npx <- read.delim(file.path(input, "npx.csv"), sep = ";", colClasses = "character",
                  na.strings = c("NA", ""), quote = "")
npx <- npx[npx$Sample_Type == "SAMPLE" & npx$QC_Warning != "FAIL", ]
assays <- unique(npx$OlinkID)
samples <- unique(npx$SampleID)
y <- matrix(NA_real_, length(assays), length(samples), dimnames = list(assays, samples))
y[cbind(match(npx$OlinkID, assays), match(npx$SampleID, samples))] <- as.numeric(npx$NPX)

man <- read.delim(file.path(input, "samples.tsv"), colClasses = "character")
man <- man[match(samples, man$SampleID), ]
stopifnot(!anyNA(man$SampleID))
subject <- man$subject
timepoint <- man$timepoint

na_row <- c(logFC = NA_real_, CI.L = NA_real_, CI.R = NA_real_, t = NA_real_, P.Value = NA_real_,
            df.total = NA_real_)

# One assay: x at the level, y at the baseline (aligned by subject when paired).
one_test <- function(x, y, paired, method) {
  if (paired) {
    ok <- !is.na(x) & !is.na(y)
    lfc <- mean(x[ok] - y[ok])
  } else {
    lfc <- mean(x, na.rm = TRUE) - mean(y, na.rm = TRUE)
  }
  r <- tryCatch(
    suppressWarnings(if (method == "ttest") t.test(x, y, paired = paired)
                     else wilcox.test(x, y, paired = paired)),
    error = function(e) NULL)
  out <- na_row
  out["logFC"] <- if (is.nan(lfc)) NA else lfc
  if (is.null(r)) return(out)
  out["t"] <- unname(r$statistic)
  out["P.Value"] <- r$p.value
  if (method == "ttest") {
    out["CI.L"] <- r$conf.int[1]
    out["CI.R"] <- r$conf.int[2]
    out["df.total"] <- unname(r$parameter)
  }
  out
}

# One contrast's table, in input order.
table_of <- function(level, baseline, paired, method, adjust = "BH") {
  if (paired) {
    subj <- sort(unique(subject))
    at <- function(s, l) which(subject == s & timepoint == l)
    keep <- Filter(function(s) length(at(s, level)) == 1 && length(at(s, baseline)) == 1, subj)
    il <- vapply(keep, at, 1L, l = level)
    ib <- vapply(keep, at, 1L, l = baseline)
  } else {
    il <- which(timepoint == level)
    ib <- which(timepoint == baseline)
  }
  res <- t(vapply(seq_along(assays), function(a) one_test(y[a, il], y[a, ib], paired, method),
                  na_row))
  ave <- apply(y[, c(il, ib), drop = FALSE], 1, mean, na.rm = TRUE)
  data.frame(contrast = paste0(level, "-", baseline), OlinkID = assays,
             logFC = res[, "logFC"], CI.L = res[, "CI.L"], CI.R = res[, "CI.R"],
             AveExpr = ave, t = res[, "t"], P.Value = res[, "P.Value"],
             adj.P.Val = p.adjust(res[, "P.Value"], adjust), B = NA_real_,
             df.total = res[, "df.total"], check.names = FALSE)
}

write_case <- function(name, args, tables) {
  writeLines(args, file.path(root, paste0(name, ".args")))
  d <- do.call(rbind, tables)
  num <- !(names(d) %in% c("contrast", "OlinkID"))
  d[num] <- lapply(d[num], fmt17)
  lines <- c(paste(names(d), collapse = "\t"), apply(d, 1, paste, collapse = "\t"))
  writeLines(lines, file.path(root, paste0(name, ".tsv")))
}

# a: paired t-test C2D1 - C1D1 (P008 has one sample and is left out).
write_case("paired_ttest",
           c("--group", "timepoint", "--pair", "subject", "--contrast", "C2D1-C1D1",
             "--method", "ttest"),
           list(table_of("C2D1", "C1D1", TRUE, "ttest")))

# b: paired Wilcoxon signed-rank test.
write_case("paired_wilcoxon",
           c("--group", "timepoint", "--pair", "subject", "--contrast", "C2D1-C1D1",
             "--method", "wilcoxon"),
           list(table_of("C2D1", "C1D1", TRUE, "wilcoxon")))

# c: unpaired Welch t-test (every sample, P008 included).
write_case("unpaired_ttest",
           c("--group", "timepoint", "--contrast", "C2D1-C1D1", "--method", "ttest"),
           list(table_of("C2D1", "C1D1", FALSE, "ttest")))

# d: unpaired Wilcoxon rank-sum test, both directions (W becomes n_x n_y - W),
# Bonferroni-adjusted.
write_case("unpaired_wilcoxon",
           c("--group", "timepoint", "--contrast", "C2D1-C1D1", "--contrast", "C1D1-C2D1",
             "--method", "wilcoxon", "--adjust", "bonferroni"),
           list(table_of("C2D1", "C1D1", FALSE, "wilcoxon", "bonferroni"),
                table_of("C1D1", "C2D1", FALSE, "wilcoxon", "bonferroni")))
