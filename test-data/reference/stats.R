# Reference values for the npxkit-stats crate (t-tests, Wilcoxon tests,
# p.adjust, and the t / normal / Wilcoxon distribution functions).
#
# Run from the project root:
#     Rscript test-data/reference/stats.R
# It writes TSV files into test-data/reference/stats/, read by
# crates/npxkit-stats/tests/reference.rs. Numbers are written with
# sprintf("%.17g"); missing values as NA, infinities as Inf / -Inf.
#
# Outputs committed were made with R 4.2.2 Patched (2022-11-10 r83330),
# Debian r-base-core, base package stats only.
#
# Files:
#   samples.tsv        case, group (x/y), i, value: the test inputs
#   ttest.tsv          t.test results, one row per (case, test, options)
#   wilcox.tsv         wilcox.test results, one row per (case, test, options)
#   padjust.tsv        p.adjust inputs and results for every method
#   pt.tsv, qt.tsv     pt / qt on a grid, both tails
#   pnorm.tsv          pnorm on a grid, both tails
#   psignrank.tsv      psignrank on a grid, both tails
#   pwilcox.tsv        pwilcox on a grid, both tails

out_dir <- file.path("test-data", "reference", "stats")
dir.create(out_dir, showWarnings = FALSE, recursive = TRUE)

num <- function(v) {
  s <- sprintf("%.17g", v)
  s[is.na(v) & !is.nan(v)] <- "NA"
  s[is.nan(v)] <- "NaN"
  s[is.infinite(v) & v > 0] <- "Inf"
  s[is.infinite(v) & v < 0] <- "-Inf"
  s
}

write_tsv <- function(df, name) {
  for (col in names(df)) if (is.numeric(df[[col]])) df[[col]] <- num(df[[col]])
  write.table(df, file.path(out_dir, name), sep = "\t", quote = FALSE,
              row.names = FALSE, na = "NA")
}

#  Inputs
set.seed(20240601)
cases <- list()
# Small continuous samples: exact Wilcoxon paths.
cases$small <- list(x = rnorm(8, 0.5), y = rnorm(10))
px <- rnorm(12)
cases$paired_small <- list(x = px, y = px + rnorm(12, 0.3))
# Rounded values: ties, and zeros for the signed-rank test.
tx <- round(rnorm(15, 1), 1)
tx[c(2, 7)] <- 0
cases$ties <- list(x = tx, y = round(rnorm(20), 1))
px <- round(rnorm(20), 1)
cases$paired_ties <- list(x = px, y = round(px + rnorm(20, 0.2), 1))
# n >= 50: normal approximation without ties.
cases$large <- list(x = rnorm(60, 0.2), y = rnorm(75))
px <- rnorm(80)
cases$paired_large <- list(x = px, y = px + rnorm(80, 0.1))
# Just below 50: exact distributions with large counts.
cases$exact49 <- list(x = rnorm(49, 0.3), y = rnorm(45))
# Huge effects: t p-values far below 1e-30.
cases$extreme <- list(x = rnorm(40, 10, 0.5), y = rnorm(35, 0, 0.5))
px <- rnorm(30, 5)
cases$paired_extreme <- list(x = px, y = px - 3 + rnorm(30, 0, 0.1))
# Missing values; paired drops incomplete pairs.
nx <- rnorm(14, 0.4); nx[c(3, 9)] <- NA
ny <- rnorm(14); ny[c(5, 9, 12)] <- NA
cases$missing <- list(x = nx, y = ny)
# Unequal variances and sizes (Welch differs from Student).
cases$unequal <- list(x = rnorm(6, 0, 1), y = rnorm(25, 1, 4))
# Smallest valid samples.
cases$tiny <- list(x = c(1.5, 2.7), y = c(3.1, 0.4))
cases$single_y <- list(x = c(1.5, 2.7, 2.2), y = 3.1)

samples <- do.call(rbind, lapply(names(cases), function(cs) {
  rbind(
    data.frame(case = cs, group = "x", i = seq_along(cases[[cs]]$x), value = cases[[cs]]$x),
    data.frame(case = cs, group = "y", i = seq_along(cases[[cs]]$y), value = cases[[cs]]$y))
}))
write_tsv(samples, "samples.tsv")

#  t.test
t_row <- function(cs, test, mu = 0, conf.level = 0.95) {
  x <- cases[[cs]]$x; y <- cases[[cs]]$y
  run <- function(alt) switch(test,
    one_sample = t.test(x, mu = mu, alternative = alt, conf.level = conf.level),
    paired = t.test(x, y, paired = TRUE, mu = mu, alternative = alt, conf.level = conf.level),
    welch = t.test(x, y, mu = mu, alternative = alt, conf.level = conf.level),
    student = t.test(x, y, var.equal = TRUE, mu = mu, alternative = alt, conf.level = conf.level))
  two <- run("two.sided"); less <- run("less"); greater <- run("greater")
  est <- unname(two$estimate)
  data.frame(case = cs, test = test, mu = mu, conf_level = conf.level,
             statistic = unname(two$statistic), df = unname(two$parameter),
             p_two_sided = two$p.value, p_less = less$p.value, p_greater = greater$p.value,
             conf_low = two$conf.int[1], conf_high = two$conf.int[2],
             less_conf_high = less$conf.int[2], greater_conf_low = greater$conf.int[1],
             estimate = est[1], estimate_y = if (length(est) > 1) est[2] else NA,
             stderr = two$stderr)
}
t_specs <- list(
  list("small", "one_sample"), list("small", "one_sample", mu = 0.3, conf.level = 0.9),
  list("small", "welch"), list("small", "student"), list("small", "welch", mu = 0.5, conf.level = 0.99),
  list("paired_small", "paired"), list("paired_small", "paired", mu = -0.2),
  list("ties", "one_sample"), list("ties", "welch"), list("ties", "student"),
  list("paired_ties", "paired"),
  list("large", "one_sample"), list("large", "welch"), list("large", "student"),
  list("paired_large", "paired"),
  list("exact49", "welch"), list("exact49", "student"),
  list("extreme", "one_sample"), list("extreme", "welch"), list("extreme", "student"),
  list("paired_extreme", "paired"),
  list("missing", "one_sample"), list("missing", "paired"), list("missing", "welch"),
  list("missing", "student"),
  list("unequal", "welch"), list("unequal", "student"),
  list("tiny", "one_sample"), list("tiny", "welch"), list("tiny", "student"), list("tiny", "paired"),
  list("single_y", "student"))
ttest <- do.call(rbind, lapply(t_specs, function(s) do.call(t_row, s)))
write_tsv(ttest, "ttest.tsv")

#  wilcox.test
w_row <- function(cs, test, mu = 0, exact = NULL, correct = TRUE) {
  x <- cases[[cs]]$x; y <- cases[[cs]]$y
  run <- function(alt) suppressWarnings(switch(test,
    one_sample = wilcox.test(x, mu = mu, alternative = alt, exact = exact, correct = correct),
    paired = wilcox.test(x, y, paired = TRUE, mu = mu, alternative = alt, exact = exact, correct = correct),
    rank_sum = wilcox.test(x, y, mu = mu, alternative = alt, exact = exact, correct = correct)))
  two <- run("two.sided"); less <- run("less"); greater <- run("greater")
  data.frame(case = cs, test = test, mu = mu,
             exact_arg = if (is.null(exact)) "NULL" else as.character(exact),
             correct = correct, statistic = unname(two$statistic),
             p_two_sided = two$p.value, p_less = less$p.value, p_greater = greater$p.value,
             exact_used = grepl("exact", two$method))
}
w_specs <- list(
  list("small", "one_sample"), list("small", "one_sample", mu = 0.3), list("small", "rank_sum"),
  list("small", "rank_sum", mu = 0.5), list("small", "rank_sum", exact = FALSE),
  list("small", "one_sample", exact = FALSE, correct = FALSE),
  list("paired_small", "paired"), list("paired_small", "paired", mu = -0.2),
  list("ties", "one_sample"), list("ties", "rank_sum"), list("ties", "rank_sum", correct = FALSE),
  list("ties", "one_sample", correct = FALSE),
  list("paired_ties", "paired"),
  list("large", "one_sample"), list("large", "rank_sum"), list("large", "rank_sum", exact = TRUE),
  list("paired_large", "paired"), list("paired_large", "paired", exact = TRUE),
  list("exact49", "one_sample"), list("exact49", "rank_sum"),
  list("extreme", "one_sample"), list("extreme", "rank_sum"), list("paired_extreme", "paired"),
  list("missing", "one_sample"), list("missing", "paired"), list("missing", "rank_sum"),
  list("unequal", "rank_sum"),
  list("tiny", "one_sample"), list("tiny", "rank_sum"), list("tiny", "paired"),
  list("single_y", "rank_sum"))
wilcox <- do.call(rbind, lapply(w_specs, function(s) do.call(w_row, s)))
write_tsv(wilcox, "wilcox.tsv")

#  p.adjust: NAs, ties, exact zeros and ones, a long vector
padj_inputs <- list(
  basic = c(0.01, 0.02, 0.03, 0.04, 0.05),
  ties_na = c(0.04, NA, 0.001, 0.04, 0.2, NA, 0.001, 0.5, 0.04, 1, 0),
  two = c(0.03, 0.02),
  one_left = c(NA, 0.2, NA),
  long = c(runif(150)^3, rep(0.05, 10), NA, NA, 1e-12, 1e-300)
)
padjust <- do.call(rbind, lapply(names(padj_inputs), function(cs) {
  p <- padj_inputs[[cs]]
  res <- data.frame(case = cs, i = seq_along(p), p = p)
  for (m in p.adjust.methods) res[[m]] <- p.adjust(p, m)
  res
}))
write_tsv(padjust, "padjust.tsv")

#  Distribution functions
df_grid <- c(0.5, 1, 1.5, 2, 3, 4.7, 10, 19, 30, 98, 250, 1000, 5000)
t_grid <- c(0, 1e-10, 0.001, 0.1, 0.5, 1, 1.5, 2, 2.5, 3, 4, 6, 10, 20, 50, 100, 1e3, 1e5, 1e10, 1e60)
g <- expand.grid(q = c(-rev(t_grid), t_grid), df = df_grid)
g$lower <- pt(g$q, g$df); g$upper <- pt(g$q, g$df, lower.tail = FALSE)
write_tsv(g, "pt.tsv")

# qt: R's own qt is inexact for df < 1 and for p below ~1e-30 (e.g.
# qt(1e-30, 0.5, lower.tail = FALSE) is Inf, and pt(qt(1e-300, 1.5, FALSE),
# 1.5, FALSE) is 9.85e-301), so the grid stays where R is accurate; the Rust
# tests check the far tails by round trip through pt instead.
p_grid <- c(1e-10, 1e-3, 0.025, 0.05, 0.3, 0.5, 0.6, 0.75, 0.9, 0.95, 0.975, 0.99, 0.995, 0.999)
g <- expand.grid(p = p_grid, df = df_grid[df_grid >= 1])
g$lower <- qt(g$p, g$df); g$upper <- qt(g$p, g$df, lower.tail = FALSE)
write_tsv(g, "qt.tsv")

z <- c(-40, -38, -37.5, -30, -20, -10, -8.3, -6, -5.66, -5.65, -3, -1.96, -1, -0.6745, -0.674, -0.3,
       -1e-20, 0)
z <- c(z, -rev(z[-length(z)]), seq(-9.95, 9.95, by = 0.1))
write_tsv(data.frame(q = z, lower = pnorm(z), upper = pnorm(z, lower.tail = FALSE)), "pnorm.tsv")

g <- do.call(rbind, lapply(c(1, 2, 5, 10, 20, 35, 49, 60), function(n) {
  u <- n * (n + 1) / 2
  q <- unique(round(c(-1, 0, 1, 2, u / 4, u / 2 - 1, u / 2, u / 2 + 0.5, u - 3, u - 1, u, u + 1,
                      seq(0, u, length.out = 7))))
  data.frame(q = q, n = n)
}))
g$lower <- psignrank(g$q, g$n); g$upper <- psignrank(g$q, g$n, lower.tail = FALSE)
write_tsv(g, "psignrank.tsv")

g <- do.call(rbind, lapply(list(c(1, 1), c(1, 5), c(3, 4), c(7, 3), c(10, 12), c(25, 30), c(49, 45), c(49, 49)),
  function(mn) {
    u <- mn[1] * mn[2]
    q <- unique(round(c(-1, 0, 1, 3, u / 4, u / 2 - 1, u / 2, u / 2 + 1, u - 2, u - 1, u, u + 1,
                        seq(0, u, length.out = 6))))
    data.frame(q = q, m = mn[1], n = mn[2])
  }))
g$lower <- pwilcox(g$q, g$m, g$n); g$upper <- pwilcox(g$q, g$m, g$n, lower.tail = FALSE)
write_tsv(g, "pwilcox.tsv")

cat("wrote", length(list.files(out_dir)), "files to", out_dir, "\n")
