# Reference outputs for LOD from negative controls and fixed LOD files
# (crate npxkit-normalize, module `lod`; `npxkit qc --lod`).
#
# OlinkAnalyze (5.0.2, cran/OlinkAnalyze R/olink_lod.R) is not installable here, so this
# script re-states its formulas in base R:
#   * NC LOD per OlinkID x DataAnalysisRefID over the rows with SampleType
#     NEGATIVE_CONTROL, SampleQC PASS, AssayType assay and NPX present (at least 10
#     negative-control samples overall): LODNPX = median(PCNormalizedNPX) +
#     max(0.2, 3 sd(PCNormalizedNPX)); LODCount = max(150, max(2 Count));
#     LODMethod = lod_npx when max(Count) > 150, else lod_count;
#   * fixed LOD: the rows of the LOD file whose DataAnalysisRefID is in the data;
#   * per row: PCNormalizedLOD = NA when NPX is NA; LODNPX for lod_npx; else
#     log2(LODCount / ExtCount) - PCMedian, with ExtCount the Count of the row's
#     ext_ctrl assay (same SampleID, WellID, Panel, Block, SampleType, PlateID) and
#     PCMedian the median ExtNPX of the plate controls for the assay and plate;
#   * when any row is intensity normalised: LOD = PCNormalizedLOD - median of
#     PCNormalizedNPX over the SAMPLE rows of the assay and plate; the final LOD is that
#     for Normalization "Intensity", PCNormalizedLOD for "Plate control", else NA;
#   * npxkit's MissingFreq: per OlinkID, the fraction of SAMPLE rows with NPX and LOD
#     whose NPX is below the LOD.
# Run from the repository root:  Rscript test-data/reference/lod.R
# It writes test-data/lod/{explore,fixed_lod}.csv (when absent; delete to regenerate)
# and test-data/reference/lod/*.tsv.

fmt <- function(x) ifelse(is.na(x), "NA", sprintf("%.17g", x))
data_dir <- "test-data/lod"
out <- "test-data/reference/lod"
dir.create(data_dir, showWarnings = FALSE, recursive = TRUE)
dir.create(out, showWarnings = FALSE, recursive = TRUE)

write_csv <- function(d, path) {
  d[] <- lapply(d, function(x) if (is.numeric(x)) fmt(x) else ifelse(is.na(x), "NA", x))
  write.table(d, path, sep = ";", quote = FALSE, row.names = FALSE)
}

make_data <- function() {
  set.seed(20261128)
  assays <- data.frame(
    OlinkID = sprintf("OID%05d", c(10001:10006, 90001, 90002)),
    Assay = c(paste0("PROT", 1:6), "ExtCtrl1", "ExtCtrl2"),
    AssayType = c(rep("assay", 6), "ext_ctrl", "ext_ctrl"),
    Block = c(1, 1, 1, 2, 2, 2, 1, 2),
    DataAnalysisRefID = c("D1", "D1", "D1", "D2", "D2", "D2", "D1", "D2"),
    Normalization = c("Intensity", "Intensity", "Plate control", "Intensity",
                      "Plate control", "Plate control", "Plate control", "Plate control"),
    nc_count = c(900, 600, 60, 700, 400, 40, 5000, 5000),
    stringsAsFactors = FALSE)
  rows <- list()
  for (plate in c("Plate1", "Plate2")) {
    ids <- c(sprintf("%s_S%02d", plate, 1:20), sprintf("%s_NC%d", plate, 1:6),
             sprintf("%s_PC%d", plate, 1:2), sprintf("%s_SC1", plate))
    types <- c(rep("SAMPLE", 20), rep("NEGATIVE_CONTROL", 6), rep("PLATE_CONTROL", 2),
               "SAMPLE_CONTROL")
    qc <- rep("PASS", length(ids)); qc[22] <- "FAIL"; qc[5] <- "WARN"
    well <- sprintf("W%02d", seq_along(ids))
    for (a in seq_len(nrow(assays))) {
      A <- assays[a, ]
      base <- if (A$AssayType == "ext_ctrl") 10 else runif(1, 1, 5)
      nc <- types == "NEGATIVE_CONTROL"
      npx <- base + ifelse(nc, -2, 0) + rnorm(length(ids), sd = ifelse(nc, 0.3, 1))
      pc <- npx + rnorm(length(ids), sd = 0.1)
      cnt <- round(ifelse(nc, runif(length(ids), 0.3, 1) * A$nc_count,
                          exp(rnorm(length(ids), log(3000), 0.4))))
      ext <- rnorm(length(ids), 12, 0.5)
      if (A$OlinkID == "OID10002") { npx[c(3, 23)] <- NA; pc[c(3, 23)] <- NA }
      if (A$OlinkID == "OID10005") cnt[24] <- NA
      rows[[length(rows) + 1]] <- data.frame(
        SampleID = ids, SampleType = types, WellID = well, PlateID = plate,
        DataAnalysisRefID = A$DataAnalysisRefID, OlinkID = A$OlinkID,
        UniProt = paste0("P", A$OlinkID), Assay = A$Assay, AssayType = A$AssayType,
        Panel = "Explore_HT", Block = as.character(A$Block), Count = cnt, ExtNPX = ext,
        NPX = npx, PCNormalizedNPX = pc, Normalization = A$Normalization,
        SampleQC = qc, AssayQC = "PASS", stringsAsFactors = FALSE)
    }
  }
  d <- do.call(rbind, rows)
  write_csv(d, file.path(data_dir, "explore.csv"))
  fixed <- data.frame(
    OlinkID = sprintf("OID%05d", c(10001:10006, 10001)),
    DataAnalysisRefID = c("D1", "D1", "D1", "D2", "D2", "D2", "D9"),
    LODNPX = c(0.5, 1.25, NA, 0.75, 1.5, NA, 99),
    LODCount = c(150, 150, 180, 150, 150, 210, 150),
    LODMethod = c("lod_npx", "lod_npx", "lod_count", "lod_npx", "lod_npx", "lod_count",
                  "lod_npx"),
    Panel = "Explore_HT", Version = "6.0.0")
  write_csv(fixed, file.path(data_dir, "fixed_lod.csv"))
}
if (!file.exists(file.path(data_dir, "explore.csv"))) make_data()

d <- read.delim(file.path(data_dir, "explore.csv"), sep = ";", colClasses = "character",
                na.strings = "NA")
for (c in c("Count", "ExtNPX", "NPX", "PCNormalizedNPX")) d[[c]] <- as.numeric(d[[c]])

# ---- the formulas ---------------------------------------------------------------------

nc_lod <- function(d) {
  nc <- d[d$SampleType == "NEGATIVE_CONTROL" & d$SampleQC == "PASS" &
            d$AssayType == "assay" & !is.na(d$NPX), ]
  stopifnot(length(unique(nc$SampleID)) >= 10)
  keys <- unique(nc[, c("OlinkID", "DataAnalysisRefID")])
  res <- lapply(seq_len(nrow(keys)), function(i) {
    g <- nc[nc$OlinkID == keys$OlinkID[i] & nc$DataAnalysisRefID == keys$DataAnalysisRefID[i], ]
    max_count <- suppressWarnings(max(g$Count, na.rm = TRUE))
    data.frame(OlinkID = keys$OlinkID[i], DataAnalysisRefID = keys$DataAnalysisRefID[i],
               LODNPX = median(g$PCNormalizedNPX, na.rm = TRUE) +
                 max(0.2, 3 * sd(g$PCNormalizedNPX, na.rm = TRUE)),
               LODCount = max(150, suppressWarnings(max(g$Count * 2, na.rm = TRUE))),
               LODMethod = if (max_count > 150) "lod_npx" else "lod_count")
  })
  do.call(rbind, res)
}

fixed_lod <- function(d, path) {
  f <- read.table(path, sep = ";", header = TRUE)
  f[f$DataAnalysisRefID %in% d$DataAnalysisRefID,
    c("OlinkID", "DataAnalysisRefID", "LODNPX", "LODCount", "LODMethod")]
}

row_lod <- function(d, lod) {
  k <- match(paste(d$OlinkID, d$DataAnalysisRefID), paste(lod$OlinkID, lod$DataAnalysisRefID))
  pc_key <- paste(d$OlinkID, d$PlateID)
  pc_med <- tapply(seq_len(nrow(d)), pc_key, function(i) {
    v <- d$ExtNPX[i][d$SampleType[i] == "PLATE_CONTROL"]
    median(v, na.rm = TRUE)
  })
  ext <- d[d$AssayType == "ext_ctrl", ]
  ek <- function(x) paste(x$SampleID, x$WellID, x$Panel, x$Block, x$SampleType, x$PlateID)
  ext_count <- ext$Count[match(ek(d), ek(ext))]
  method <- lod$LODMethod[k]
  pc_lod <- ifelse(is.na(d$NPX), NA,
                   ifelse(!is.na(method) & method == "lod_npx", lod$LODNPX[k],
                          log2(lod$LODCount[k] / ext_count) - pc_med[pc_key]))
  lod_int <- pc_lod
  if (any(d$Normalization == "Intensity")) {
    s <- d$SampleType == "SAMPLE"
    plate_med <- tapply(d$PCNormalizedNPX[s], pc_key[s], median, na.rm = TRUE)
    lod_int <- pc_lod - plate_med[pc_key]
  }
  final <- ifelse(d$Normalization == "Intensity", lod_int,
                  ifelse(d$Normalization == "Plate control", pc_lod, NA))
  data.frame(row = seq_len(nrow(d)), SampleID = d$SampleID, OlinkID = d$OlinkID,
             LOD = unname(final), PCNormalizedLOD = unname(pc_lod))
}

missing_freq <- function(d, lod) {
  s <- d$SampleType == "SAMPLE" & !is.na(d$NPX) & !is.na(lod)
  ids <- unique(d$OlinkID)
  data.frame(OlinkID = ids, MissingFreq = sapply(ids, function(o) {
    i <- s & d$OlinkID == o
    if (!any(i)) NA else mean(d$NPX[i] < lod[i])
  }))
}

write_tsv <- function(x, name) {
  x[] <- lapply(x, function(v) if (is.numeric(v) && !is.integer(v)) fmt(v) else
    ifelse(is.na(v), "NA", as.character(v)))
  write.table(x, file.path(out, name), sep = "\t", quote = FALSE, row.names = FALSE)
}

nc <- nc_lod(d)
write_tsv(nc, "syn_nc_lod.tsv")
r_nc <- row_lod(d, nc)
write_tsv(r_nc, "syn_nc_rows.tsv")
write_tsv(missing_freq(d, r_nc$LOD), "syn_nc_missing_freq.tsv")
fx <- fixed_lod(d, file.path(data_dir, "fixed_lod.csv"))
r_fx <- row_lod(d, fx)
write_tsv(r_fx, "syn_fixed_rows.tsv")
cat("NC LOD:", nrow(nc), "assay x DARID;", table(nc$LODMethod), "\n")
