# Reference outputs for `npxkit enrich` (tests `enrich_parity_*` in crates/npxkit-cli/tests/cli.rs).
# Run from the project root: Rscript test-data/reference/enrich_cli.R
# Made with R 4.2.2 and limma 3.54.1 (Debian 12); needs ../shared/data/genesets/go_mf_human_orghs3.16.gmt.
#
# limma's kegga on the R topTable of test-data/reference/de_cli/paired.tsv, with npxkit's rules written out:
# the changed proteins are the 10 smallest P.Value of each sign (npxkit enrich --top 10); an assay belongs to a
# set when any of its genes does (multi-gene assays such as IL12A_IL12B split on "_"); the universe is the
# tested assays annotated in at least one set of the collection (the goana / clusterProfiler background; kegga
# keeps unannotated genes of an explicit universe, so the intersection is passed).
suppressPackageStartupMessages(library(limma))
out <- "test-data/reference/enrich_cli"
d <- read.delim("test-data/reference/de_cli/input/npx.csv", sep = ";", stringsAsFactors = FALSE)
assay_of <- setNames(d$Assay, d$OlinkID)
tt <- read.delim("test-data/reference/de_cli/paired.tsv", stringsAsFactors = FALSE)
tt <- tt[order(tt$P.Value), ]
up <- head(tt$OlinkID[tt$logFC > 0], 10)
down <- head(tt$OlinkID[tt$logFC < 0], 10)
lines <- strsplit(readLines("../shared/data/genesets/go_mf_human_orghs3.16.gmt"), "\t")
sets <- setNames(lapply(lines, function(l) l[-(1:2)]), sapply(lines, `[`, 1))
genes_of <- lapply(tt$OlinkID, function(o) strsplit(assay_of[[o]], "_")[[1]])
gp <- do.call(rbind, lapply(names(sets), function(id) {
  hit <- tt$OlinkID[vapply(genes_of, function(g) any(g %in% sets[[id]]), logical(1))]
  if (length(hit)) data.frame(gene = hit, pathway = id) else NULL
}))
names_df <- data.frame(PathwayID = names(sets), Description = sapply(lines, `[`, 2))
universe <- tt$OlinkID[tt$OlinkID %in% gp$gene]
k <- kegga(list(Up = up, Down = down), universe = universe, gene.pathway = gp,
           pathway.names = names_df)
fmt <- function(v) sprintf("%.17g", v)
res <- data.frame(id = rownames(k), N = k$N, Up = k$Up, Down = k$Down, P.Up = fmt(k$P.Up),
                  P.Down = fmt(k$P.Down))
write.table(res, file.path(out, "ora_go_mf_top10.tsv"), sep = "\t", quote = FALSE, row.names = FALSE)

# camera and fry (`npxkit enrich --method camera|fry --group timepoint --pair subject --contrast C2D1-C1D1
# --genesets go-mf --min-size 1`): the QC'd matrix of the same study (study samples, manifest order), assays
# with a missing value left out, the paired design ~ subject + timepoint, sets as assay indices by the same
# gene rule, only sets with at least one assay, in collection order.
npx <- d[d$Sample_Type == "SAMPLE" & d$QC_Warning != "FAIL", ]
man <- read.delim("test-data/reference/de_cli/input/samples.tsv", stringsAsFactors = FALSE)
man <- man[man$SampleID %in% npx$SampleID, ]
ids <- unique(npx$OlinkID)
y <- matrix(NA_real_, length(ids), nrow(man), dimnames = list(ids, man$SampleID))
y[cbind(match(npx$OlinkID, ids), match(npx$SampleID, man$SampleID))] <- npx$NPX
y <- y[rowSums(is.na(y)) == 0, , drop = FALSE]
subject <- factor(man$subject)
timepoint <- factor(man$timepoint, levels = c("C1D1", "C2D1"))
design <- model.matrix(~ subject + timepoint)
ygenes <- lapply(rownames(y), function(o) strsplit(assay_of[[o]], "_")[[1]])
index <- lapply(sets, function(s) which(vapply(ygenes, function(g) any(g %in% s), logical(1))))
index <- index[lengths(index) > 0]
cam <- camera(y, index, design, contrast = ncol(design), sort = FALSE)
write.table(data.frame(id = rownames(cam), NGenes = cam$NGenes, Direction = cam$Direction,
                       PValue = fmt(cam$PValue), FDR = fmt(cam$FDR)),
            file.path(out, "camera_go_mf.tsv"), sep = "\t", quote = FALSE, row.names = FALSE)
fr <- fry(y, index, design, contrast = ncol(design), sort = "none")
write.table(data.frame(id = rownames(fr), NGenes = fr$NGenes, Direction = fr$Direction,
                       PValue = fmt(fr$PValue), FDR = fmt(fr$FDR), PValue.Mixed = fmt(fr$PValue.Mixed),
                       FDR.Mixed = fmt(fr$FDR.Mixed)),
            file.path(out, "fry_go_mf.tsv"), sep = "\t", quote = FALSE, row.names = FALSE)

# camera with the options of `npxkit enrich --method camera`: --estimate-correlation --use-ranks
# (inter.gene.cor = NA, use.ranks = TRUE) and --trend-var (trend.var = TRUE), same data and sets.
cam_est <- camera(y, index, design, contrast = ncol(design), inter.gene.cor = NA, use.ranks = TRUE,
                  sort = FALSE)
write.table(data.frame(id = rownames(cam_est), NGenes = cam_est$NGenes, Correlation = fmt(cam_est$Correlation),
                       Direction = cam_est$Direction, PValue = fmt(cam_est$PValue), FDR = fmt(cam_est$FDR)),
            file.path(out, "camera_est_ranks_go_mf.tsv"), sep = "\t", quote = FALSE, row.names = FALSE)
cam_trend <- camera(y, index, design, contrast = ncol(design), trend.var = TRUE, sort = FALSE)
write.table(data.frame(id = rownames(cam_trend), NGenes = cam_trend$NGenes, Direction = cam_trend$Direction,
                       PValue = fmt(cam_trend$PValue), FDR = fmt(cam_trend$FDR)),
            file.path(out, "camera_trend_go_mf.tsv"), sep = "\t", quote = FALSE, row.names = FALSE)

# cameraPR (`npxkit enrich --method camera-pr --de de.tsv --genesets go-mf --min-size 1`): the moderated t
# of R's topTable (paired.tsv; every assay has one), sets as rows of that table by the same gene rule, only
# sets with at least one assay, in collection order.
tindex <- lapply(sets, function(s) which(vapply(genes_of, function(g) any(g %in% s), logical(1))))
tindex <- tindex[lengths(tindex) > 0]
cpr <- cameraPR(setNames(tt$t, tt$OlinkID), tindex, sort = FALSE)
write.table(data.frame(id = rownames(cpr), NGenes = cpr$NGenes, Direction = cpr$Direction,
                       PValue = fmt(cpr$PValue), FDR = fmt(cpr$FDR)),
            file.path(out, "camera_pr_go_mf.tsv"), sep = "\t", quote = FALSE, row.names = FALSE)
