# Reference PCA for `npxkit qc` (pca.tsv, pca_variance.tsv): the samples' principal
# components as OlinkAnalyze's olink_pca_plot prepares the data, by R's prcomp.
#
# Run from the project root:
#     Rscript test-data/reference/qc_pca.R
# Made with R 4.2.2 (Debian 12 r-base-core). Input: the committed de_cli study
# (test-data/reference/de_cli/input, see de_cli.R), QC as npxkit's defaults.
#
# Preparation (olink_pca_plot): assays missing in more than 10% of samples dropped,
# remaining NAs set to the assay's median, constant assays dropped, then
# prcomp(x, center = TRUE, scale. = TRUE). prcomp's signs are arbitrary; npxkit
# makes each component's largest absolute score positive, and so does this script.
# Writes qc_pca/pca.tsv (SampleID, PC1..PC5) and qc_pca/pca_variance.tsv
# (sdev^2 / sum(sdev^2)), numbers with sprintf("%.17g").

root <- file.path("test-data", "reference")
input <- file.path(root, "de_cli", "input")
out <- file.path(root, "qc_pca")
dir.create(out, showWarnings = FALSE)
fmt17 <- function(x) sprintf("%.17g", x)

npx <- read.delim(file.path(input, "npx.csv"), sep = ";", colClasses = "character",
                  na.strings = c("NA", ""), quote = "")
npx <- npx[npx$Sample_Type == "SAMPLE" & npx$QC_Warning != "FAIL", ]
assays <- unique(npx$OlinkID)
samples <- unique(npx$SampleID)
y <- matrix(NA_real_, length(assays), length(samples), dimnames = list(assays, samples))
y[cbind(match(npx$OlinkID, assays), match(npx$SampleID, samples))] <- as.numeric(npx$NPX)

keep <- rowMeans(is.na(y)) <= 0.1
y <- y[keep, , drop = FALSE]
for (i in seq_len(nrow(y))) {
  y[i, is.na(y[i, ])] <- median(y[i, ], na.rm = TRUE)
}
y <- y[apply(y, 1, var) > 1e-12, , drop = FALSE]
p <- prcomp(t(y), center = TRUE, scale. = TRUE)
k <- 5
scores <- p$x[, 1:k]
for (c in 1:k) {
  pivot <- which.max(abs(scores[, c]))
  scores[, c] <- scores[, c] * sign(scores[pivot, c])
}
tab <- data.frame(SampleID = rownames(scores), apply(scores, 2, fmt17))
write.table(tab, file.path(out, "pca.tsv"), sep = "\t", quote = FALSE, row.names = FALSE)
ve <- p$sdev^2 / sum(p$sdev^2)
write.table(data.frame(component = paste0("PC", 1:k), variance_explained = fmt17(ve[1:k])),
            file.path(out, "pca_variance.tsv"), sep = "\t", quote = FALSE, row.names = FALSE)
cat("assays used:", nrow(y), "\n")
