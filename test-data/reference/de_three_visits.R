# Reference outputs for `npxkit de --test F` on three visits: OlinkAnalyze's example
# npx_data1 (52 subjects at Baseline, Week.6 and Week.12; 184 assays), the paired design
# ~ Subject + Time, the two contrasts Week.6-Baseline and Week.12-Baseline, and limma
# 3.54.1's moderated F (topTable(coef = 1:2) after contrasts.fit) and per-contrast
# topTable with trend = TRUE.
#
# Run from the project root (needs ../shared/data/olink-examples):
#     Rscript test-data/reference/de_three_visits.R
# Made with R 4.2.2 (Debian 12), limma 3.54.1. Input: package-data/npx_data1.csv (long,
# `;`) and npx_data1_meta.csv; control samples (CONTROL_SAMPLE_*) set aside, as npxkit's
# default QC does (no value is missing). Writes de_three_visits/{ftest,trend}.tsv with
# sprintf("%.17g") and the npxkit options in de_three_visits/{ftest,trend}.args.

suppressPackageStartupMessages(library(limma))
stopifnot(packageVersion("limma") == "3.54.1")
shared <- file.path("..", "shared", "data", "olink-examples")
root <- file.path("test-data", "reference", "de_three_visits")
dir.create(root, showWarnings = FALSE)
fmt17 <- function(x) ifelse(is.na(x), "NA", sprintf("%.17g", x))

npx <- read.delim(file.path(shared, "package-data", "npx_data1.csv"), sep = ";",
                  colClasses = "character", na.strings = c("NA", ""), quote = "")
npx <- npx[!grepl("CONTROL", npx$SampleID), ]
assays <- unique(npx$OlinkID)
samples <- unique(npx$SampleID)
y <- matrix(NA_real_, length(assays), length(samples), dimnames = list(assays, samples))
y[cbind(match(npx$OlinkID, assays), match(npx$SampleID, samples))] <- as.numeric(npx$NPX)
meta <- read.delim(file.path(shared, "npx_data1_meta.csv"), sep = ";", colClasses = "character")
meta <- meta[match(samples, meta$SampleID), ]
stopifnot(!anyNA(meta$SampleID))
subject <- factor(meta$Subject)
time <- factor(meta$Time, levels = c("Baseline", "Week.12", "Week.6"))
design <- model.matrix(~ subject + time)
fit <- lmFit(y, design)
cm <- matrix(0, ncol(design), 2, dimnames = list(colnames(design),
                                                  c("Week.6-Baseline", "Week.12-Baseline")))
cm["timeWeek.6", 1] <- 1
cm["timeWeek.12", 2] <- 1
cf <- contrasts.fit(fit, cm)

write_tab <- function(d, name, args) {
  writeLines(args, file.path(root, paste0(name, ".args")))
  num <- names(d) != "OlinkID"
  d[num] <- lapply(d[num], fmt17)
  write.table(d, file.path(root, paste0(name, ".tsv")), sep = "\t", quote = FALSE,
              row.names = FALSE)
}
common <- c("--group", "Time", "--pair", "Subject", "--contrast", "Week.6-Baseline",
            "--contrast", "Week.12-Baseline", "--ebayes", "legacy")
tt <- topTable(eBayes(cf), coef = 1:2, number = Inf, sort.by = "none")
write_tab(data.frame(OlinkID = rownames(tt), `Week.6-Baseline` = tt[[1]],
                     `Week.12-Baseline` = tt[[2]], AveExpr = tt$AveExpr, F = tt$F,
                     P.Value = tt$P.Value, adj.P.Val = tt$adj.P.Val, check.names = FALSE),
          "ftest", c(common, "--test", "F"))
eb <- eBayes(cf, trend = TRUE)
tabs <- lapply(1:2, function(j) {
  t <- topTable(eb, coef = j, number = Inf, sort.by = "none")
  data.frame(contrast = colnames(cm)[j], OlinkID = rownames(t), logFC = t$logFC,
             AveExpr = t$AveExpr, t = t$t, P.Value = t$P.Value, adj.P.Val = t$adj.P.Val,
             B = t$B, check.names = FALSE)
})
d <- do.call(rbind, tabs)
writeLines(c(common, "--trend"), file.path(root, "trend.args"))
num <- !(names(d) %in% c("contrast", "OlinkID"))
d[num] <- lapply(d[num], fmt17)
write.table(d, file.path(root, "trend.tsv"), sep = "\t", quote = FALSE, row.names = FALSE)
