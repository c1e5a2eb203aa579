# Reference outputs of GSVA for the parity tests of crates/npxkit-gsva.
#
# Run from the project root:
#     Rscript test-data/reference/gsva.R
# Made with R 4.2.2 (Debian 12 r-base-core) and GSVA 1.46.0 (r-bioc-gsva).
#
# Writes test-data/reference/gsva/:
#   expr.tsv        300 genes x 24 samples of NPX-like log2 values (first
#                   column `gene`); G299 is constant and G300 varies by ~1e-12,
#                   so GSVA drops both for every method but ssgsea
#   counts.tsv      integer counts, same genes and samples (G299 constant),
#                   for kcdf = "Poisson"
#   sets.gmt        16 gene sets, GMT-like: name, description, gene names.
#                   Set `S16_unmapped` names a gene absent from the matrix and
#                   the constant G299: GSVA maps and filters them away
#   <case>.tsv      scores, sets x samples (first column `set`), one file per
#                   case (see `cases` below)
#   gsva_gaussian_exact_bruteforce.tsv
#                   GSVA's algorithm written out in plain R below (not GSVA's
#                   code), with the exact normal CDF `pnorm()` in place of
#                   GSVA's truncated lookup table: the reference of
#                   npxkit-gsva's `KcdfMode::Exact`
# Numbers are written with sprintf("%.17g"), which reads back exactly.

suppressPackageStartupMessages(library(GSVA))
stopifnot(packageVersion("GSVA") == "1.46.0")

out_dir <- file.path("test-data", "reference", "gsva")
dir.create(out_dir, showWarnings = FALSE, recursive = TRUE)

fmt17 <- function(x) ifelse(is.na(x), "NA", sprintf("%.17g", x))

write_matrix <- function(m, path, first) {
  body <- apply(m, 2, fmt17)
  if (is.null(dim(body))) body <- matrix(body, nrow = nrow(m))
  lines <- c(paste(c(first, colnames(m)), collapse = "\t"),
             apply(cbind(rownames(m), body), 1, paste, collapse = "\t"))
  writeLines(lines, path)
}

# Inputs ----------------------------------------------------------------------
set.seed(20261127)
n_genes <- 300
n_samples <- 24
genes <- sprintf("G%03d", seq_len(n_genes))
samples <- sprintf("S%02d_%s", seq_len(n_samples),
                   rep(c("C1D1", "C2D1"), each = n_samples / 2))
group <- rep(0:1, each = n_samples / 2)

# NPX-like: gene level 2..10, sd 0.3..1.5, a shared sample factor, genes 1-40
# up and 41-70 down in the second group; rounded to 2 decimals so that genes
# tie within a sample (exercises the ties handling of ssgsea and kcdf none).
level <- runif(n_genes, 2, 10)
spread <- runif(n_genes, 0.3, 1.5)
factor_s <- rnorm(n_samples, 0, 0.4)
loading <- runif(n_genes, -1, 1)
effect <- c(rep(1.0, 40), rep(-0.7, 30), rep(0, n_genes - 70))
expr <- level + spread * matrix(rnorm(n_genes * n_samples), n_genes) +
  outer(loading, factor_s) + outer(effect, group)
expr <- round(expr, 2)
expr[299, ] <- 5
expr[300, ] <- 5 + 1e-12 * seq_len(n_samples)
dimnames(expr) <- list(genes, samples)

lambda <- exp(runif(n_genes, log(5), log(300))) *
  exp(outer(c(rep(0.8, 40), rep(-0.6, 30), rep(0, n_genes - 70)), group))
counts <- matrix(rpois(n_genes * n_samples, lambda), n_genes)
counts[299, ] <- 7
dimnames(counts) <- list(genes, samples)
storage.mode(counts) <- "integer"

sizes <- c(5, 6, 8, 10, 12, 15, 18, 20, 24, 28, 32, 36, 40, 48, 60)
sets <- lapply(seq_along(sizes), function(i) {
  k <- sizes[i]
  # odd sets draw half their genes from the changed block, even sets at random
  if (i %% 2 == 1) {
    sig <- sample(1:70, ceiling(k / 2))
    sort(c(sig, sample(setdiff(71:298, sig), k - length(sig))))
  } else {
    sort(sample(1:298, k))
  }
})
names(sets) <- sprintf("S%02d_size%d", seq_along(sizes), sizes)
sets <- lapply(sets, function(ix) genes[ix])
sets[["S16_unmapped"]] <- c(genes[c(3, 50, 77, 120, 181, 240, 299)], "NOTAGENE")

write_matrix(expr, file.path(out_dir, "expr.tsv"), "gene")
write_matrix(counts, file.path(out_dir, "counts.tsv"), "gene")
writeLines(vapply(names(sets), function(s)
  paste(c(s, "na", sets[[s]]), collapse = "\t"), ""),
  file.path(out_dir, "sets.gmt"))

# GSVA cases ------------------------------------------------------------------
run <- function(x, ...) {
  suppressWarnings(gsva(x, sets, verbose = FALSE, ...))
}
# ssgsea() print()s progress whatever `verbose` says
capture_quietly <- function(expr) {
  out <- NULL
  invisible(capture.output(out <- expr))
  out
}
cases <- list(
  gsva_gaussian = function() run(expr),
  gsva_poisson = function() run(counts, kcdf = "Poisson"),
  gsva_none = function() run(expr, kcdf = "none"),
  gsva_max_dev = function() run(expr, mx.diff = FALSE),
  gsva_tau_0.5 = function() run(expr, tau = 0.5),
  gsva_abs_ranking = function() run(expr, abs.ranking = TRUE),
  ssgsea = function() capture_quietly(run(expr, method = "ssgsea")),
  ssgsea_unnormalized = function()
    capture_quietly(run(expr, method = "ssgsea", ssgsea.norm = FALSE)),
  zscore = function() run(expr, method = "zscore"),
  plage = function() run(expr, method = "plage")
)
for (case in names(cases)) {
  m <- cases[[case]]()
  stopifnot(identical(rownames(m), names(sets)), !anyNA(m))
  write_matrix(m, file.path(out_dir, paste0(case, ".tsv")), "set")
}

# Exact-CDF brute force (plain R, not GSVA's code) ----------------------------
# Same filtering and set mapping as gsva(); kernel CDF with pnorm() and
# bandwidth sd/4; genes ranked by decreasing logit CDF (ties in input order),
# symmetric rank score |p - i + 1 - p/2|; random walk with tau = 1, mx.diff.
bruteforce_exact <- function(x, sets) {
  x <- x[apply(x, 1, sd) >= 1e-10, , drop = FALSE]
  idx <- lapply(sets, function(s) {
    m <- match(s, rownames(x))
    m[!is.na(m)]
  })
  p <- nrow(x)
  cdf <- t(apply(x, 1, function(g) {
    bw <- sd(g) / 4
    vapply(g, function(y) mean(pnorm((y - g) / bw)), 0)
  }))
  stat <- -log((1 - cdf) / cdf)
  es <- matrix(NA_real_, length(idx), ncol(x),
               dimnames = list(names(sets), colnames(x)))
  for (j in seq_len(ncol(x))) {
    ord <- order(stat[, j], decreasing = TRUE)
    r <- numeric(p)
    r[ord] <- abs(seq(p, 1) - p / 2)
    for (s in seq_along(idx)) {
      member <- seq_len(p) %in% idx[[s]]
      step <- ifelse(member[ord], r[ord] / sum(r[idx[[s]]]),
                     -1 / (p - length(idx[[s]])))
      walk <- cumsum(step)
      es[s, j] <- max(0, max(walk)) + min(0, min(walk))
    }
  }
  es
}
write_matrix(bruteforce_exact(expr, sets),
             file.path(out_dir, "gsva_gaussian_exact_bruteforce.tsv"), "set")

cat("wrote", length(list.files(out_dir)), "files to", out_dir, "\n")
