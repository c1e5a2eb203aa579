# Reference outputs of R limma for the end-to-end parity tests of `npxkit de`
# (crates/npxkit-cli/tests/cli.rs, section "npxkit de"): QC'd matrix, design
# from the manifest, lmFit / contrasts.fit / eBayes / treat / topTable.
#
# Run from the project root:
#     Rscript test-data/reference/de_cli.R
# Made with R 4.2.2 (Debian 12 r-base-core 4.2.2), limma 3.54.1 (r-bioc-limma)
# and statmod (r-cran-statmod, for eBayes(robust = TRUE)).
#
# Input (committed), a small simulated study made with
#     target/debug/npxkit simulate --proteins 120 --subjects 8 --unpaired 1 \
#         --seed 11 --format csv --out test-data/reference/de_cli/input
# (truth.tsv and run.json removed): de_cli/input/npx.csv, de_cli/input/samples.tsv.
#
# QC as npxkit's defaults: control samples (Sample_Type != SAMPLE) are set
# aside, FAIL samples too (there are none; WARN samples stay), NA NPX is missing.
#
# Writes, per case, de_cli/<case>.args (the `npxkit de` options of the case, one
# argument per line, read by the Rust test) and de_cli/<case>.tsv: the topTable
# columns (number = Inf, sort.by = "none", confint = TRUE) plus df.total, one row
# per assay in input order, with a leading `contrast` column. Numbers are
# written with sprintf("%.17g").

suppressPackageStartupMessages(library(limma))
stopifnot(packageVersion("limma") == "3.54.1")

root <- file.path("test-data", "reference", "de_cli")
input <- file.path(root, "input")

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
subject <- factor(man$subject)
sex <- factor(man$sex)
age <- as.numeric(man$age)

# One contrast's table, in input order.
table_of <- function(fit, coef, name, lfc = 0, adjust = "BH") {
  fit <- if (lfc > 0) treat(fit, lfc = lfc) else fit
  tt <- topTable(fit, coef = coef, number = Inf, sort.by = "none", confint = TRUE,
                 adjust.method = adjust)
  stopifnot(identical(rownames(tt), assays))
  b <- if (is.null(tt$B)) rep(NA_real_, nrow(tt)) else tt$B
  data.frame(contrast = name, OlinkID = rownames(tt), logFC = tt$logFC,
             CI.L = tt$CI.L, CI.R = tt$CI.R, AveExpr = tt$AveExpr, t = tt$t,
             P.Value = tt$P.Value, adj.P.Val = tt$adj.P.Val, B = b,
             df.total = fit$df.total, check.names = FALSE)
}

# Every case is limma 3.54.1's eBayes, i.e. npxkit's --ebayes legacy (the default is
# current = limma >= 3.62; see de_cli_current.R).
write_case <- function(name, args, tables) {
  writeLines(c(args, "--ebayes", "legacy"), file.path(root, paste0(name, ".args")))
  d <- do.call(rbind, tables)
  num <- !(names(d) %in% c("contrast", "OlinkID"))
  d[num] <- lapply(d[num], fmt17)
  lines <- c(paste(names(d), collapse = "\t"), apply(d, 1, paste, collapse = "\t"))
  writeLines(lines, file.path(root, paste0(name, ".tsv")))
}

timepoint <- factor(man$timepoint, levels = c("C1D1", "C2D1"))
paired <- model.matrix(~ subject + timepoint)
covar <- model.matrix(~ timepoint + age + sex)

# a: the paired design of the issue, ~ subject + timepoint (P008 has one sample).
fit <- lmFit(y, paired)
write_case("paired",
           c("--group", "timepoint", "--pair", "subject", "--contrast", "C2D1-C1D1"),
           list(table_of(eBayes(fit), "timepointC2D1", "C2D1-C1D1")))

# b: unpaired with a numeric and a categorical covariate.
fit <- lmFit(y, covar)
write_case("covariates",
           c("--group", "timepoint", "--covariates", "age,sex", "--contrast", "C2D1-C1D1"),
           list(table_of(eBayes(fit), "timepointC2D1", "C2D1-C1D1")))

# c: paired, trend = TRUE.
fit <- lmFit(y, paired)
write_case("paired_trend",
           c("--group", "timepoint", "--pair", "subject", "--contrast", "C2D1-C1D1", "--trend"),
           list(table_of(eBayes(fit, trend = TRUE), "timepointC2D1", "C2D1-C1D1")))

# d: paired, robust = TRUE.
write_case("paired_robust",
           c("--group", "timepoint", "--pair", "subject", "--contrast", "C2D1-C1D1", "--robust"),
           list(table_of(eBayes(fit, robust = TRUE), "timepointC2D1", "C2D1-C1D1")))

# e: covariates, treat(lfc = 0.3) (B is NA).
fit <- lmFit(y, covar)
write_case("covariates_treat",
           c("--group", "timepoint", "--covariates", "age,sex", "--contrast", "C2D1-C1D1",
             "--lfc", "0.3"),
           list(table_of(fit, "timepointC2D1", "C2D1-C1D1", lfc = 0.3)))

# f: two contrasts: the first a coefficient, the second through contrasts.fit
# (C1D1-C2D1 = minus the coefficient), Bonferroni-adjusted.
fit <- lmFit(y, paired)
cm <- matrix(0, ncol(paired), 1, dimnames = list(colnames(paired), "C1D1-C2D1"))
cm["timepointC2D1", 1] <- -1
cf <- contrasts.fit(fit, cm)
t1 <- table_of(eBayes(fit), "timepointC2D1", "C2D1-C1D1", adjust = "bonferroni")
t2 <- table_of(eBayes(cf), "C1D1-C2D1", "C1D1-C2D1", adjust = "bonferroni")
write_case("two_contrasts",
           c("--group", "timepoint", "--pair", "subject", "--contrast", "C2D1-C1D1",
             "--contrast", "C1D1-C2D1", "--adjust", "bonferroni"),
           list(t1, t2))

# g: the reference level from the contrast: C1D1-C2D1 alone makes C2D1 the
# reference, as relevel() does; the contrast is then the coefficient timepointC1D1.
tp2 <- relevel(timepoint, ref = "C2D1")
fit <- lmFit(y, model.matrix(~ subject + tp2))
write_case("reference_level",
           c("--group", "timepoint", "--pair", "subject", "--contrast", "C1D1-C2D1"),
           list(table_of(eBayes(fit), "tp2C1D1", "C1D1-C2D1")))

# h: the subject as a random effect (issue #10): duplicateCorrelation's consensus
# correlation, then lmFit(block =, correlation =) on ~ timepoint + age; every sample
# counts, the unpaired one too. The consensus is written to blocked.consensus.
design <- model.matrix(~ timepoint + age)
dc <- duplicateCorrelation(y, design, block = man$subject)
writeLines(fmt17(dc$consensus.correlation), file.path(root, "blocked.consensus"))
fit <- lmFit(y, design, block = man$subject, correlation = dc$consensus.correlation)
write_case("blocked",
           c("--group", "timepoint", "--block", "subject", "--covariates", "age",
             "--contrast", "C2D1-C1D1"),
           list(table_of(eBayes(fit), "timepointC2D1", "C2D1-C1D1")))

# i: the same with a known correlation (no estimation) and trend = TRUE.
fit <- lmFit(y, design, block = man$subject, correlation = 0.3)
write_case("blocked_known",
           c("--group", "timepoint", "--block", "subject", "--covariates", "age",
             "--correlation", "0.3", "--trend", "--contrast", "C2D1-C1D1"),
           list(table_of(eBayes(fit, trend = TRUE), "timepointC2D1", "C2D1-C1D1")))

# j: the moderated F over one contrast with covariates (topTableF; F = t^2 here):
# checks the --test F table, its columns and df handling. Three-level F-tests are
# checked against limma in crates/npxkit-limma/tests/moderated_f.rs.
fit <- lmFit(y, covar)
cm <- matrix(0, ncol(covar), 1, dimnames = list(colnames(covar), "C2D1-C1D1"))
cm["timepointC2D1", 1] <- 1
eb <- eBayes(contrasts.fit(fit, cm))
tt <- topTableF(eb, number = Inf, sort.by = "none")
stopifnot(identical(rownames(tt), assays))
writeLines(c("--group", "timepoint", "--covariates", "age,sex", "--contrast", "C2D1-C1D1",
             "--test", "F", "--ebayes", "legacy"), file.path(root, "ftest.args"))
d <- data.frame(OlinkID = rownames(tt), `C2D1-C1D1` = fmt17(tt[["C2D1.C1D1"]]),
                AveExpr = fmt17(tt$AveExpr), F = fmt17(tt$F), P.Value = fmt17(tt$P.Value),
                adj.P.Val = fmt17(tt$adj.P.Val), check.names = FALSE)
write.table(d, file.path(root, "ftest.tsv"), sep = "\t", quote = FALSE, row.names = FALSE)

# k, l: --ebayes current (limma >= 3.62's eBayes(legacy = NULL), fitFDistUnequalDF1
# when residual df differ, as they do here through the missing values). Needs the newer
# limma files: LIMMA_SRC = the R/ folder of a bioc/limma checkout at 39aac52 (see
# limma_current.R); without it these two cases are left as they are.
limma_src <- Sys.getenv("LIMMA_SRC")
if (nzchar(limma_src)) {
  env <- new.env(parent = asNamespace("limma"))
  assign("logmdigamma", statmod::logmdigamma, envir = env)
  assign("gauss.quad.prob", statmod::gauss.quad.prob, envir = env)
  for (f in c("fitFDist", "fitFDistRobustly", "fitFDistUnequalDF1", "squeezeVar", "ebayes"))
    sys.source(file.path(limma_src, paste0(f, ".R")), envir = env)
  current <- function(fit, ...) env$eBayes(fit, legacy = NULL, ...)
  fit <- lmFit(y, paired)
  stopifnot(length(unique(fit$df.residual)) > 1)
  for (case in list(list("current_paired", FALSE), list("current_paired_robust", TRUE))) {
    writeLines(c("--group", "timepoint", "--pair", "subject", "--contrast", "C2D1-C1D1",
                 if (case[[2]]) "--robust", "--ebayes", "current"),
               file.path(root, paste0(case[[1]], ".args")))
    d <- table_of(current(fit, robust = case[[2]]), "timepointC2D1", "C2D1-C1D1")
    num <- !(names(d) %in% c("contrast", "OlinkID"))
    d[num] <- lapply(d[num], fmt17)
    lines <- c(paste(names(d), collapse = "\t"), apply(d, 1, paste, collapse = "\t"))
    writeLines(lines, file.path(root, paste0(case[[1]], ".tsv")))
  }
} else {
  message("LIMMA_SRC not set: the --ebayes current cases are not regenerated")
}
