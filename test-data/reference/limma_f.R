# Reference outputs of limma's moderated F (eBayes's F / F.p.value,
# classifyTestsF(fstat.only = TRUE), topTable(coef = several) = .topTableF)
# for crates/npxkit-limma/tests/moderated_f.rs.
#
# Run from the project root:
#     Rscript test-data/reference/limma_f.R
# Made with R 4.2.2 (Debian 12 r-base-core 4.2.2) and limma 3.54.1.
#
# Study: 300 assays x 3 visits (V1, V2, V3) x 12 subjects, deterministic
# values with NaN, paired design ~ subject + visit. Writes under
# test-data/reference/limma_f/:
#   expr.tsv     assays x samples (first column `assay`), NA = missing
#   design.tsv   model.matrix(~ subject + visit)
#   contrasts.tsv  contrast matrix (V2 - V1, V3 - V2) over the design columns
#   <case>/fit.tsv  per assay in input order: df.prior, s2.prior, df.residual,
#                F, F.p.value (eBayes's, over all coefficients of the fit
#                that is moderated), and the table columns
#   <case>/top.tsv  topTable(eb, coef = <the two visit columns>, number = Inf,
#                adjust.method = "BH") in its order: index (1-based), logFC
#                columns, AveExpr, F, P.Value, adj.P.Val
# Cases:
#   a_coef        eBayes(lmFit) then topTable(coef = c("visitV2","visitV3")):
#                 the subset rule of `[.MArrayLM` (fit.tsv F is over all coefs)
#   b_contrasts   contrasts.fit(V2-V1, V3-V2), eBayes, topTable(coef = 1:2)
#   c_contr_trend as b with trend = TRUE
#   d_contr_robust as b with robust = TRUE
#   e_contr_trend_robust as b with trend = TRUE, robust = TRUE
# Numbers are written with sprintf("%.17g"); expression values with "%.15g"
# after rounding to 4 decimals.

suppressPackageStartupMessages(library(limma))
stopifnot(packageVersion("limma") == "3.54.1")

out_root <- file.path("test-data", "reference", "limma_f")
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

set.seed(20261127)
n_assay <- 300; n_subj <- 12
subject <- factor(rep(sprintf("S%02d", 1:n_subj), times = 3))
visit <- factor(rep(c("V1", "V2", "V3"), each = n_subj))
design <- model.matrix(~ subject + visit)
ns <- ncol(design) + 0
subj_eff <- matrix(rnorm(n_assay * n_subj, sd = 0.7), n_assay, n_subj)
sd_a <- sqrt(0.2 * 6 / rchisq(n_assay, df = 6))
base <- rnorm(n_assay, mean = 5, sd = 2)
y <- matrix(0, n_assay, 3 * n_subj)
for (j in seq_len(3 * n_subj)) {
  y[, j] <- base + subj_eff[, as.integer(subject[j])] + rnorm(n_assay, sd = sd_a) +
    sd_a * 0.2 * (base - 5)
}
de2 <- 1:30; de3 <- 20:60
y[de2, visit == "V2"] <- y[de2, visit == "V2"] + 1.2
y[de3, visit == "V3"] <- y[de3, visit == "V3"] - 0.9
y[290:300, ] <- y[290:300, ] * 1 + matrix(rnorm(11 * 36, sd = 3), 11, 36)  # hypervariable
miss <- sample(length(y), 250)
y[miss] <- NA
y[5, visit == "V3"] <- NA           # a visit entirely missing: partial NA coefficients
y <- round(y, 4)
rownames(y) <- sprintf("A%03d", seq_len(n_assay))
colnames(y) <- sprintf("s%02d", seq_len(ncol(y)))
write_matrix(y, file.path(out_root, "expr.tsv"), "assay", fmt15)
write_matrix(design, file.path(out_root, "design.tsv"), "sample")
cm <- makeContrasts(V2mV1 = visitV2, V3mV2 = visitV3 - visitV2,
                    levels = make.names(colnames(design)))
rownames(cm) <- colnames(design)
write_matrix(cm, file.path(out_root, "contrasts.tsv"), "coef")

fit <- lmFit(y, design)
cfit <- contrasts.fit(fit, cm)

write_case <- function(name, eb, coef) {
  dir <- file.path(out_root, name)
  dir.create(dir, showWarnings = FALSE)
  df_prior <- rep_len(eb$df.prior, nrow(eb))
  s2_prior <- rep_len(eb$s2.prior, nrow(eb))
  write_matrix(cbind(df.prior = df_prior, s2.prior = s2_prior,
                     df.residual = eb$df.residual, F = eb$F, F.p.value = eb$F.p.value),
               file.path(dir, "fit.tsv"), "assay")
  tt <- topTable(eb, coef = coef, number = Inf, adjust.method = "BH")
  idx <- match(rownames(tt), rownames(eb$coefficients))
  m <- cbind(index = idx, as.matrix(tt))
  rownames(m) <- rownames(tt)
  write_matrix(m, file.path(dir, "top.tsv"), "assay")
}

write_case("a_coef", eBayes(fit), c("visitV2", "visitV3"))
write_case("b_contrasts", eBayes(cfit), 1:2)
write_case("c_contr_trend", eBayes(cfit, trend = TRUE), 1:2)
write_case("d_contr_robust", eBayes(cfit, robust = TRUE), 1:2)
write_case("e_contr_trend_robust", eBayes(cfit, trend = TRUE, robust = TRUE), 1:2)
cat("wrote", out_root, "\n")
