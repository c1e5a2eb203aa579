# Reference outputs for cross-product bridging in `npxkit normalize`
# (crate npxkit-normalize, module `product`).
#
# OlinkAnalyze (5.0.2, cran/OlinkAnalyze R/olink_normalization_product.R,
# olink_normalization.R, olink_normalization_utils.R) is not installable here, so this
# script re-states its formulas in base R + splines:
#   * product of a project: every Panel among the 8 Explore 3072 panels -> E3072, every
#     Panel "Explore_HT" -> HT, every Panel "Reveal" -> Reveal;
#   * OlinkIDs of both projects are mapped to the combined OlinkID of the product
#     mapping (crates/npxkit-normalize/data/product_mapping.tsv; a reference row whose
#     OlinkID has several partners is repeated, as a many-to-many join), unmatched IDs
#     keep their own; then the assay cleaning (^OID\d{5}_OID\d{5}$|^OID\d{5}$,
#     Normalization != EXCLUDED) and the removal of assays not in both projects;
#   * bridgeability over the bridge samples (SampleType SAMPLE, AssayType assay,
#     Count > 10, both NPX and both Counts present): range = q90 - q10 of each project,
#     range_diff = |range_ref - range_other|, low_cnt = median(Count) < 150 in either;
#     rows beyond median +- 3 IQR in either project are removed; then r2 = cor^2 and
#     the two-sample Kolmogorov-Smirnov D; NotBridgeable when range_diff > 1 AND low_cnt
#     AND r2 < 0.8 (R's three-valued &), else MedianCentering when D <= 0.2, else
#     QuantileSmoothing; assays without a row -> NotBridgeable;
#   * median centring = bridge normalisation: median(ref - other) over the bridge
#     samples (all rows of those samples), NA -> 0;
#   * quantile smoothing per assay: bridge rows with ref Count > 10 and both NPX; fewer
#     than 40 (E3072->HT; 32 E3072->Reveal, 24 HT<->Reveal) -> NA; ECDF of the other
#     project's NPX at its sorted unique values -> quantiles (type 7) of the reference
#     NPX; lm(mapped ~ ns(unique values, knots = quantiles 5..95% of the unique
#     values)); prediction for every SAMPLE/assay row of the other project.
# Run from the repository root:  Rscript test-data/reference/normalize_product.R
# It writes the synthetic inputs test-data/normalize_product/{ht,e3072}.csv (Explore
# 3072 -> Explore HT) and {reveal_ht,reveal}.csv (Reveal -> Explore HT) when absent
# (delete them to regenerate), and test-data/reference/normalize/product_*.tsv.

suppressPackageStartupMessages(library(splines))

fmt <- function(x) ifelse(is.na(x), "NA", sprintf("%.17g", x))
out <- "test-data/reference/normalize"
data_dir <- "test-data/normalize_product"
dir.create(out, showWarnings = FALSE, recursive = TRUE)
dir.create(data_dir, showWarnings = FALSE, recursive = TRUE)

E3072_PANELS <- c("Cardiometabolic", "Oncology_II", "Neurology_II", "Inflammation_II",
                  "Neurology", "Cardiometabolic_II", "Oncology", "Inflammation")
map_all <- read.delim("crates/npxkit-normalize/data/product_mapping.tsv",
                      comment.char = "#", colClasses = "character")
map_ht <- map_all[map_all$product_1 == "HT" & map_all$product_2 == "E3072", ]

# ---- synthetic pair -------------------------------------------------------------------

write_csv <- function(d, path) {
  d[] <- lapply(d, function(x) if (is.numeric(x)) fmt(x) else x)
  write.table(d, path, sep = ";", quote = FALSE, row.names = FALSE, na = "NA")
}

make_pair <- function() {
  set.seed(20261127)
  dup_ht <- map_ht$OlinkID_1[duplicated(map_ht$OlinkID_1)][1]
  uniq <- map_ht[!(map_ht$OlinkID_1 %in% map_ht$OlinkID_1[duplicated(map_ht$OlinkID_1)]), ]
  pairs <- rbind(uniq[1:30, ], map_ht[map_ht$OlinkID_1 == dup_ht, ][1:2, ])
  n_a <- nrow(pairs)
  bridge <- sprintf("B%02d", 1:48)
  ht_only <- sprintf("H%02d", 1:20)
  e3k_only <- sprintf("E%02d", 1:20)
  controls <- c("NC1", "NC2", "PC1", "PC2")
  ctrl_type <- c("NEGATIVE_CONTROL", "NEGATIVE_CONTROL", "PLATE_CONTROL", "PLATE_CONTROL")
  ht_rows <- list(); e_rows <- list(); seen_ht <- list()
  for (a in seq_len(n_a)) {
    mu <- runif(1, 1, 6); s <- runif(1, 0.7, 1.6)
    kind <- if (a <= 8) "mc" else if (a <= 20) "shift" else if (a <= 24) "curve" else
      c("notbridgeable", "lowcount_ht", "missing", "outliers", "lowcount_ok",
        "wide_ok", "mc", "mc", "mc", "mc")[min(a - 24, 10)]
    alpha <- switch(kind, mc = runif(1, -0.08, 0.08), shift = runif(1, 0.8, 2),
                    curve = runif(1, 0.5, 1), 0.3)
    beta <- if (kind == "wide_ok") 2.2 else if (kind == "notbridgeable") 1.8 else runif(1, 0.9, 1.1)
    noise <- if (kind == "notbridgeable") 1.2 else 0.25
    cnt_ht <- if (kind %in% c("notbridgeable", "lowcount_ok", "wide_ok")) 60 else 900
    cnt_3k <- if (kind %in% c("notbridgeable", "lowcount_ok", "wide_ok")) 80 else 1200
    all_s <- c(bridge, ht_only, e3k_only)
    truth <- setNames(mu + s * rnorm(length(all_s)), all_s)
    truth[e3k_only[1:3]] <- mu + s * c(3.5, -3.5, 4)   # outside the bridge range
    e_npx <- truth + rnorm(length(truth), sd = 0.2)
    tt <- truth - mu
    h_npx <- mu + alpha + beta * tt + (if (kind == "curve") 0.35 * tt^2 else 0) +
      rnorm(length(truth), sd = noise)
    names(h_npx) <- all_s
    # an HT assay with two Explore 3072 partners: one set of HT rows, both partners
    # measure the same truth
    first_of_ht <- is.null(seen_ht[[pairs$OlinkID_1[a]]])
    if (first_of_ht) {
      seen_ht[[pairs$OlinkID_1[a]]] <- list(truth = truth, h_npx = h_npx)
    } else {
      truth <- seen_ht[[pairs$OlinkID_1[a]]]$truth
      e_npx <- truth + rnorm(length(truth), sd = 0.2)
    }
    c_e <- round(exp(rnorm(length(all_s), log(cnt_3k), 0.5)))
    c_h <- round(exp(rnorm(length(all_s), log(cnt_ht), 0.5)))
    names(c_e) <- names(c_h) <- all_s
    if (kind == "lowcount_ht") c_h[bridge[1:12]] <- sample(2:10, 12, replace = TRUE)
    if (kind == "missing") {
      e_npx[sample(all_s, 9)] <- NA
      h_npx[sample(all_s, 7)] <- NA
    }
    if (kind == "outliers") {
      h_npx[bridge[5]] <- h_npx[bridge[5]] + 9
      e_npx[bridge[9]] <- e_npx[bridge[9]] - 8
    }
    if (a %in% c(3, 12)) c_e[bridge[2:6]] <- c(3, 7, 10, 11, 12)   # a few low counts
    ht_s <- c(bridge, ht_only)
    e_s <- c(bridge, e3k_only)
    lod_h <- mu - 1.5; lod_e <- mu - 1.2
    if (first_of_ht) ht_rows[[a]] <- data.frame(
      SampleID = c(ht_s, controls), SampleType = c(rep("SAMPLE", length(ht_s)), ctrl_type),
      PlateID = "HTplate1", OlinkID = pairs$OlinkID_1[a], UniProt = sprintf("P%05d", a),
      Assay = sprintf("PROT%02d", a), AssayType = "assay", Panel = "Explore_HT",
      Block = "1", Count = c(c_h[ht_s], 5, 6, 2000, 2100),
      LOD = lod_h, NPX = c(h_npx[ht_s], lod_h - 0.5, lod_h - 0.3, mu + 0.2, mu + 0.1),
      Normalization = "Intensity", SampleQC = "PASS", AssayQC = "PASS")
    e_rows[[a]] <- data.frame(
      SampleID = c(e_s, controls), SampleType = c(rep("SAMPLE", length(e_s)), ctrl_type),
      PlateID = "E3kplate1", OlinkID = pairs$OlinkID_2[a], UniProt = sprintf("P%05d", a),
      Assay = sprintf("PROT%02d", a), AssayType = "assay",
      Panel = E3072_PANELS[(a - 1) %% 8 + 1], Block = "A", Count = c(c_e[e_s], 4, 3, 1500, 1600),
      LOD = lod_e, NPX = c(e_npx[e_s], lod_e - 0.4, lod_e - 0.2, mu - 0.1, mu),
      Normalization = "Intensity", SampleQC = "PASS", AssayQC = "PASS")
  }
  # one assay in each product only
  only <- function(d, oid) { d$OlinkID <- oid; d$Assay <- paste0(d$Assay, "X"); d }
  ht <- do.call(rbind, c(ht_rows, list(only(ht_rows[[1]], "OID49998"))))
  e3k <- do.call(rbind, c(e_rows, list(only(e_rows[[1]], "OID29998"))))
  rownames(ht) <- rownames(e3k) <- NULL
  write_csv(ht, file.path(data_dir, "ht.csv"))
  write_csv(e3k, file.path(data_dir, "e3072.csv"))
}
if (!file.exists(file.path(data_dir, "ht.csv"))) make_pair()
read_npx <- function(p) {
  d <- read.delim(p, sep = ";", colClasses = "character", na.strings = "NA")
  for (c in intersect(c("Count", "LOD", "NPX"), names(d))) d[[c]] <- as.numeric(d[[c]])
  d
}
ref <- read_npx(file.path(data_dir, "ht.csv"))
oth <- read_npx(file.path(data_dir, "e3072.csv"))

# ---- the formulas ---------------------------------------------------------------------

product_of <- function(panel) {
  u <- unique(panel)
  if (all(u %in% E3072_PANELS)) "E3072" else if (all(u == "Explore_HT")) "HT" else
    if (all(u == "Reveal")) "Reveal" else "other"
}

# many-to-many left join of the OlinkIDs to the combined IDs, then cleaning
map_ids <- function(d, own, partner, ref_side) {
  m <- map_all[(map_all$product_1 == own & map_all$product_2 == partner) |
                 (map_all$product_1 == partner & map_all$product_2 == own), ]
  own_col <- if (m$product_1[1] == own) "OlinkID_1" else "OlinkID_2"
  combined <- paste(m$OlinkID_1, m$OlinkID_2, sep = "_")
  rows <- list(); ids <- character(0)
  idx <- lapply(d$OlinkID, function(o) which(m[[own_col]] == o))
  reps <- pmax(1, lengths(idx))
  out <- d[rep(seq_len(nrow(d)), reps), , drop = FALSE]
  out$OlinkID_own <- out$OlinkID
  out$OlinkID <- unlist(lapply(seq_along(idx), function(i)
    if (length(idx[[i]]) == 0) d$OlinkID[i] else combined[idx[[i]]]))
  out <- out[grepl("^OID[0-9]{5}_OID[0-9]{5}$|^OID[0-9]{5}$", out$OlinkID), ]
  out <- out[!is.na(out$Normalization) & out$Normalization != "EXCLUDED", ]
  rownames(out) <- NULL
  out
}

q7 <- function(x, p) quantile(x, probs = p, names = FALSE, type = 7)

iqr_outlier <- function(x) {
  lim <- 3 * IQR(x, na.rm = TRUE); m <- median(x, na.rm = TRUE)
  x < m - lim | x > m + lim
}

bridgeability <- function(ref, oth, bridge) {
  keep <- function(d) d[d$SampleID %in% bridge & d$SampleType == "SAMPLE" &
                          d$AssayType == "assay" & !is.na(d$Count) & d$Count > 10,
                        c("SampleID", "OlinkID", "NPX", "Count")]
  j <- merge(keep(ref), keep(oth), by = c("SampleID", "OlinkID"),
             suffixes = c("_ref", "_oth"))
  j <- j[complete.cases(j), ]
  ids <- unique(ref$OlinkID[ref$SampleID %in% bridge])
  res <- lapply(ids, function(o) {
    g <- j[j$OlinkID == o, ]
    if (nrow(g) == 0) {
      return(data.frame(OlinkID = o, n = 0, range_ref = NA, range_other = NA,
                        range_diff = NA, median_count_ref = NA, median_count_other = NA,
                        low_count = NA, n_outliers = NA, r2 = NA, ks_d = NA,
                        BridgingRecommendation = "NotBridgeable"))
    }
    rr <- q7(g$NPX_ref, 0.9) - q7(g$NPX_ref, 0.1)
    ro <- q7(g$NPX_oth, 0.9) - q7(g$NPX_oth, 0.1)
    mr <- median(g$Count_ref); mo <- median(g$Count_oth)
    low <- mr < 150 | mo < 150
    out_l <- iqr_outlier(g$NPX_ref) | iqr_outlier(g$NPX_oth)
    h <- g[!out_l, ]
    r2 <- if (nrow(h) > 0) suppressWarnings(cor(h$NPX_ref, h$NPX_oth))^2 else NA
    ks <- if (nrow(h) > 0) suppressWarnings(ks.test(h$NPX_ref, h$NPX_oth))$statistic else NA
    rd <- abs(rr - ro)
    fail <- rd > 1 & low & r2 < 0.8
    rec <- if (nrow(h) == 0 || is.na(fail)) "NotBridgeable" else if (fail) "NotBridgeable" else
      if (is.na(ks)) NA else if (ks <= 0.2) "MedianCentering" else "QuantileSmoothing"
    data.frame(OlinkID = o, n = nrow(g), range_ref = rr, range_other = ro, range_diff = rd,
               median_count_ref = mr, median_count_other = mo, low_count = low,
               n_outliers = sum(out_l), r2 = r2, ks_d = unname(ks),
               BridgingRecommendation = rec)
  })
  do.call(rbind, res)
}

bridge_factors <- function(ref, oth, bridge) {
  a <- ref[ref$SampleID %in% bridge, c("SampleID", "OlinkID", "NPX")]
  b <- oth[oth$SampleID %in% bridge, c("SampleID", "OlinkID", "NPX")]
  j <- merge(a, b, by = c("SampleID", "OlinkID"), all = TRUE, suffixes = c("_ref", "_oth"))
  f <- tapply(j$NPX_ref - j$NPX_oth, j$OlinkID, median, na.rm = TRUE)
  f[is.na(f)] <- 0
  f
}

qs_predict <- function(ref, oth, bridge, min_n) {
  s_ref <- ref[ref$SampleType == "SAMPLE" & ref$AssayType == "assay", ]
  s_oth <- oth[oth$SampleType == "SAMPLE" & oth$AssayType == "assay", ]
  j <- merge(s_ref[, c("SampleID", "OlinkID", "NPX", "Count")],
             s_oth[, c("SampleID", "OlinkID", "NPX", "Count")],
             by = c("SampleID", "OlinkID"), all = TRUE, suffixes = c("_ref", "_oth"))
  j <- j[j$SampleID %in% bridge | j$SampleID %in% unique(oth$SampleID), ]
  j$QS <- NA_real_
  for (o in unique(j$OlinkID)) {
    g <- j$OlinkID == o
    d <- j[g, ]
    md <- d[d$SampleID %in% bridge & !is.na(d$Count_ref) & d$Count_ref > 10 &
              !is.na(d$NPX_ref) & !is.na(d$NPX_oth), ]
    if (nrow(md) < min_n) next
    e <- environment(ecdf(md$NPX_oth))
    mapped <- q7(md$NPX_ref, e$y)
    notref_quant <- sort(unique(md$NPX_oth))
    knots <- q7(notref_quant, c(0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95))
    fit <- lm(mapped ~ ns(notref_quant, knots = knots))
    j$QS[g] <- unname(predict(fit, newdata = data.frame(notref_quant = d$NPX_oth)))
  }
  j
}

cross_product <- function(ref, oth, bridge, tag) {
  pr <- product_of(ref$Panel); po <- product_of(oth$Panel)
  ref <- map_ids(ref, pr, po); oth <- map_ids(oth, po, pr)
  shared <- intersect(unique(ref$OlinkID), unique(oth$OlinkID))
  not_overlapping <- union(setdiff(unique(ref$OlinkID), shared),
                           setdiff(unique(oth$OlinkID), shared))
  ref <- ref[ref$OlinkID %in% shared, ]; oth <- oth[oth$OlinkID %in% shared, ]
  min_n <- c(E3072_HT = 40, E3072_Reveal = 32, HT_Reveal = 24, Reveal_HT = 24)[
    paste(po, pr, sep = "_")]
  br <- bridgeability(ref, oth, bridge)
  f <- bridge_factors(ref, oth, bridge)
  qs <- qs_predict(ref, oth, bridge, min_n)
  key <- function(d) paste(d$SampleID, d$OlinkID)
  ref_qs <- ifelse(ref$SampleType == "SAMPLE" & ref$AssayType == "assay", ref$NPX, NA)
  oth_qs <- qs$QS[match(key(oth), key(qs))]
  rec <- br$BridgingRecommendation[match(c(ref$OlinkID, oth$OlinkID), br$OlinkID)]
  res <- data.frame(
    Project = c(rep("P1", nrow(ref)), rep("P2", nrow(oth))),
    SampleID = c(ref$SampleID, oth$SampleID),
    OlinkID = c(ref$OlinkID, oth$OlinkID),
    NPX = c(ref$NPX, oth$NPX),
    Adj_factor = c(rep(0, nrow(ref)), unname(f[oth$OlinkID])),
    MedianCenteredNPX = c(ref$NPX, oth$NPX + unname(f[oth$OlinkID])),
    QSNormalizedNPX = c(ref_qs, oth_qs),
    BridgingRecommendation = rec)
  res$Final_NPX <- ifelse(res$BridgingRecommendation == "MedianCentering",
                          res$MedianCenteredNPX,
                          ifelse(res$BridgingRecommendation == "QuantileSmoothing",
                                 res$QSNormalizedNPX, res$NPX))
  write_tsv <- function(d, name) {
    d[] <- lapply(d, function(x) if (is.numeric(x)) fmt(x) else
      ifelse(is.na(x), "NA", as.character(x)))
    write.table(d, file.path(out, paste0(tag, "_", name, ".tsv")), sep = "\t",
                quote = FALSE, row.names = FALSE)
  }
  br$low_count <- ifelse(is.na(br$low_count), NA, ifelse(br$low_count, "TRUE", "FALSE"))
  write_tsv(br, "bridgeability")
  write_tsv(res, "normalized")
  write_tsv(data.frame(OlinkID = names(f), Adj_factor = unname(f)), "factors")
  writeLines(sort(not_overlapping), file.path(out, paste0(tag, "_not_overlapping.txt")))
  cat(tag, ": ", nrow(res), " rows; ", paste(names(table(br$BridgingRecommendation)),
      table(br$BridgingRecommendation), collapse = ", "), "\n", sep = "")
}

bridge <- intersect(unique(ref$SampleID[ref$SampleType == "SAMPLE"]),
                    unique(oth$SampleID[oth$SampleType == "SAMPLE"]))
cross_product(ref, oth, bridge, "product_syn")

# ---- a second pair: Reveal bridged to Explore HT (24 bridge rows needed) ---------------

make_reveal_pair <- function() {
  set.seed(20261129)
  m <- map_all[map_all$product_1 == "Reveal" & map_all$product_2 == "HT", ][1:10, ]
  bridge <- sprintf("B%02d", 1:30)
  ht_s <- c(bridge, sprintf("H%02d", 1:10))
  rv_s <- c(bridge, sprintf("R%02d", 1:10))
  all_s <- unique(c(ht_s, rv_s))
  ht_rows <- list(); rv_rows <- list()
  for (a in seq_len(nrow(m))) {
    mu <- runif(1, 1, 6)
    truth <- setNames(mu + rnorm(length(all_s)), all_s)
    shift <- if (a <= 4) runif(1, -0.05, 0.05) else runif(1, 0.7, 1.5)
    h <- truth + rnorm(length(all_s), sd = 0.2)
    r <- truth + shift + (if (a > 7) 0.3 * (truth - mu)^2 else 0) + rnorm(length(all_s), sd = 0.2)
    cnt <- round(exp(rnorm(length(all_s), log(if (a == 10) 90 else 800), 0.4)))
    names(cnt) <- all_s
    if (a == 9) cnt[bridge[1:8]] <- 5   # 22 usable bridge rows: no quantile smoothing
    ht_rows[[a]] <- data.frame(SampleID = ht_s, SampleType = "SAMPLE", OlinkID = m$OlinkID_2[a],
                               Assay = sprintf("RV%02d", a), AssayType = "assay",
                               Panel = "Explore_HT", Count = cnt[ht_s], NPX = h[ht_s],
                               Normalization = "Intensity")
    rv_rows[[a]] <- data.frame(SampleID = rv_s, SampleType = "SAMPLE", OlinkID = m$OlinkID_1[a],
                               Assay = sprintf("RV%02d", a), AssayType = "assay",
                               Panel = "Reveal", Count = cnt[rv_s] + 7, NPX = r[rv_s],
                               Normalization = "Intensity")
  }
  ht <- do.call(rbind, ht_rows); rv <- do.call(rbind, rv_rows)
  rownames(ht) <- rownames(rv) <- NULL
  write_csv(ht, file.path(data_dir, "reveal_ht.csv"))
  write_csv(rv, file.path(data_dir, "reveal.csv"))
}
if (!file.exists(file.path(data_dir, "reveal.csv"))) make_reveal_pair()
ref2 <- read_npx(file.path(data_dir, "reveal_ht.csv"))
oth2 <- read_npx(file.path(data_dir, "reveal.csv"))
bridge2 <- intersect(unique(ref2$SampleID), unique(oth2$SampleID))
cross_product(ref2, oth2, bridge2, "product_reveal")
