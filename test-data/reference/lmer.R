# Reference outputs of per-assay linear mixed models as OlinkAnalyze's
# olink_lmer / olink_lmer_posthoc fit them (lme4 + lmerTest + emmeans), for
# crates/npxkit-lmm/tests/.
#
# Run from the project root:
#     Rscript test-data/reference/lmer.R            # writes the references
#     Rscript test-data/reference/lmer.R --timing   # also times R's loop over
#                                                   # 200 assays (prints only)
# Made with R 4.2.2, lme4 1.1.31, lmerTest 3.1.3, emmeans 1.8.4.1, numDeriv.
#
# The reference fits use a tight optimiser (bobyqa, rhoend = 1e-12) so they are
# the exact optimum of the (profiled) deviance; lme4's default control stops
# about 1e-6 short. `default_vs_tight.tsv` records, per case and assay, how far
# the default-control fit (what OlinkAnalyze runs) is from the tight one.
#
# One folder per case under test-data/reference/lmer/:
#   data.tsv      one row per sample: sample, subject, the covariates, then one
#                 column per assay (NA = missing); values rounded to 4 decimals
#   model.tsv     formula, REML
#   fixef.tsv     assay, coef, estimate, se
#   varcomp.tsv   assay, sigma, theta_<group> (lme4's relative theta, in the
#                 order of lme4's random-effect terms), logLik, deviance,
#                 singular (lme4::isSingular), nobs
#   varpar.tsv    assay, i, j, vcov_varpar[i, j] (lmerTest, varpar = (theta, sigma))
#   anova.tsv     assay, term, sumsq, meansq, NumDF, DenDF, F, p
#                 (anova(model, type = "III", ddf = "Satterthwaite"))
#   emm_<spec>_contrasts.tsv  assay, contrast, estimate, SE, df, t.ratio,
#                 p.value, lower.CL, upper.CL (pairwise, adjust = "tukey")
#   emm_<spec>_means.tsv      assay, level, emmean, SE, df, lower.CL, upper.CL
# with cov.reduce as OlinkAnalyze's single_posthoc (round(c(mean, mean + sd), 4))
# unless the spec name ends in `_mean` (emmeans' default cov.reduce = mean).
# e_singular/hessian_check.tsv: the deviance Hessian over theta at theta = 0
#   three ways (closed form, 5-point stencil, lmerTest's numDeriv).
# ptukey.tsv / qtukey.tsv: R's ptukey / qtukey on a grid.
# Cases: a/b paired 2 visits (ML/REML), c 3 visits unbalanced + age + sex,
# d time x arm, e singular (no subject variance), f/h subject + site random
# intercepts (ML/REML), g time x arm + age + sex by REML, i subject + site
# with no site variance (boundary in one component).
# Numbers are written with sprintf("%.17g").

suppressPackageStartupMessages({
  library(lme4)
  library(lmerTest)
  library(emmeans)
})

out_root <- file.path("test-data", "reference", "lmer")
dir.create(out_root, showWarnings = FALSE, recursive = TRUE)

fmt17 <- function(x) ifelse(is.na(x), "NA", sprintf("%.17g", x))
fmt15 <- function(x) ifelse(is.na(x), "NA", sprintf("%.15g", x))

write_df <- function(df, path) {
  cols <- lapply(df, function(col) if (is.numeric(col)) fmt17(col) else as.character(col))
  lines <- c(paste(names(df), collapse = "\t"),
             do.call(paste, c(cols, sep = "\t")))
  writeLines(lines, path)
}

tight <- lmerControl(optimizer = "bobyqa", optCtrl = list(rhoend = 1e-12, maxfun = 1e5),
                     check.conv.singular = "ignore", calc.derivs = FALSE)
# What OlinkAnalyze's single_lmer uses (lme4's default optimiser).
default <- lmerControl(check.conv.singular = "ignore")

olink_cov_reduce <- function(x) round(x = c(mean(x), mean(x) + stats::sd(x)), digits = 4L)

run_case <- function(name, data, assays, rhs, reml, specs) {
  dir <- file.path(out_root, name)
  dir.create(dir, showWarnings = FALSE)
  dd <- data
  for (a in assays) dd[[a]] <- fmt15(dd[[a]])
  write_df(dd, file.path(dir, "data.tsv"))
  write_df(data.frame(formula = paste("y ~", rhs), REML = reml), file.path(dir, "model.tsv"))
  fixef_rows <- list(); vc_rows <- list(); vp_rows <- list(); an_rows <- list()
  emm_c <- list(); emm_m <- list(); diff_rows <- list()
  for (a in assays) {
    d <- data
    d$y <- d[[a]]
    f <- as.formula(paste("y ~", rhs))
    m <- lmerTest::lmer(f, data = d, REML = reml, control = tight)
    m0 <- lmerTest::lmer(f, data = d, REML = reml, control = default)
    cf <- summary(m)$coefficients
    fixef_rows[[a]] <- data.frame(assay = a, coef = rownames(cf), estimate = cf[, "Estimate"],
                                  se = cf[, "Std. Error"])
    th <- getME(m, "theta")
    vc <- data.frame(assay = a, sigma = sigma(m))
    for (k in seq_along(th)) vc[[paste0("theta_", sub(".\\(Intercept\\)", "", names(th)[k]))]] <- th[[k]]
    vc$logLik <- as.numeric(logLik(m)); vc$deviance <- deviance(m, REML = reml)
    if (reml) vc$deviance <- as.numeric(-2 * logLik(m))
    vc$singular <- isSingular(m, tol = 1e-4); vc$nobs <- nobs(m)
    vc_rows[[a]] <- vc
    vv <- m@vcov_varpar
    vp_rows[[a]] <- data.frame(assay = a, i = rep(seq_len(nrow(vv)), ncol(vv)),
                               j = rep(seq_len(ncol(vv)), each = nrow(vv)), value = as.vector(vv))
    an <- anova(m, type = "III", ddf = "Satterthwaite")
    an_rows[[a]] <- data.frame(assay = a, term = rownames(an), sumsq = an[["Sum Sq"]],
                               meansq = an[["Mean Sq"]], NumDF = an$NumDF, DenDF = an$DenDF,
                               F = an[["F value"]], p = an[["Pr(>F)"]])
    an0 <- anova(m0, type = "III", ddf = "Satterthwaite")
    rel <- function(x, y) max(abs(x - y) / pmax(abs(y), 1e-300))
    diff_rows[[a]] <- data.frame(case = name, assay = a,
      fixef = rel(fixef(m0), fixef(m)), sigma = rel(sigma(m0), sigma(m)),
      theta_abs = max(abs(getME(m0, "theta") - getME(m, "theta"))),
      DenDF = rel(an0$DenDF, an$DenDF), F = rel(an0[["F value"]], an[["F value"]]),
      p = rel(an0[["Pr(>F)"]], an[["Pr(>F)"]]))
    for (s in names(specs)) {
      cr <- if (grepl("_mean$", s)) mean else olink_cov_reduce
      em <- emmeans::emmeans(m, specs = as.formula(specs[[s]]), cov.reduce = cr,
                             lmer.df = "satterthwaite", infer = c(TRUE, TRUE), adjust = "tukey")
      ct <- as.data.frame(summary(em$contrasts))
      emm_c[[s]][[a]] <- data.frame(assay = a, contrast = as.character(ct$contrast),
        estimate = ct$estimate, SE = ct$SE, df = ct$df, t.ratio = ct$t.ratio,
        p.value = ct$p.value, lower.CL = ct$lower.CL, upper.CL = ct$upper.CL)
      mm <- as.data.frame(summary(em$emmeans, infer = c(TRUE, FALSE), adjust = "none"))
      fac <- setdiff(names(mm), c("emmean", "SE", "df", "lower.CL", "upper.CL"))
      lev <- do.call(paste, c(lapply(fac, function(v) as.character(mm[[v]])), sep = " "))
      emm_m[[s]][[a]] <- data.frame(assay = a, level = lev, emmean = mm$emmean, SE = mm$SE,
        df = mm$df, lower.CL = mm$lower.CL, upper.CL = mm$upper.CL)
    }
  }
  write_df(do.call(rbind, fixef_rows), file.path(dir, "fixef.tsv"))
  write_df(do.call(rbind, vc_rows), file.path(dir, "varcomp.tsv"))
  write_df(do.call(rbind, vp_rows), file.path(dir, "varpar.tsv"))
  write_df(do.call(rbind, an_rows), file.path(dir, "anova.tsv"))
  for (s in names(specs)) {
    write_df(do.call(rbind, emm_c[[s]]), file.path(dir, paste0("emm_", s, "_contrasts.tsv")))
    write_df(do.call(rbind, emm_m[[s]]), file.path(dir, paste0("emm_", s, "_means.tsv")))
  }
  do.call(rbind, diff_rows)
}

# ---- data -------------------------------------------------------------------
set.seed(20261127)
n_assay <- 4
assays <- sprintf("A%d", seq_len(n_assay))
r4 <- function(x) round(x, 4)

# (a, b) 46 subjects x 2 visits, a few missing values
paired <- data.frame(sample = sprintf("s%03d", 1:92), subject = sprintf("P%02d", rep(1:46, 2)),
                     time = rep(c("V1", "V2"), each = 46), stringsAsFactors = FALSE)
for (k in seq_len(n_assay)) {
  u <- rnorm(46, sd = c(0.8, 0.3, 1.2, 0.5)[k])
  y <- 5 + k + u[rep(1:46, 2)] + (paired$time == "V2") * c(0.4, 0, -0.3, 0.1)[k] + rnorm(92, sd = 0.5)
  y[sample(92, 3)] <- NA
  paired[[assays[k]]] <- r4(y)
}

# (c) three visits, unbalanced, numeric age and a sex factor
n_s <- 40
subj <- data.frame(subject = sprintf("S%02d", 1:n_s), age = r4(runif(n_s, 25, 70)),
                   sex = sample(c("F", "M"), n_s, replace = TRUE), stringsAsFactors = FALSE)
three <- merge(subj, data.frame(time = c("V1", "V2", "V3")), by = NULL)
three <- three[order(three$time, three$subject), ]
drop <- sample(nrow(three), 14)
three <- three[-drop, ]
three$sample <- sprintf("s%03d", seq_len(nrow(three)))
three <- three[, c("sample", "subject", "time", "age", "sex")]
si <- match(three$subject, subj$subject)
for (k in seq_len(n_assay)) {
  u <- rnorm(n_s, sd = c(0.7, 0.4, 1.0, 0.2)[k])
  y <- 3 + u[si] + c(V1 = 0, V2 = 0.3, V3 = -0.2)[three$time] * k / 2 + 0.02 * three$age +
    0.3 * (three$sex == "M") + rnorm(nrow(three), sd = 0.6)
  y[sample(nrow(three), 2)] <- NA
  three[[assays[k]]] <- r4(y)
}

# (d) time x arm interaction, 3 visits, 2 arms
n_d <- 36
arm_of <- rep(c("Placebo", "Drug"), length.out = n_d)
inter <- data.frame(subject = sprintf("T%02d", rep(1:n_d, 3)), time = rep(c("V1", "V2", "V3"), each = n_d),
                    arm = rep(arm_of, 3), stringsAsFactors = FALSE)
inter$sample <- sprintf("s%03d", seq_len(nrow(inter)))
inter <- inter[, c("sample", "subject", "time", "arm")]
for (k in seq_len(n_assay)) {
  u <- rnorm(n_d, sd = 0.6)
  eff <- (inter$arm == "Drug") * c(V1 = 0, V2 = 0.5, V3 = 0.8)[inter$time] * (k %% 2)
  y <- 4 + u[rep(1:n_d, 3)] + c(V1 = 0, V2 = 0.1, V3 = 0.2)[inter$time] + eff + rnorm(nrow(inter), sd = 0.5)
  y[sample(nrow(inter), 3)] <- NA
  inter[[assays[k]]] <- r4(y)
}

# (e) singular fits: negative within-subject correlation, no subject variance
sing <- paired[, c("sample", "subject", "time")]
for (k in seq_len(n_assay)) {
  e1 <- rnorm(46); e2 <- -0.6 * e1 + rnorm(46, sd = 0.8)
  y <- 2 + c(e1, e2) + (sing$time == "V2") * 0.2
  if (k > 2) y[sample(92, 2)] <- NA
  sing[[assays[k]]] <- r4(y)
}

# (f) two random intercepts: subject within site
n_f <- 48
site_of <- sprintf("site%d", rep(1:6, length.out = n_f))
two <- data.frame(sample = sprintf("s%03d", 1:(2 * n_f)), subject = sprintf("Q%02d", rep(1:n_f, 2)),
                  site = rep(site_of, 2), time = rep(c("V1", "V2"), each = n_f), stringsAsFactors = FALSE)
for (k in seq_len(n_assay)) {
  u <- rnorm(n_f, sd = 0.6); v <- rnorm(6, sd = c(0.5, 0.8, 0.3, 1)[k])
  y <- 6 + u[rep(1:n_f, 2)] + v[match(two$site, sprintf("site%d", 1:6))] +
    (two$time == "V2") * 0.3 + rnorm(2 * n_f, sd = 0.5)
  y[sample(2 * n_f, 2)] <- NA
  two[[assays[k]]] <- r4(y)
}

# (i) two random intercepts where the site variance is 0 (boundary in one
# component): subject within site, no site effect.
two0 <- two[, c("sample", "subject", "site", "time")]
for (k in seq_len(n_assay)) {
  u <- rnorm(n_f, sd = 0.7)
  y <- 6 + u[rep(1:n_f, 2)] + (two0$time == "V2") * 0.3 + rnorm(2 * n_f, sd = 0.5)
  two0[[assays[k]]] <- r4(y)
}

# (g) case (c)'s data with a treatment arm per subject (alternating), for
# REML with an interaction and covariates.
merge_arm <- function(d) {
  d$arm <- ifelse(as.integer(sub("S", "", d$subject)) %% 2 == 0, "Drug", "Placebo")
  d[, c("sample", "subject", "time", "arm", "age", "sex", assays)]
}

diffs <- rbind(
  run_case("a_paired_ml", paired, assays, "time + (1 | subject)", FALSE,
           list(time = "pairwise ~ time")),
  run_case("b_paired_reml", paired, assays, "time + (1 | subject)", TRUE,
           list(time = "pairwise ~ time")),
  run_case("c_three_visits_covariates", three, assays, "time + age + sex + (1 | subject)", FALSE,
           list(time = "pairwise ~ time", time_mean = "pairwise ~ time", sex = "pairwise ~ sex")),
  run_case("d_interaction", inter, assays, "time * arm + (1 | subject)", FALSE,
           list(time = "pairwise ~ time", time_arm = "pairwise ~ time:arm", arm = "pairwise ~ arm")),
  run_case("e_singular", sing, assays, "time + (1 | subject)", FALSE,
           list(time = "pairwise ~ time")),
  run_case("f_two_random", two, assays, "time + (1 | subject) + (1 | site)", FALSE,
           list(time = "pairwise ~ time")),
  run_case("g_interaction_covariates_reml", merge_arm(three), assays,
           "time * arm + age + sex + (1 | subject)", TRUE,
           list(time = "pairwise ~ time", time_arm = "pairwise ~ time:arm")),
  run_case("h_two_random_reml", two, assays, "time + (1 | subject) + (1 | site)", TRUE,
           list(time = "pairwise ~ time")),
  run_case("i_two_random_site_zero", two0, assays, "time + (1 | subject) + (1 | site)", FALSE,
           list(time = "pairwise ~ time"))
)
write_df(diffs, file.path(out_root, "default_vs_tight.tsv"))

# At theta = 0 lmerTest's numDeriv Hessian is rounding-dominated (absolute step
# 1e-4 at x = 0). Record the closed form 2 tr(Z'Z) - 2 ||Z'e||^2 / sigma^2
# (e = OLS residuals, sigma = the ML sigma) and a 5-point stencil with step
# 1e-2 next to numDeriv's value, for the assays whose tight fit has theta = 0.
hc <- list()
for (a in assays) {
  d <- sing; d$y <- d[[a]]
  m <- lmerTest::lmer(y ~ time + (1 | subject), data = d, REML = FALSE, control = tight)
  if (getME(m, "theta")[[1]] != 0) next
  dd <- d[!is.na(d$y), ]
  e <- resid(lm(y ~ time, dd))
  Z <- model.matrix(~ 0 + factor(subject), dd)
  s2 <- sigma(m)^2
  devfun <- update(m, devFunOnly = TRUE)
  f <- function(t) lmerTest:::devfun_vp(c(t, sigma(m)), devfun, FALSE)
  h <- 1e-2
  hc[[a]] <- data.frame(assay = a,
    closed_form = 2 * sum(colSums(Z)) - 2 * sum((t(Z) %*% e)^2) / s2,
    stencil5 = (-f(2 * h) + 16 * f(h) - 30 * f(0) + 16 * f(-h) - f(-2 * h)) / (12 * h^2),
    numDeriv = numDeriv::hessian(lmerTest:::devfun_vp, c(0, sigma(m)), devfun = devfun, reml = FALSE)[1, 1])
}
write_df(do.call(rbind, hc), file.path(out_root, "e_singular", "hessian_check.tsv"))

# ---- ptukey / qtukey ---------------------------------------------------------
grid <- expand.grid(q = c(0.1, 0.5, 1, 2, 3.3, 5, 8, 15), nmeans = c(2, 3, 4, 6, 10, 20),
                    df = c(2, 5, 10.5, 30, 120, 5000, Inf))
grid$ptukey <- ptukey(grid$q, grid$nmeans, grid$df)
grid$ptukey_upper <- ptukey(grid$q, grid$nmeans, grid$df, lower.tail = FALSE)
write_df(grid, file.path(out_root, "ptukey.tsv"))
qg <- expand.grid(p = c(0.5, 0.9, 0.95, 0.99), nmeans = c(2, 3, 4, 6, 10, 20),
                  df = c(2, 5, 10.5, 30, 120, 5000, Inf))
qg$qtukey <- qtukey(qg$p, qg$nmeans, qg$df)
write_df(qg, file.path(out_root, "qtukey.tsv"))

if ("--timing" %in% commandArgs(TRUE)) {
  set.seed(1)
  d <- paired[, c("sample", "subject", "time")]
  t0 <- proc.time()
  for (k in 1:200) {
    d$y <- rnorm(46)[rep(1:46, 2)] + rnorm(92, sd = 0.5)
    m <- lmerTest::lmer(y ~ time + (1 | subject), data = d, REML = FALSE, control = default)
    a <- anova(m, type = "III", ddf = "Satterthwaite")
  }
  el <- (proc.time() - t0)[["elapsed"]]
  cat(sprintf("R: lmer + anova(type 3) over 200 assays (92 samples): %.2f s (%.1f ms/assay)\n", el, 1000 * el / 200))
  t0 <- proc.time()
  for (k in 1:200) {
    d$y <- rnorm(46)[rep(1:46, 2)] + rnorm(92, sd = 0.5)
    m <- lmerTest::lmer(y ~ time + (1 | subject), data = d, REML = FALSE, control = default)
    e <- emmeans::emmeans(m, pairwise ~ time, lmer.df = "satterthwaite", adjust = "tukey")
  }
  el <- (proc.time() - t0)[["elapsed"]]
  cat(sprintf("R: lmer + emmeans pairwise over 200 assays: %.2f s (%.1f ms/assay)\n", el, 1000 * el / 200))
}
