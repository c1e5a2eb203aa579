# Reference outputs of limma's blocked model (duplicateCorrelation with
# block=, then lmFit(block=, correlation=)) for crates/npxkit-limma/tests/blocked.rs.
#
# Run from the project root:
#     Rscript test-data/reference/dupcor.R            # writes the references
#     Rscript test-data/reference/dupcor.R --timing   # also times duplicateCorrelation
#                                                     # on 2000 x 300 (prints only)
# Made with R 4.2.2 (Debian 12 r-base-core 4.2.2), limma 3.54.1 and statmod 1.5.0.
#
# Writes one folder per case under test-data/reference/dupcor/:
#   expr.tsv       assays x samples (first column `assay`), NA = missing
#   design.tsv     the design matrix as model.matrix made it, R's column names
#   block.tsv      sample -> block (subject id, an integer label)
#   dupcor.tsv     per assay: atanh.correlations (NA where limma gives NA)
#   consensus.tsv  consensus.correlation
#   fit.tsv        lmFit(y, design, block = block, correlation = consensus):
#                  coefficients (coef_<name>), stdev.unscaled (stdev_<name>),
#                  sigma, df.residual, Amean
#   toptable_<coef>.tsv  topTable(eBayes(fit), coef, number = Inf,
#                  sort.by = "none", confint = TRUE) plus df.total, input order
# Numbers are written with sprintf("%.17g"); expression values are rounded to
# 4 decimals (like NPX) and written with "%.15g", which reads back exactly.

suppressPackageStartupMessages(library(limma))
stopifnot(packageVersion("limma") == "3.54.1")
stopifnot(packageVersion("statmod") == "1.5.0")

out_root <- file.path("test-data", "reference", "dupcor")
dir.create(out_root, showWarnings = FALSE, recursive = TRUE)

fmt17 <- function(x) ifelse(is.na(x), "NA", sprintf("%.17g", x))
fmt15 <- function(x) ifelse(is.na(x), "NA", sprintf("%.15g", x))

write_matrix <- function(m, path, first, fmt = fmt17) {
  body <- apply(m, 2, fmt)
  if (is.null(dim(body))) body <- matrix(body, nrow = nrow(m))
  rn <- rownames(m)
  if (is.null(rn)) rn <- seq_len(nrow(m))
  lines <- c(paste(c(first, colnames(m)), collapse = "\t"),
             apply(cbind(rn, body), 1, paste, collapse = "\t"))
  writeLines(lines, path)
}

write_case <- function(name, y, design, block, coefs) {
  dir <- file.path(out_root, name)
  dir.create(dir, showWarnings = FALSE)
  rownames(y) <- sprintf("A%03d", seq_len(nrow(y)))
  colnames(y) <- sprintf("s%02d", seq_len(ncol(y)))
  write_matrix(y, file.path(dir, "expr.tsv"), "assay", fmt15)
  write_matrix(design, file.path(dir, "design.tsv"), "sample")
  write_matrix(cbind(block = block), file.path(dir, "block.tsv"), "sample", fmt15)

  dc <- duplicateCorrelation(y, design, block = block)
  write_matrix(cbind(atanh.correlations = dc$atanh.correlations),
               file.path(dir, "dupcor.tsv"), "index")
  write_matrix(cbind(consensus.correlation = dc$consensus.correlation),
               file.path(dir, "consensus.tsv"), "index")

  fit <- lmFit(y, design, block = block, correlation = dc$consensus.correlation)
  cn <- colnames(design)
  coefs_m <- fit$coefficients; colnames(coefs_m) <- paste0("coef_", cn)
  stdev_m <- fit$stdev.unscaled; colnames(stdev_m) <- paste0("stdev_", cn)
  m <- cbind(coefs_m, stdev_m, sigma = fit$sigma, df.residual = fit$df.residual,
             Amean = fit$Amean)
  rownames(m) <- seq_len(nrow(m))
  write_matrix(m, file.path(dir, "fit.tsv"), "index")

  eb <- eBayes(fit)
  for (coef in coefs) {
    tt <- topTable(eb, coef = coef, number = Inf, sort.by = "none", confint = TRUE)
    tt$df.total <- eb$df.total
    m <- as.matrix(tt)
    rownames(m) <- seq_len(nrow(m))
    write_matrix(m, file.path(dir, paste0("toptable_", coef, ".tsv")), "index")
  }
  cat(name, ": consensus.correlation =", sprintf("%.17g", dc$consensus.correlation),
      ", NA atanh:", sum(is.na(dc$atanh.correlations)), "\n")
}

set.seed(20261127)

# 15 subjects, visits V1..V3, five subjects miss one visit: 40 samples. Samples
# are ordered by visit, then subject, so blocks interleave (R's Cholesky of the
# correlation matrix is then not block-diagonal in sample order).
ns <- 15
grid <- expand.grid(subject = 1:ns, visit = 1:3)
drop <- c(which(grid$subject == 2 & grid$visit == 3),
          which(grid$subject == 5 & grid$visit == 2),
          which(grid$subject == 9 & grid$visit == 3),
          which(grid$subject == 11 & grid$visit == 1),
          which(grid$subject == 14 & grid$visit == 3))
grid <- grid[-drop, ]
n <- nrow(grid)
stopifnot(n == 40)
block <- grid$subject
treatment <- factor(ifelse(grid$subject %% 2 == 0, "drug", "placebo"),
                    levels = c("placebo", "drug"))
visit <- factor(paste0("V", grid$visit))
age <- round(runif(ns, 30, 70))[grid$subject]     # subject-level covariate
crp <- round(rnorm(n, 0, 1), 2)                    # sample-level covariate

n_assays <- 300
mu <- rnorm(n_assays, 5, 1.5)
sd_e <- 0.4 * sqrt(rchisq(n_assays, 6) / 6)
sd_b <- sd_e * runif(n_assays, 0, 1.6)             # per-assay block SD
b <- matrix(rnorm(n_assays * ns), n_assays)[, block] * sd_b
eff_t <- ifelse(runif(n_assays) < 0.2, rnorm(n_assays, 0, 0.8), 0)
eff_v <- ifelse(runif(n_assays) < 0.2, rnorm(n_assays, 0, 0.5), 0)
eff_c <- rnorm(n_assays, 0, 0.05)
y <- mu + b + outer(eff_t, as.numeric(treatment == "drug")) +
  outer(eff_v, as.numeric(visit == "V3")) + outer(eff_c, crp) +
  matrix(rnorm(n_assays * n), n_assays) * sd_e
y[1, ] <- y[1, ] + 3 * as.numeric(treatment == "drug")  # a strong effect
# Assay 2: block variance dominates (correlation clamped at 0.99).
y[2, ] <- 5 + rnorm(ns, 0, 2)[block] + rnorm(n, 0, 0.001)
# Assay 3: no block variance at all, residuals anti-correlated within block
# (negative correlation, possibly clamped at the lower limit).
y[3, ] <- 5 + rnorm(n, 0, 0.5) - 0.6 * ave(rnorm(n, 0, 0.5), block)
# Assay 4: one subject constant across its visits.
y[4, block == 7] <- 6.25
y <- round(y, 4)
# Missing values: scattered in 12 assays, one assay mostly missing (too few
# observations: NA correlation), one assay missing a whole subject.
for (i in 10:21) y[i, sample(n, sample(1:3, 1))] <- NA
y[30, -(1:6)] <- NA
y[31, block == 3] <- NA
# Two assays share one missingness pattern.
y[40, c(2, 17)] <- NA
y[41, c(2, 17)] <- NA

design <- model.matrix(~ treatment + visit + crp + age)
write_case("a_visits", y, design, block, c("treatmentdrug", "visitV3", "crp"))

# (b) rank-deficient design: an extra column aliased with the visit columns.
design_b <- cbind(design, visitAny = design[, "visitV2"] + design[, "visitV3"])
write_case("b_rank_deficient", y, design_b, block, c("treatmentdrug", "visitV3"))

# (c) complete data (gls.series' shared-Cholesky path), blocks of 1 to 4
# samples with unsorted labels in shuffled order, a between-subject group and a
# sample-level covariate; assay 2 has negatively correlated blocks (clamped at
# the lower limit), assay 3 is within-block noise only.
set.seed(20261128)
sizes <- c(1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 2, 3)
labels <- c(101, 7, 55, 23, 9, 64, 12, 88, 31, 46, 5, 77, 18)
block <- rep(labels, times = sizes)[sample(sum(sizes))]
n <- length(block)
group <- factor(ifelse(block %in% labels[c(TRUE, FALSE)], "case", "ctrl"),
                levels = c("ctrl", "case"))
bmi <- round(rnorm(n, 25, 4), 1)
n_assays <- 200
sd_e <- 0.5 * sqrt(rchisq(n_assays, 6) / 6)
sd_b <- sd_e * runif(n_assays, 0, 2)
bl <- match(block, labels)
y <- rnorm(n_assays, 6, 1) + matrix(rnorm(n_assays * length(labels)), n_assays)[, bl] * sd_b +
  outer(ifelse(runif(n_assays) < 0.25, rnorm(n_assays, 0, 1), 0), as.numeric(group == "case")) +
  outer(rnorm(n_assays, 0, 0.02), bmi - 25) +
  matrix(rnorm(n_assays * n), n_assays) * sd_e
e <- rnorm(n, 0, 0.5)
y[2, ] <- 6 + e - 0.9 * ave(e, block)
y[3, ] <- 6 + rnorm(n, 0, 0.3)
y <- round(y, 4)
design <- model.matrix(~ group + bmi)
write_case("c_complete", y, design, block, c("groupcase", "bmi"))

# (d) two blocks only: Q2'Z has one non-zero singular value, so statmod skips
# the gamma GLM and returns the least-squares variance components.
set.seed(20261129)
block <- c(2, 1, 2, 1, 1, 2, 2, 1, 2)
x <- round(rnorm(9), 2)
y <- 5 + matrix(rnorm(30 * 2), 30)[, block] * 0.6 + outer(rnorm(30, 0, 0.5), x) +
  matrix(rnorm(30 * 9), 30) * 0.4
y <- round(y, 4)
y[5, 3] <- NA
y[6, c(1, 4)] <- NA
design <- model.matrix(~ x)
write_case("d_two_blocks", y, design, block, "x")

if ("--timing" %in% commandArgs(trailingOnly = TRUE)) {
  set.seed(1)
  ns <- 100
  block <- rep(1:ns, each = 3)
  n <- length(block)
  visit <- factor(rep(1:3, times = ns))
  grp <- factor(rep(rep(c("a", "b"), length.out = ns), each = 3))
  design <- model.matrix(~ grp + visit)
  g <- 2000
  y <- 5 + matrix(rnorm(g * ns, 0, 0.5), g)[, block] + matrix(rnorm(g * n), g)
  tm <- system.time(dc <- duplicateCorrelation(y, design, block = block))
  cat("duplicateCorrelation 2000 x 300:", tm[["elapsed"]], "s elapsed; consensus",
      sprintf("%.17g", dc$consensus.correlation), "\n")
}
