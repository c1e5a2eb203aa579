# Reference outputs for `npxkit normalize` (crate npxkit-normalize).
#
# OlinkAnalyze (5.0.2, cran/OlinkAnalyze R/olink_normalization*.R) is not installable
# here, so this script re-states its formulas in base R + dplyr (bind_rows only):
#   * assay cleaning before every normalisation: rows whose OlinkID does not match
#     ^OID\d{5}$ are dropped, rows with Normalization == "EXCLUDED" (or NA, as dplyr's
#     filter drops NA) are dropped when the column exists, and assays not shared by
#     every input (projects, and reference medians) are dropped from all of them;
#   * bridge: per OlinkID, median(ref NPX - non-ref NPX, na.rm = TRUE) over the
#     bridge samples (pairs joined on SampleID x OlinkID, full outer as pivot_wider);
#     NA -> 0; an assay without any bridge row gets no factor (NA);
#   * subset: median(ref subset NPX) - median(non-ref subset NPX) per assay; NA -> 0;
#   * reference median: Reference_NPX - median(subset NPX); NA -> 0;
#   * the factor is added to NPX and to every LOD-like column; the reference keeps
#     Adj_factor 0; output = reference rows then non-reference rows; `Project` is
#     overwritten in place when present, else appended, then `Adj_factor`;
#   * MaxLOD-like columns become the per-assay max over the output (na.rm = TRUE);
#   * olink_normalization_n: projects in order; each normalised to the already
#     normalised project it points at; bridge samples of the non-reference project
#     renamed to the reference IDs (positional pairs), normalised, renamed back and
#     then removed from the non-reference project; MaxLOD updated at every step and
#     at the end.
# Run from the repository root:  Rscript test-data/reference/normalize.R [olink-examples-dir]
# It writes test-data/reference/normalize/*.tsv (numbers at %.17g) and the synthetic
# inputs (syn_*.csv) it generates.

suppressPackageStartupMessages(library(dplyr))

args <- commandArgs(trailingOnly = TRUE)
ex_dir <- if (length(args) >= 1) args[1] else "../shared/data/olink-examples/package-data"
out <- "test-data/reference/normalize"
dir.create(out, showWarnings = FALSE, recursive = TRUE)

LOD_NAMES <- c("LOD", "lod", "Plate LOD", "Plate_LOD", "PlateLOD", "plate lod",
               "plate_lod", "platelod", "Max LOD", "Max_LOD", "MaxLOD", "max lod",
               "max_lod", "maxlod", "LODNPX", "lodnpx", "LOD_NPX", "lod_npx",
               "PCNormalizedLOD", "pcnormalizedlod", "pc_normalized_lod", "NCLOD",
               "NCPCNormalizedLOD", "FixedLOD", "FixedPCNormalizedLOD",
               "LODIPCNormalizedNPX", "LODQuant")
MAXLOD_NAMES <- LOD_NAMES[grepl("max", LOD_NAMES, ignore.case = TRUE)]

fmt <- function(x) ifelse(is.na(x), "NA", sprintf("%.17g", x))

# ---- the formulas ---------------------------------------------------------------

clean_assays <- function(lst, ref_medians = NULL) {
  lst <- lapply(lst, function(d) {
    d <- d[grepl("^OID[0-9]{5}$", d$OlinkID), , drop = FALSE]
    if ("Normalization" %in% names(d)) {
      keep <- d$Normalization != "EXCLUDED"
      d <- d[!is.na(keep) & keep, , drop = FALSE]
    }
    d
  })
  if (!is.null(ref_medians)) {
    ref_medians <- ref_medians[grepl("^OID[0-9]{5}$", ref_medians$OlinkID), ]
  }
  ids <- lapply(lst, function(d) unique(d$OlinkID))
  if (!is.null(ref_medians)) ids$reference_medians <- unique(ref_medians$OlinkID)
  removed <- character(0)
  for (a in names(ids)) for (b in names(ids)) if (a != b) {
    removed <- c(removed, setdiff(ids[[a]], ids[[b]]))
  }
  removed <- unique(removed)
  lst <- lapply(lst, function(d) d[!(d$OlinkID %in% removed), , drop = FALSE])
  if (!is.null(ref_medians)) ref_medians <- ref_medians[!(ref_medians$OlinkID %in% removed), ]
  list(lst = lst, ref_medians = ref_medians, removed = removed)
}

assay_median <- function(d, samples) {
  d <- d[d$SampleID %in% samples, ]
  m <- tapply(d$NPX, factor(d$OlinkID, levels = unique(d$OlinkID)),
              function(v) stats::median(v, na.rm = TRUE))
  m
}

bridge_factors <- function(ref, nref, samples) {
  r <- ref[ref$SampleID %in% samples, c("SampleID", "OlinkID", "NPX")]
  n <- nref[nref$SampleID %in% samples, c("SampleID", "OlinkID", "NPX")]
  m <- merge(r, n, by = c("SampleID", "OlinkID"), all = TRUE, suffixes = c(".ref", ".nref"))
  d <- m$NPX.ref - m$NPX.nref
  f <- tapply(d, m$OlinkID, function(v) stats::median(v, na.rm = TRUE))
  f[is.na(f)] <- 0
  f
}

subset_factors <- function(ref, nref, ref_samples, nref_samples) {
  a <- assay_median(ref, ref_samples)
  b <- assay_median(nref, nref_samples)
  ids <- union(names(a), names(b))
  f <- a[ids] - b[ids]
  names(f) <- ids
  f[is.na(f)] <- 0
  f
}

set_project <- function(d, name, adj) {
  d$Project <- name # in place when present, else appended
  d$Adj_factor <- adj
  d
}

adjust <- function(d, f, name) {
  adj <- unname(f[match(d$OlinkID, names(f))])
  d$Adj_factor <- adj
  for (c in intersect(names(d), c("NPX", LOD_NAMES))) d[[c]] <- d[[c]] + adj
  d$Project <- name
  d
}

update_maxlod <- function(d) {
  for (c in intersect(names(d), MAXLOD_NAMES)) {
    d[[c]] <- ave(d[[c]], d$OlinkID, FUN = function(v) max(v, na.rm = TRUE))
  }
  d
}

# olink_normalization with two data frames (bridge or subset) or one (ref median).
normalize2 <- function(df1, df2 = NULL, s1, s2 = NULL, n1 = "P1", n2 = "P2",
                       ref = "P1", ref_medians = NULL) {
  if (!is.null(ref_medians)) {
    cl <- clean_assays(setNames(list(df1), n1), ref_medians)
    d <- cl$lst[[1]]
    med <- assay_median(d, s1)
    f <- ref_medians$Reference_NPX[match(names(med), ref_medians$OlinkID)] - med
    names(f) <- names(med)
    f[is.na(f)] <- 0
    return(update_maxlod(adjust(d, f, n1)))
  }
  cl <- clean_assays(setNames(list(df1, df2), c(n1, n2)))
  if (ref == n1) {
    rd <- cl$lst[[1]]; nd <- cl$lst[[2]]; rn <- n1; nn <- n2; rs <- s1; ns <- s2
  } else {
    rd <- cl$lst[[2]]; nd <- cl$lst[[1]]; rn <- n2; nn <- n1; rs <- s2; ns <- s1
  }
  f <- if (is.null(s2)) bridge_factors(rd, nd, s1) else subset_factors(rd, nd, rs, ns)
  out <- bind_rows(set_project(rd, rn, 0), adjust(nd, f, nn))
  update_maxlod(out)
}

# olink_normalization_n. schema: list of list(name, data, type, df1, df2, to)
normalize_n <- function(schema) {
  first <- schema[[1]]
  res <- list()
  res[[first$name]] <- set_project(first$data, first$name, 0L)
  for (st in schema[-1]) {
    refname <- schema[[st$to]]$name
    refd <- res[[refname]]
    refd$Project <- NULL
    refd$Adj_factor <- NULL
    d <- st$data
    if (st$type == "Bridge") {
      i <- match(d$SampleID, st$df2)
      d$SampleID[!is.na(i)] <- st$df1[i[!is.na(i)]]
      o <- normalize2(refd, d, st$df1, NULL, refname, st$name, refname)
      j <- match(o$SampleID, st$df1)
      back <- !is.na(j) & o$Project != refname
      o$SampleID[back] <- st$df2[j[back]]
      o <- o[!(o$SampleID %in% st$df2 & o$Project == st$name), ]
    } else {
      o <- normalize2(refd, d, st$df1, st$df2, refname, st$name, refname)
    }
    res[[st$name]] <- o[o$Project != refname, ]
  }
  update_maxlod(bind_rows(res))
}

# ---- writers -----------------------------------------------------------------------

write_case <- function(case, o, assays = NULL) {
  f <- unique(o[, c("Project", "OlinkID", "Adj_factor")])
  writeLines(c("Project\tOlinkID\tAdj_factor",
               paste(f$Project, f$OlinkID, fmt(f$Adj_factor), sep = "\t")),
             file.path(out, paste0(case, "_factors.tsv")))
  cnt <- table(factor(o$Project, levels = unique(o$Project)))
  writeLines(c("Project\tn_rows\tn_samples",
               paste(names(cnt), as.integer(cnt),
                     sapply(names(cnt), function(p) length(unique(o$SampleID[o$Project == p]))),
                     sep = "\t")),
             file.path(out, paste0(case, "_counts.tsv")))
  rows <- if (is.null(assays)) o else o[o$OlinkID %in% assays, ]
  num <- intersect(c("NPX", LOD_NAMES), names(rows))
  lines <- paste(rows$Project, rows$SampleID, rows$OlinkID,
                 do.call(paste, c(lapply(num, function(c) fmt(rows[[c]])), sep = "\t")),
                 fmt(rows$Adj_factor), sep = "\t")
  writeLines(c(paste(c("Project", "SampleID", "OlinkID", num, "Adj_factor"), collapse = "\t"),
               lines),
             file.path(out, paste0(case, "_normalized.tsv")))
  cat(case, ":", nrow(o), "rows\n")
}

write_input <- function(d, file) {
  d2 <- d
  for (c in names(d2)) if (is.numeric(d2[[c]])) d2[[c]] <- fmt(d2[[c]])
  writeLines(c(paste(names(d2), collapse = ";"), do.call(paste, c(d2, sep = ";"))),
             file.path(out, file))
}

# ---- synthetic cases (always generated, inputs committed) ---------------------------

set.seed(20261127)
mk <- function(samples, assays, shift, plate) {
  g <- expand.grid(OlinkID = assays, SampleID = samples, stringsAsFactors = FALSE)
  g <- g[, c("SampleID", "OlinkID")]
  k <- match(g$OlinkID, assays)
  data.frame(
    SampleID = g$SampleID,
    OlinkID = g$OlinkID,
    UniProt = paste0("P", 10000 + k),
    Assay = paste0("PROT", k),
    Panel = "Olink Target 96 Inflammation",
    PlateID = plate,
    QC_Warning = "Pass",
    LOD = round(1 + 0.1 * k + shift / 2 + runif(nrow(g), 0, 0.01), 6),
    MaxLOD = round(1.5 + 0.1 * k + shift / 3, 6),
    NPX = round(3 + k + shift + rnorm(nrow(g)), 6),
    stringsAsFactors = FALSE
  )
}
A6 <- sprintf("OID%05d", 1:6)
p1 <- mk(c(paste0("S", 1:10), paste0("B", 1:4), "CONTROL_SAMPLE_1"), A6, 0, "plate1")
p2 <- mk(c(paste0("T", 1:8), paste0("B", 1:4), paste0("C", 1:3), "CONTROL_SAMPLE_1"),
         A6[1:5], 0.7, "plate2")
p3 <- mk(c(paste0("U", 1:6), paste0("X", 1:3)), A6[1:5], -0.4, "plate3")
# missing values: one bridge NPX missing for OID00002 in P2, all P2 bridges missing
# for OID00004 (factor 0), and a missing LOD
p2$NPX[p2$SampleID == "B2" & p2$OlinkID == "OID00002"] <- NA
p2$NPX[p2$SampleID %in% paste0("B", 1:4) & p2$OlinkID == "OID00004"] <- NA
p1$NPX[p1$SampleID == "S3" & p1$OlinkID == "OID00001"] <- NA
p3$LOD[p3$SampleID == "U2" & p3$OlinkID == "OID00003"] <- NA
write_input(p1, "syn_p1.csv")
write_input(p2, "syn_p2.csv")
write_input(p3, "syn_p3.csv")
bridge12 <- paste0("B", 1:4) # shared by P1 and P2, controls excluded (even number)

# 1. two projects, bridge (auto): OID00006 is absent from P2 and is dropped
write_case("syn_bridge", normalize2(p1, p2, bridge12))
# 2. the same with P2 as reference
write_case("syn_bridge_ref2", normalize2(p1, p2, bridge12, ref = "P2"))
# 3. subset: S1..S5 of P1, T1..T6 of P2
write_case("syn_subset", normalize2(p1, p2, paste0("S", 1:5), paste0("T", 1:6)))
# 4. reference medians: P1 with samples S1..S10; OID00006 has no reference median
refmed <- data.frame(OlinkID = A6[1:5], Reference_NPX = c(4.5, 5.25, 6, 7.125, 8))
write.table(data.frame(OlinkID = refmed$OlinkID, Reference_NPX = fmt(refmed$Reference_NPX)),
            file.path(out, "syn_refmed_medians.tsv"), sep = "\t", quote = FALSE, row.names = FALSE)
write_case("syn_refmed", normalize2(p1, s1 = paste0("S", 1:10), ref_medians = refmed))
# 5. three projects chained: P2 -> P1 over B1..B4, P3 -> P2 over X1..X3 ~ C1..C3
writeLines(c("Project\tSampleID\tReferenceSampleID",
             paste("P2", bridge12, bridge12, sep = "\t"),
             paste("P3", paste0("X", 1:3), paste0("C", 1:3), sep = "\t")),
           file.path(out, "syn_chain_bridges.tsv"))
schema <- list(
  list(name = "P1", data = p1),
  list(name = "P2", data = p2, type = "Bridge", df1 = bridge12, df2 = bridge12, to = 1),
  list(name = "P3", data = p3, type = "Bridge", df1 = paste0("C", 1:3), df2 = paste0("X", 1:3), to = 2)
)
write_case("syn_chain", normalize_n(schema))
# 6. three projects chained by subsets
writeLines(c("Project\tSampleID", paste("P1", paste0("S", 1:6), sep = "\t"),
             paste("P2", paste0("T", 1:8), sep = "\t"),
             paste("P3", paste0("U", 1:6), sep = "\t")),
           file.path(out, "syn_chain_subsets.tsv"))
schema_s <- list(
  list(name = "P1", data = p1),
  list(name = "P2", data = p2, type = "Subset", df1 = paste0("S", 1:6), df2 = paste0("T", 1:8), to = 1),
  list(name = "P3", data = p3, type = "Subset", df1 = paste0("T", 1:8), df2 = paste0("U", 1:6), to = 2)
)
write_case("syn_chain_subset", normalize_n(schema_s))

# ---- the package's example data (npx_data1, npx_data2) -------------------------------

f1 <- file.path(ex_dir, "npx_data1.csv")
if (file.exists(f1)) {
  d1 <- read.csv(f1, sep = ";", stringsAsFactors = FALSE, check.names = FALSE)
  d2 <- read.csv(file.path(ex_dir, "npx_data2.csv"), sep = ";", stringsAsFactors = FALSE,
                 check.names = FALSE)
  ov <- intersect(d1$SampleID, d2$SampleID)
  ov <- ov[!grepl("^CONTROL_SAMPLE", ov)]
  cat("example bridge samples:", length(ov), "\n")
  keep <- unique(d1$OlinkID)[c(1, 2, 50, 92, 184)]
  write_case("example_bridge", normalize2(d1, d2, ov), keep)
  write_case("example_bridge_ref2", normalize2(d1, d2, ov, ref = "P2"), keep)
  s1 <- unique(d1$SampleID[!grepl("^CONTROL_SAMPLE", d1$SampleID)])[seq(1, 150, by = 7)]
  s2 <- unique(d2$SampleID[!grepl("^CONTROL_SAMPLE", d2$SampleID)])[seq(2, 150, by = 5)]
  writeLines(c("Project\tSampleID", paste("P1", s1, sep = "\t"), paste("P2", s2, sep = "\t")),
             file.path(out, "example_subsets.tsv"))
  write_case("example_subset", normalize2(d1, d2, s1, s2), keep)
  ids <- unique(d1$OlinkID)
  rm_df <- data.frame(OlinkID = ids, Reference_NPX = round(5 + 3 * sin(seq_along(ids)), 6))
  write.table(rm_df, file.path(out, "example_refmed_medians.tsv"), sep = "\t",
              quote = FALSE, row.names = FALSE)
  write_case("example_refmed", normalize2(d1, s1 = s1, ref_medians = rm_df), keep)
} else {
  cat("example data not found at", ex_dir, "- example cases skipped\n")
}
