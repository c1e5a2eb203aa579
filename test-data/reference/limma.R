# Reference outputs of limma for the parity tests of crates/npxkit-limma.
#
# Run from the project root:
#     Rscript test-data/reference/limma.R
# Made with R 4.2.2 (Debian 12 r-base-core 4.2.2) and limma 3.54.1
# (r-bioc-limma), splines from base R, statmod 1.5.0 (r-cran-statmod, needed
# by eBayes(robust = TRUE)).
#
# Writes one folder per case under test-data/reference/limma/:
#   expr.tsv       assays x samples (first column `assay`), NA = missing
#   design.tsv     the design matrix as model.matrix made it, R's column names
#   contrasts.tsv  the contrast matrix (rows = coefficients), when used
#   toptable_<coef>.tsv  topTable(fit, coef, number = Inf, sort.by = "none",
#                  confint = TRUE) plus df.total, in input order
#   prior.tsv      s2.prior and df.prior per assay (recycled when scalar)
# Numbers are written with sprintf("%.17g"); expression values are rounded to
# 4 decimals (like NPX) and written with "%.15g", which reads back exactly.

suppressPackageStartupMessages(library(limma))
stopifnot(packageVersion("limma") == "3.54.1")

out_root <- file.path("test-data", "reference", "limma")
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

write_case <- function(name, y, design, fit_eb, coefs, contrasts = NULL) {
  dir <- file.path(out_root, name)
  dir.create(dir, showWarnings = FALSE)
  rownames(y) <- sprintf("A%03d", seq_len(nrow(y)))
  colnames(y) <- sprintf("s%02d", seq_len(ncol(y)))
  write_matrix(y, file.path(dir, "expr.tsv"), "assay", fmt15)
  write_matrix(design, file.path(dir, "design.tsv"), "sample")
  if (!is.null(contrasts)) write_matrix(contrasts, file.path(dir, "contrasts.tsv"), "coefficient")
  for (coef in coefs) {
    tt <- topTable(fit_eb, coef = coef, number = Inf, sort.by = "none", confint = TRUE)
    tt$df.total <- fit_eb$df.total
    m <- as.matrix(tt)
    rownames(m) <- seq_len(nrow(m))
    write_matrix(m, file.path(dir, paste0("toptable_", coef, ".tsv")), "index")
  }
  n <- nrow(y)
  prior <- cbind(s2.prior = rep_len(fit_eb$s2.prior, n), df.prior = rep_len(fit_eb$df.prior, n))
  write_matrix(prior, file.path(dir, "prior.tsv"), "index")
}

# NPX-like assays: means ~ N(5, 1.5), per-assay residual SDs, a few real effects.
simulate <- function(n_assays, n_samples, sd_scale = 0.5, sd_df = 6) {
  mu <- rnorm(n_assays, 5, 1.5)
  sds <- sd_scale * sqrt(rchisq(n_assays, sd_df) / sd_df)
  list(mu = mu, sds = sds,
       noise = matrix(rnorm(n_assays * n_samples), n_assays) * sds)
}
effects <- function(n_assays, frac = 0.15, size = 1) {
  e <- ifelse(runif(n_assays) < frac, rnorm(n_assays, 0, size), 0)
  e[1] <- 6  # one very strong effect: p-values far in the tail
  e
}

set.seed(20240501)

# (a) paired design ~ subject + time, 0.5% scattered missing values.
ns <- 12
subject <- factor(rep(sprintf("S%02d", 1:ns), times = 2))
time <- factor(rep(c("pre", "post"), each = ns), levels = c("pre", "post"))
s <- simulate(240, 2 * ns)
s$noise[1, ] <- s$noise[1, ] / 20
subj <- matrix(rnorm(240 * ns, 0, 0.6), 240)[, as.integer(subject)]
y <- s$mu + subj + outer(effects(240), as.numeric(time == "post")) + s$noise
y <- round(y, 4)
y[sample(length(y), round(0.005 * length(y)))] <- NA
design <- model.matrix(~ subject + time)
eb <- eBayes(lmFit(y, design))
write_case("a_paired_missing", y, design, eb, "timepost")

# (b) two unpaired groups with a numeric (age) and a categorical (sex) covariate, via contrasts.fit.
n <- 20
group <- factor(rep(c("A", "B"), each = n / 2))
age <- round(runif(n, 30, 70))
sex <- factor(sample(c("F", "M"), n, replace = TRUE))
s <- simulate(220, n)
y <- s$mu + outer(effects(220), as.numeric(group == "B")) + outer(rnorm(220, 0, 0.01), age - 50) +
  outer(rnorm(220, 0, 0.3), as.numeric(sex == "M")) + s$noise
y <- round(y, 4)
design <- model.matrix(~ 0 + group + age + sex)
contr <- makeContrasts(BvsA = groupB - groupA, levels = design)
eb <- eBayes(contrasts.fit(lmFit(y, design), contr))
write_case("b_covariates_contrast", y, design, eb, "BvsA", contr)

# (c) trend = TRUE: residual SD falls with average expression.
group <- factor(rep(c("ctrl", "case"), each = 8), levels = c("ctrl", "case"))
mu <- rnorm(260, 5, 1.5)
sds <- (0.15 + 0.9 * exp(-(mu - 2) / 1.5)) * sqrt(rchisq(260, 8) / 8)
y <- mu + outer(effects(260), as.numeric(group == "case")) + matrix(rnorm(260 * 16), 260) * sds
y <- round(y, 4)
design <- model.matrix(~ group)
eb <- eBayes(lmFit(y, design), trend = TRUE)
write_case("c_trend", y, design, eb, "groupcase")

# (d) robust = TRUE: a handful of hypervariable assays.
s <- simulate(250, 16)
s$noise[2:9, ] <- s$noise[2:9, ] * 6
s$noise[10, ] <- s$noise[10, ] * 0.05  # small but not quantised away by rounding
y <- round(s$mu + outer(effects(250), as.numeric(group == "case")) + s$noise, 4)
eb <- eBayes(lmFit(y, design), robust = TRUE)
write_case("d_robust", y, design, eb, "groupcase")

# (e) an assay with zero variance and one with all values equal within groups.
s <- simulate(200, 16)
y <- round(s$mu + outer(effects(200), as.numeric(group == "case")) + s$noise, 4)
y[2, ] <- 5
y[3, ] <- ifelse(group == "case", 6.5, 4.25)
eb <- eBayes(lmFit(y, design))
write_case("e_zero_variance", y, design, eb, "groupcase")

# (f) a rank-deficient design: batch is aliased with group.
batch <- factor(ifelse(group == "case", "b2", "b1"))
design_f <- model.matrix(~ group + batch)
s <- simulate(200, 16)
y <- round(s$mu + outer(effects(200), as.numeric(group == "case")) + s$noise, 4)
eb <- eBayes(lmFit(y, design_f))
write_case("f_rank_deficient", y, design_f, eb, "groupcase")

# (g) treat with lfc = 0.5.
s <- simulate(220, 16)
y <- round(s$mu + outer(effects(220, 0.3, 1), as.numeric(group == "case")) + s$noise, 4)
tr <- treat(lmFit(y, design), lfc = 0.5)
write_case("g_treat", y, design, tr, "groupcase")

# (h) three groups, two contrasts at once.
g3 <- factor(rep(c("A", "B", "C"), times = c(6, 6, 7)))
design_h <- model.matrix(~ 0 + g3)
colnames(design_h) <- levels(g3)
s <- simulate(230, length(g3))
y <- round(s$mu + outer(effects(230), as.numeric(g3 == "B")) +
  outer(effects(230), as.numeric(g3 == "C")) + s$noise, 4)
contr_h <- makeContrasts(BvsA = B - A, CvsA = C - A, levels = design_h)
eb <- eBayes(contrasts.fit(lmFit(y, design_h), contr_h))
write_case("h_two_contrasts", y, design_h, eb, c("BvsA", "CvsA"), contr_h)

# (i) robust = TRUE with missing values: unequal residual df are mapped onto the largest.
s <- simulate(210, 16)
s$noise[2:7, ] <- s$noise[2:7, ] * 5
y <- round(s$mu + outer(effects(210), as.numeric(group == "case")) + s$noise, 4)
y[sample(length(y), round(0.01 * length(y)))] <- NA
eb <- eBayes(lmFit(y, design), robust = TRUE)
write_case("i_robust_missing", y, design, eb, "groupcase")

# (j) trend = TRUE with robust = TRUE: the SD trend of (c) plus hypervariable assays.
# limma fits the robust trend with loessFit(log s2, Amean, span = 0.4), i.e. R's lowess.
# Assay 11 repeats assay 12 with the groups swapped: the same Amean, a tie in the trend.
mu <- rnorm(300, 5, 1.5)
sds <- (0.15 + 0.9 * exp(-(mu - 2) / 1.5)) * sqrt(rchisq(300, 8) / 8)
sds[2:9] <- sds[2:9] * 5
y <- mu + outer(effects(300), as.numeric(group == "case")) + matrix(rnorm(300 * 16), 300) * sds
y <- round(y, 4)
y[11, ] <- y[12, c(9:16, 1:8)]
eb <- eBayes(lmFit(y, design), trend = TRUE, robust = TRUE)
write_case("j_trend_robust", y, design, eb, "groupcase")

# (k) as (j) with 1% missing values (unequal residual df) and one assay observed once
# per group (no residual df): its prior is interpolated in Amean from the others.
mu <- rnorm(280, 5, 1.5)
sds <- (0.15 + 0.9 * exp(-(mu - 2) / 1.5)) * sqrt(rchisq(280, 8) / 8)
sds[2:7] <- sds[2:7] * 5
y <- mu + outer(effects(280), as.numeric(group == "case")) + matrix(rnorm(280 * 16), 280) * sds
y <- round(y, 4)
y[sample(length(y), round(0.01 * length(y)))] <- NA
y[8, -c(1, 16)] <- NA
eb <- eBayes(lmFit(y, design), trend = TRUE, robust = TRUE)
write_case("k_trend_robust_missing", y, design, eb, "groupcase")

# Special functions and t tails for the unit tests.
x <- c(0.05, 0.5, 1, 1.5, 2.75, 7, 19.9, 20.1, 123.4, 1e5)
sf <- cbind(x = x, digamma = digamma(x), trigamma = trigamma(x),
            tetragamma = psigamma(x, 2), trigamma_inverse = trigammaInverse(x))
write_matrix(sf, file.path(out_root, "special.tsv"), "i")
tt <- expand.grid(t = c(0.5, 3, 12, 40, 1e3, 1e8), df = c(1.5, 4, 17.3, 60, 3e3, 5e5, Inf))
tt$upper <- pt(tt$t, tt$df, lower.tail = FALSE)
tt$log_upper <- pt(tt$t, tt$df, lower.tail = FALSE, log.p = TRUE)
tt$two_sided <- 2 * pt(-abs(tt$t), tt$df)
write_matrix(as.matrix(tt), file.path(out_root, "t_tails.tsv"), "i")
qq <- expand.grid(p = c(1e-100, 1e-30, 1e-5, 0.025, 0.3, 0.975), df = c(1.5, 4, 17.3, 60, 3e3, 5e5, Inf))
qq$qt_upper <- qt(qq$p, qq$df, lower.tail = FALSE)
write_matrix(as.matrix(qq), file.path(out_root, "t_quantiles.tsv"), "i")
