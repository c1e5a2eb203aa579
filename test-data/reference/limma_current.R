# Reference outputs of limma >= 3.62's eBayes(legacy = NULL) ("current"):
# fitFDistUnequalDF1 when the residual df differ, for
# crates/npxkit-limma/tests/ebayes_current.rs.
#
# Run from the project root, with LIMMA_SRC pointing at the R/ folder of a checkout of
# bioc/limma at commit 39aac521872107bf372f732e57afea54e0bcdd03 (limma 3.63.2,
# 2024-11-10; e.g. `git clone https://github.com/bioc/limma && git -C limma checkout
# 39aac52`; limma's code is not copied into this project):
#     LIMMA_SRC=/path/to/limma/R Rscript test-data/reference/limma_current.R
# Made with R 4.2.2 (Debian 12 r-base-core 4.2.2), limma 3.54.1 and statmod
# 1.5.0. The newer files R/fitFDistUnequalDF1.R, R/squeezeVar.R, R/ebayes.R,
# R/fitFDist.R and R/fitFDistRobustly.R are sourced into an environment whose parent
# is the installed limma namespace, with statmod's logmdigamma and gauss.quad.prob
# assigned into it.
#
# Writes under test-data/reference/limma_current/:
#   expr.tsv, design.tsv   the data (NA = missing) and model.matrix(~ group)
#   expr_full.tsv          the same data before the NA were put in
#   <case>/fit.tsv   per assay (input order): df.residual, df.prior, s2.prior,
#                    s2.post, df.total, and for each coefficient <c>:
#                    t_<c>, p_<c>, B_<c>
# Cases (all eBayes(fit, legacy = NULL) of the newer code):
#   a_plain, b_robust, c_trend, d_trend_robust on the data with NA (unequal df)
#   e_equal_plain, f_equal_robust on the complete data (equal df: legacy path)
#   g_big_trend, h_big_trend_robust on expr_big.tsv (1200 assays with NA:
#                    lowess span < 1 in the trend)
# Numbers are written with sprintf("%.17g").

suppressPackageStartupMessages(library(limma))
stopifnot(packageVersion("limma") == "3.54.1")
stopifnot(packageVersion("statmod") == "1.5.0")

out_root <- file.path("test-data", "reference", "limma_current")
new_env <- new.env(parent = asNamespace("limma"))
assign("logmdigamma", statmod::logmdigamma, envir = new_env)
assign("gauss.quad.prob", statmod::gauss.quad.prob, envir = new_env)
limma_src <- Sys.getenv("LIMMA_SRC")
if (!nzchar(limma_src)) stop("set LIMMA_SRC to the R/ folder of a bioc/limma checkout at 39aac52")
for (f in c("fitFDist", "fitFDistRobustly", "fitFDistUnequalDF1", "squeezeVar", "ebayes"))
  sys.source(file.path(limma_src, paste0(f, ".R")), envir = new_env)

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

set.seed(3620)
n_assay <- 400
group <- factor(rep(c("A", "B", "C"), each = 8))
design <- model.matrix(~ group)
sd_a <- sqrt(0.25 * 15 / rchisq(n_assay, df = 15))
base <- rnorm(n_assay, mean = 6, sd = 2)
y <- base + matrix(rnorm(n_assay * 24), n_assay, 24) * sd_a * exp(-0.1 * (base - 6))
y[1:25, group == "B"] <- y[1:25, group == "B"] + 1
y[15:40, group == "C"] <- y[15:40, group == "C"] - 1.5
y[386:400, ] <- y[386:400, ] + matrix(rnorm(360, sd = 3), 15, 24)   # hypervariable
y <- round(y, 4)
y_full <- y
# Unequal residual df: up to 6 missing values in a third of the assays.
for (i in sample(n_assay, 140)) y[i, sample(24, sample(1:6, 1))] <- NA
rownames(y) <- rownames(y_full) <- sprintf("A%03d", seq_len(n_assay))
colnames(y) <- colnames(y_full) <- sprintf("s%02d", 1:24)
write_matrix(y, file.path(out_root, "expr.tsv"), "assay", fmt15)
write_matrix(y_full, file.path(out_root, "expr_full.tsv"), "assay", fmt15)
write_matrix(design, file.path(out_root, "design.tsv"), "sample")

write_case <- function(name, y, ...) {
  dir <- file.path(out_root, name)
  dir.create(dir, showWarnings = FALSE)
  eb <- new_env$eBayes(lmFit(y, design), legacy = NULL, ...)
  n <- nrow(y)
  m <- cbind(df.residual = eb$df.residual, df.prior = rep_len(eb$df.prior, n),
             s2.prior = rep_len(eb$s2.prior, n), s2.post = eb$s2.post,
             df.total = eb$df.total)
  for (c in colnames(design)) {
    m <- cbind(m, eb$t[, c], eb$p.value[, c], eb$lods[, c])
    colnames(m)[ncol(m) - 2:0] <- paste0(c("t_", "p_", "B_"), make.names(c))
  }
  rownames(m) <- rownames(y)
  write_matrix(m, file.path(dir, "fit.tsv"), "assay")
}

write_case("a_plain", y)
write_case("b_robust", y, robust = TRUE)
write_case("c_trend", y, trend = TRUE)
write_case("d_trend_robust", y, trend = TRUE, robust = TRUE)
write_case("e_equal_plain", y_full)
write_case("f_equal_robust", y_full, robust = TRUE)

# A larger study so that the lowess trend of fitFDistUnequalDF1 has span < 1
# (chooseLowessSpan(1200, small.n = 500) = 0.797) and 200 seed points.
set.seed(3621)
n_big <- 1200
sd_b <- sqrt(0.25 * 15 / rchisq(n_big, df = 15))
base_b <- rnorm(n_big, mean = 6, sd = 2)
y_big <- base_b + matrix(rnorm(n_big * 24), n_big, 24) * sd_b * exp(-0.2 * (base_b - 6))
y_big[1:60, group == "B"] <- y_big[1:60, group == "B"] + 1
y_big[1181:1200, ] <- y_big[1181:1200, ] + matrix(rnorm(480, sd = 3), 20, 24)
y_big <- round(y_big, 4)
for (i in sample(n_big, 500)) y_big[i, sample(24, sample(1:6, 1))] <- NA
rownames(y_big) <- sprintf("A%04d", seq_len(n_big))
colnames(y_big) <- sprintf("s%02d", 1:24)
write_matrix(y_big, file.path(out_root, "expr_big.tsv"), "assay", fmt15)
write_case("g_big_trend", y_big, trend = TRUE)
write_case("h_big_trend_robust", y_big, trend = TRUE, robust = TRUE)
cat("wrote", out_root, "\n")
