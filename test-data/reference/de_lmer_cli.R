# Reference outputs of lme4 + lmerTest + emmeans for the end-to-end parity test
# of `npxkit de --method lmer` (crates/npxkit-cli/tests/cli.rs,
# `de_lmer_matches_lmertest`), on the committed study of de_cli.R
# (de_cli/input: 120 assays, 8 subjects at C1D1 and C2D1 plus one at C1D1 only).
#
# Run from the project root:
#     Rscript test-data/reference/de_lmer_cli.R
# Made with R 4.2.2, lme4 1.1.31, lmerTest 3.1.3, emmeans 1.8.4.1 (Debian 12).
#
# The model is OlinkAnalyze's olink_lmer: NPX ~ timepoint [+ age] + (1 | subject),
# REML = FALSE unless the case says REML, fitted with a tight optimiser (bobyqa,
# rhoend = 1e-12: the exact optimum; lme4's default control stops ~1e-6 short).
# Per case, de_lmer_cli/<case>.args (the npxkit options, one per line) and:
#   <case>_contrast.tsv  OlinkID estimate se df t p adj (lmerTest::contest, C2D1 - C1D1;
#                        adj = p.adjust(p, "BH") over the assays)
#   <case>_anova.tsv     OlinkID sumsq meansq NumDF DenDF F p adj (anova(type = 3))
#   <case>_posthoc.tsv   OlinkID contrast estimate SE df t.ratio p.value lower upper
#                        (emmeans(pairwise ~ timepoint, adjust = "tukey"))
# one row per assay in input order. Numbers are written with sprintf("%.17g").

suppressPackageStartupMessages({
  library(lme4)
  library(lmerTest)
  library(emmeans)
})

root <- file.path("test-data", "reference", "de_lmer_cli")
input <- file.path("test-data", "reference", "de_cli", "input")
dir.create(root, showWarnings = FALSE)
fmt17 <- function(x) ifelse(is.na(x), "NA", sprintf("%.17g", x))
write_tsv <- function(df, path) {
  df[] <- lapply(df, function(c) if (is.numeric(c)) fmt17(c) else c)
  write.table(df, path, sep = "\t", quote = FALSE, row.names = FALSE)
}

# The QC'd matrix, as de_cli.R builds it.
npx <- read.delim(file.path(input, "npx.csv"), sep = ";", colClasses = "character",
                  na.strings = c("NA", ""), quote = "")
npx <- npx[npx$Sample_Type == "SAMPLE" & npx$QC_Warning != "FAIL", ]
assays <- unique(npx$OlinkID)
samples <- unique(npx$SampleID)
y <- matrix(NA_real_, length(assays), length(samples), dimnames = list(assays, samples))
y[cbind(match(npx$OlinkID, assays), match(npx$SampleID, samples))] <- as.numeric(npx$NPX)
man <- read.delim(file.path(input, "samples.tsv"), colClasses = "character")
man <- man[match(samples, man$SampleID), ]
d0 <- data.frame(timepoint = factor(man$timepoint), subject = factor(man$subject),
                 age = as.numeric(man$age))

tight <- lmerControl(optimizer = "bobyqa", optCtrl = list(rhoend = 1e-12, maxfun = 1e5),
                     check.conv.singular = "ignore")

run_case <- function(case, formula, reml, args) {
  writeLines(args, file.path(root, paste0(case, ".args")))
  con <- list(); an <- list(); ph <- list()
  for (a in assays) {
    d <- d0
    d$NPX <- y[a, ]
    m <- lmerTest::lmer(formula, data = d, REML = reml, control = tight)
    b <- fixef(m)
    l <- as.numeric(names(b) == "timepointC2D1")
    ct <- lmerTest::contest(m, matrix(l, nrow = 1), joint = FALSE)
    con[[a]] <- data.frame(OlinkID = a, estimate = ct$Estimate, se = ct$`Std. Error`,
                           df = ct$df, t = ct$`t value`, p = ct$`Pr(>|t|)`)
    av <- anova(m, type = 3)
    r <- av["timepoint", ]
    an[[a]] <- data.frame(OlinkID = a, sumsq = r$`Sum Sq`, meansq = r$`Mean Sq`,
                          NumDF = r$NumDF, DenDF = r$DenDF, F = r$`F value`,
                          p = r$`Pr(>F)`)
    em <- emmeans::emmeans(m, pairwise ~ timepoint, lmer.df = "satterthwaite",
                           adjust = "tukey")
    cs <- summary(em$contrasts, infer = c(TRUE, TRUE), adjust = "tukey")
    ph[[a]] <- data.frame(OlinkID = a, contrast = as.character(cs$contrast),
                          estimate = cs$estimate, SE = cs$SE, df = cs$df,
                          t.ratio = cs$t.ratio, p.value = cs$p.value,
                          lower = cs$lower.CL, upper = cs$upper.CL)
  }
  con <- do.call(rbind, con)
  con$adj <- p.adjust(con$p, "BH")
  an <- do.call(rbind, an)
  an$adj <- p.adjust(an$p, "BH")
  write_tsv(con, file.path(root, paste0(case, "_contrast.tsv")))
  write_tsv(an, file.path(root, paste0(case, "_anova.tsv")))
  write_tsv(do.call(rbind, ph), file.path(root, paste0(case, "_posthoc.tsv")))
}

common <- c("--group", "timepoint", "--contrast", "C2D1-C1D1", "--block", "subject",
            "--method", "lmer", "--posthoc")
run_case("ml_age", NPX ~ timepoint + age + (1 | subject), FALSE,
         c(common, "--covariates", "age"))
run_case("reml", NPX ~ timepoint + (1 | subject), TRUE, c(common, "--reml"))
