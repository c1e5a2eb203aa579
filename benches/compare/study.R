# Shared by the side-by-side scripts: the study matrix of an `npxkit simulate` delivery
# (NPX Signature long CSV + manifest), study samples only, in manifest order.
# read_study(npx_csv, samples_tsv, key = "OlinkID" or "Assay") returns
# list(x = assays x samples matrix (NA = missing), manifest = data frame).
read_study <- function(npx_csv, samples_tsv, key = "OlinkID") {
  d <- read.delim(npx_csv, sep = ";", na.strings = "NA", stringsAsFactors = FALSE)
  m <- read.delim(samples_tsv, stringsAsFactors = FALSE)
  d <- d[d$Sample_Type == "SAMPLE" & d$SampleID %in% m$SampleID, ]
  rows <- unique(d[[key]])
  x <- matrix(NA_real_, length(rows), nrow(m), dimnames = list(rows, m$SampleID))
  x[cbind(match(d[[key]], rows), match(d$SampleID, m$SampleID))] <- d$NPX
  list(x = x, manifest = m)
}

