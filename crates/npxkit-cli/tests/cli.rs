//! End-to-end tests of the `npxkit` binary: real files in, real files out, exit codes.
//! One test binary for the whole CLI (see Cargo.toml `autotests = false`).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn npxkit(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_npxkit"))
        .args(args)
        .output()
        .expect("the npxkit binary runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn ok(args: &[&str]) -> Output {
    let o = npxkit(args);
    assert!(o.status.success(), "npxkit {args:?} failed: {}", stderr(&o));
    o
}

/// Runs a command that must fail with `code`, returning its stderr.
fn fails(args: &[&str], code: i32) -> String {
    let o = npxkit(args);
    assert_eq!(
        o.status.code(),
        Some(code),
        "npxkit {args:?}: {}",
        stderr(&o)
    );
    stderr(&o)
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn small() -> PathBuf {
    repo().join("test-data/sim-small")
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn simulate_reproduces_committed_study() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("s");
    ok(&[
        "simulate",
        "--proteins",
        "150",
        "--subjects",
        "10",
        "--unpaired",
        "1",
        "--seed",
        "7",
        "--out",
        p(&out),
    ]);
    for f in ["npx.csv", "samples.tsv", "truth.tsv"] {
        assert!(
            read(&out.join(f)) == read(&small().join(f)),
            "{f} differs from test-data/sim-small"
        );
    }
    let run: serde_json::Value = serde_json::from_str(&read(&out.join("run.json"))).unwrap();
    assert_eq!(run["subcommand"], "simulate");
    assert_eq!(run["options"]["seed"], 7);
}

#[test]
fn qc_same_tables_from_csv_parquet_and_zip() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = small().join("samples.tsv");
    let zip_path = dir.path().join("delivery.zip");
    write_zip(&zip_path, &small().join("npx.csv"), None);
    let mut tables = Vec::new();
    for (name, input) in [
        ("csv", small().join("npx.csv")),
        ("parquet", small().join("npx.parquet")),
        ("zip", zip_path),
    ] {
        let out = dir.path().join(name);
        let o = ok(&[
            "qc",
            "--npx",
            p(&input),
            "--samples",
            p(&manifest),
            "--group",
            "timepoint",
            "--pair",
            "subject",
            "--out",
            p(&out),
        ]);
        let summary = String::from_utf8_lossy(&o.stdout).into_owned();
        assert!(
            summary.contains("19 kept") && summary.contains("9 complete subjects"),
            "{summary}"
        );
        tables.push((read(&out.join("qc.tsv")), read(&out.join("assay_qc.tsv"))));
    }
    assert!(
        tables.windows(2).all(|w| w[0] == w[1]),
        "qc tables differ between formats"
    );
    let (qc, assay_qc) = &tables[0];
    let lines: Vec<&str> = qc.lines().collect();
    assert_eq!(
        lines.len(),
        1 + 23,
        "one row per sample in the file, controls included"
    );
    assert!(lines[0].starts_with("SampleID\tSampleType\tPlateID\tQC_status\tn_assays"));
    let controls = lines
        .iter()
        .filter(|l| l.contains("control (SampleType"))
        .count();
    assert_eq!(controls, 4);
    // The unpaired sample keeps its subject; controls have neither subject nor pairing.
    let unpaired: Vec<&&str> = lines.iter().filter(|l| l.ends_with("\tFALSE")).collect();
    assert_eq!(unpaired.len(), 1, "{unpaired:?}");
    assert!(unpaired[0].ends_with("\tP010\tFALSE"), "{unpaired:?}");
    assert_eq!(lines.iter().filter(|l| l.ends_with("\tNA\tNA")).count(), 4);
    assert_eq!(assay_qc.lines().count(), 1 + 150);
}

#[test]
fn qc_output_is_deterministic_across_threads() {
    let dir = tempfile::tempdir().unwrap();
    let npx = small().join("npx.parquet");
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    ok(&["--threads", "1", "qc", "--npx", p(&npx), "--out", p(&a)]);
    ok(&["qc", "--threads", "2", "--npx", p(&npx), "--out", p(&b)]);
    for f in ["qc.tsv", "assay_qc.tsv"] {
        assert_eq!(
            std::fs::read(a.join(f)).unwrap(),
            std::fs::read(b.join(f)).unwrap(),
            "{f}"
        );
    }
}

#[test]
fn qc_rules_change_the_matrix() {
    let dir = tempfile::tempdir().unwrap();
    let npx = small().join("npx.csv");
    let out = dir.path().join("warn");
    let o = ok(&[
        "qc",
        "--npx",
        p(&npx),
        "--exclude-warn",
        "--below-lod",
        "nan",
        "--max-missing",
        "0.2",
        "--out",
        p(&out),
    ]);
    let summary = String::from_utf8_lossy(&o.stdout).into_owned();
    // The simulation flags 2 study samples WARN.
    assert!(summary.contains("17 kept"), "{summary}");
    let qc = read(&out.join("qc.tsv"));
    assert_eq!(qc.matches("QC status WARN (--exclude-warn)").count(), 2);
    let assay_qc = read(&out.join("assay_qc.tsv"));
    assert!(
        assay_qc.contains("(> --max-missing 0.2)"),
        "some low assays fall below LOD in > 20% of samples"
    );
}

#[test]
fn qc_official_examples() {
    let dir = repo().join("../shared/data/olink-examples");
    if !dir.is_dir() {
        eprintln!("skipped: {} is absent", dir.display());
        return;
    }
    let out = tempfile::tempdir().unwrap();
    for f in [
        "npx_data_long_csv.csv",
        "npx_data_wide_csv.csv",
        "alt-versions/dd2d55f/npx_data_wide_csv.csv",
        "Example_NPX_Data.csv",
        "Example_NPX_Data2_1.csv",
        "cran-OlinkAnalyze/Example_NPX_Data.csv",
        "cran-OlinkAnalyze/npx_data_ext.parquet",
        "cran-OlinkAnalyze/npx_data1.xlsx",
        "package-data/npx_data1.csv",
        "package-data/npx_data2.csv",
    ] {
        ok(&["qc", "--npx", p(&dir.join(f)), "--out", p(out.path())]);
    }
    let o = ok(&[
        "qc",
        "--npx",
        p(&dir.join("npx_data_wide_csv.csv")),
        "--samples",
        p(&dir.join("npx_data1_meta.csv")),
        "--group",
        "Time",
        "--pair",
        "Subject",
        "--out",
        p(out.path()),
    ]);
    let summary = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        summary.contains("2 controls") && summary.contains("156 kept"),
        "{summary}"
    );
    assert!(
        summary.contains("complete subjects over Baseline, Week.12, Week.6"),
        "{summary}"
    );
}

fn write_zip(zip_path: &Path, member: &Path, checksum: Option<&str>) {
    use md5::{Digest, Md5};
    let data = std::fs::read(member).unwrap();
    let sum = checksum.map_or_else(
        || {
            Md5::digest(&data)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect()
        },
        str::to_string,
    );
    let mut z = zip::ZipWriter::new(std::fs::File::create(zip_path).unwrap());
    let opts = zip::write::SimpleFileOptions::default();
    z.start_file("Example_NPX_Data.csv", opts).unwrap();
    z.write_all(&data).unwrap();
    z.start_file("MD5_checksum.txt", opts).unwrap();
    z.write_all(sum.as_bytes()).unwrap();
    z.finish().unwrap();
}

#[test]
fn bad_input_exits_1_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let write = |name: &str, text: &str| {
        let path = d.join(name);
        std::fs::write(&path, text).unwrap();
        path
    };
    let out = d.join("out");
    let header = "SampleID;OlinkID;UniProt;Assay;NPX\n";
    let cases: Vec<(PathBuf, &str)> = vec![
        (
            write(
                "trunc.csv",
                &format!("{header}S1;O1;P1;IL6;1.5\nS2;O1;P1;IL"),
            ),
            "truncated",
        ),
        (
            write("sep.csv", "SampleID|OlinkID|Assay|NPX\nS1|O1|A|1\n"),
            "separator",
        ),
        (
            write("nonpx.csv", "SampleID;OlinkID;Assay;Value\nS1;O1;A;1\n"),
            "no column `NPX`",
        ),
        (
            write("text.csv", &format!("{header}S1;O1;P1;IL6;high\n")),
            "line 2, column `NPX`: `high` is not a number",
        ),
        (write("empty.csv", ""), "empty"),
        (
            write("garbage.bin", "\u{0}\u{1}\u{2}PK garbage \u{0}"),
            "not a recognised Olink NPX file",
        ),
        (
            write(
                "dup.csv",
                &format!("{header}S1;O1;P1;IL6;1\nS1;O1;P1;IL6;2\n"),
            ),
            "duplicated SampleID × OlinkID",
        ),
    ];
    for (path, expect) in &cases {
        let e = fails(&["qc", "--npx", p(path), "--out", p(&out)], 1);
        assert!(
            e.contains(expect) && e.contains(path.file_name().unwrap().to_str().unwrap()),
            "{}: {e}",
            path.display()
        );
        assert!(!e.contains("panicked"), "{e}");
    }
    let npx = small().join("npx.csv");
    let no_id = write("m1.tsv", "sample\tsubject\nS0001\tP1\n");
    let e = fails(
        &[
            "qc",
            "--npx",
            p(&npx),
            "--samples",
            p(&no_id),
            "--out",
            p(&out),
        ],
        1,
    );
    assert!(
        e.contains("m1.tsv") && e.contains("no column `SampleID`"),
        "{e}"
    );
    let ghost = write("m2.tsv", "SampleID\tsubject\nS0001\tP1\nGHOST\tP2\n");
    let e = fails(
        &[
            "qc",
            "--npx",
            p(&npx),
            "--samples",
            p(&ghost),
            "--out",
            p(&out),
        ],
        1,
    );
    assert!(e.contains("manifest have no NPX data: `GHOST`"), "{e}");
    assert!(!out.join("qc.tsv").exists(), "a failed run writes no table");
    // A corrupt parquet page makes the engine assert; the user gets a clear error.
    let official =
        repo().join("../shared/data/olink-examples/cran-OlinkAnalyze/npx_data_ext.parquet");
    if let Ok(mut bytes) = std::fs::read(&official) {
        bytes[973] = 0;
        let corrupt = d.join("corrupt.parquet");
        std::fs::write(&corrupt, bytes).unwrap();
        let e = fails(&["qc", "--npx", p(&corrupt), "--out", p(&out)], 1);
        assert!(
            e.contains("corrupt or truncated") && !e.contains("panicked"),
            "{e}"
        );
    }
    let bad_zip = d.join("bad.zip");
    write_zip(&bad_zip, &npx, Some("0123456789abcdef0123456789abcdef"));
    let e = fails(&["qc", "--npx", p(&bad_zip), "--out", p(&out)], 1);
    assert!(
        e.contains("checksum mismatch") && e.contains("fetch the delivery again"),
        "{e}"
    );
}

#[test]
fn genesets_list_and_show() {
    let o = ok(&["genesets", "list"]);
    let list = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        list.starts_with("name\tversion\tsets\tdescription\n"),
        "{list}"
    );
    assert!(
        list.contains("bindea2013\tBindea 2013 (ConsensusTME)\t24\t"),
        "{list}"
    );
    assert!(
        list.contains("go-bp\tGO.db 3.16.0 / org.Hs.eg.db 3.16.0\t11391\t"),
        "{list}"
    );
    let o = ok(&["genesets", "show", "bindea2013", "--set", "CD8_T_cells"]);
    let genes = String::from_utf8_lossy(&o.stdout).into_owned();
    assert_eq!(genes.lines().count(), 37);
    assert!(genes.lines().any(|g| g == "CD8A"));
    let e = fails(&["genesets", "show", "kegg"], 2);
    assert!(
        e.contains("choose one of bindea2013, go-bp, go-mf, go-cc"),
        "{e}"
    );
    let e = fails(&["genesets", "show", "bindea2013", "--set", "Nope"], 2);
    assert!(e.contains("has no set `Nope`"), "{e}");
    // The embedded GO BP collection is the shared GO.db 3.16 export, byte for byte.
    let shared = repo().join("../shared/data/genesets/go_bp_human_orghs3.16.gmt");
    match std::fs::read(&shared) {
        Ok(bytes) => {
            let o = ok(&["genesets", "show", "go-bp", "--gmt"]);
            assert!(
                o.stdout == bytes,
                "go-bp --gmt differs from {}",
                shared.display()
            );
        }
        Err(_) => eprintln!(
            "skipped the GO BP comparison: {} is absent",
            shared.display()
        ),
    }
}

#[test]
fn cli_reference_doc_is_up_to_date() {
    let script = repo().join("docs/make-cli-md.sh");
    let o = Command::new("bash")
        .arg(&script)
        .arg(env!("CARGO_BIN_EXE_npxkit"))
        .output()
        .expect("bash runs");
    assert!(o.status.success(), "{}", stderr(&o));
    let committed = read(&repo().join("docs/cli.md"));
    assert!(
        String::from_utf8_lossy(&o.stdout) == committed,
        "docs/cli.md is out of date: run `make docs`"
    );
}

#[test]
fn usage_errors_exit_2() {
    let npx = small().join("npx.csv");
    fails(&["qc", "--npx", p(&npx)], 2); // --out missing
    fails(&["qc", "--bogus"], 2);
    let e = fails(
        &[
            "qc",
            "--npx",
            p(&npx),
            "--max-missing",
            "2",
            "--out",
            "/tmp/x",
        ],
        2,
    );
    assert!(e.contains("--max-missing"), "{e}");
    let e = fails(
        &[
            "qc",
            "--npx",
            p(&npx),
            "--control-pattern",
            "(",
            "--out",
            "/tmp/x",
        ],
        2,
    );
    assert!(e.contains("--control-pattern"), "{e}");
    let e = fails(&["simulate", "--proteins", "0", "--out", "/tmp/x"], 2);
    assert!(e.contains("--proteins"), "{e}");
    let o = ok(&["--help"]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("qc"));
    let o = ok(&["qc", "--help"]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("Example:"));
}

// ===================================================================================
// npxkit de (issue 4): end to end on simulated studies, and parity with R limma.
// Helpers of this section start with `de_`.
// ===================================================================================

/// de.tsv's columns after the optional leading `contrast`.
const DE_COLUMNS: &str =
    "OlinkID\tUniProt\tAssay\tlogFC\tCI.L\tCI.R\tAveExpr\tt\tP.Value\tadj.P.Val\tB\tdf.total";

/// Reads a TSV into its header and rows of cells.
fn de_read_tsv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let text = read(path);
    let mut lines = text.lines();
    let header = lines
        .next()
        .unwrap()
        .split('\t')
        .map(String::from)
        .collect();
    let rows = lines
        .map(|l| l.split('\t').map(String::from).collect())
        .collect();
    (header, rows)
}

fn de_num(s: &str) -> f64 {
    if s == "NA" {
        f64::NAN
    } else {
        s.parse()
            .unwrap_or_else(|_| panic!("`{s}` is not a number"))
    }
}

/// OlinkIDs in order of first appearance in a `;`-separated NPX CSV (the matrix order).
fn de_input_order(npx_csv: &Path) -> Vec<String> {
    let text = read(npx_csv);
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(';').collect();
    let col = header.iter().position(|h| *h == "OlinkID").unwrap();
    let mut seen = std::collections::HashSet::new();
    lines
        .map(|l| l.split(';').nth(col).unwrap().to_string())
        .filter(|id| seen.insert(id.clone()))
        .collect()
}

#[test]
fn de_paired_simulated_study() {
    let dir = tempfile::tempdir().unwrap();
    let study = dir.path().join("study");
    ok(&[
        "simulate",
        "--proteins",
        "200",
        "--subjects",
        "10",
        "--seed",
        "3",
        "--out",
        p(&study),
    ]);
    let run = |threads: &str, out: &Path| {
        let o = ok(&[
            "--threads",
            threads,
            "de",
            "--npx",
            p(&study.join("npx.csv")),
            "--samples",
            p(&study.join("samples.tsv")),
            "--group",
            "timepoint",
            "--pair",
            "subject",
            "--contrast",
            "C2D1-C1D1",
            "--out",
            p(out),
        ]);
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    let (out1, out2) = (dir.path().join("t1"), dir.path().join("t2"));
    let summary = run("1", &out1);
    run("2", &out2);
    assert!(
        summary.starts_with("de: 200 assays tested") && summary.contains("C2D1-C1D1: "),
        "{summary}"
    );
    assert_eq!(
        std::fs::read(out1.join("de.tsv")).unwrap(),
        std::fs::read(out2.join("de.tsv")).unwrap(),
        "de.tsv depends on --threads"
    );
    let text = read(&out1.join("de.tsv"));
    assert_eq!(text.lines().next().unwrap(), DE_COLUMNS);
    let (header, rows) = de_read_tsv(&out1.join("de.tsv"));
    assert_eq!(rows.len(), 200);
    assert!(rows.iter().all(|r| r.len() == header.len()));
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    // Sorted by P.Value, ties in input order.
    let order = de_input_order(&study.join("npx.csv"));
    let rank = |id: &str| order.iter().position(|o| o == id).unwrap();
    for w in rows.windows(2) {
        let (a, b) = (de_num(&w[0][col("P.Value")]), de_num(&w[1][col("P.Value")]));
        assert!(a <= b, "not sorted by P.Value: {a} then {b}");
        if a == b {
            assert!(rank(&w[0][col("OlinkID")]) < rank(&w[1][col("OlinkID")]));
        }
    }
    let cd274 = rows.iter().find(|r| r[col("Assay")] == "CD274").unwrap();
    assert!(de_num(&cd274[col("logFC")]) > 0.0, "{cd274:?}");
    assert!(de_num(&cd274[col("CI.L")]) < de_num(&cd274[col("CI.R")]));
    let record: serde_json::Value = serde_json::from_str(&read(&out1.join("run.json"))).unwrap();
    assert_eq!(record["subcommand"], "de");
    assert_eq!(record["options"]["contrast"][0], "C2D1-C1D1");
}

/// Relative tolerances of the R parity tests (DESIGN.md "Reference parity").
const DE_TOL_ESTIMATES: f64 = 1e-10;
const DE_TOL_PVALUES: f64 = 1e-8;

/// Runs `npxkit de` on the committed study `test-data/reference/de_cli/input/` with the
/// options in `<reference>/<case>.args`; returns the temporary folder (kept alive), the
/// output folder and the options.
fn de_run_case(reference: &Path, case: &str) -> (tempfile::TempDir, PathBuf, String) {
    let input = repo().join("test-data/reference/de_cli/input");
    let extra = read(&reference.join(format!("{case}.args")));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let mut args = vec![
        "de".to_string(),
        "--npx".into(),
        p(&input.join("npx.csv")).into(),
        "--samples".into(),
        p(&input.join("samples.tsv")).into(),
    ];
    args.extend(extra.lines().map(String::from));
    args.extend(["--out".into(), p(&out).into()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    ok(&args);
    (dir, out, extra)
}

/// A de.tsv row's key: its contrast (the first one when the table has no `contrast`
/// column) and OlinkID.
fn de_key(h: &[String], r: &[String], first_contrast: &str) -> (String, String) {
    let c = h.iter().position(|x| x == "contrast").map(|i| r[i].clone());
    let id = r[h.iter().position(|x| x == "OlinkID").unwrap()].clone();
    (c.unwrap_or_else(|| first_contrast.to_string()), id)
}

/// Compares `got` (de.tsv) with R's `want` row by row (matched on contrast and OlinkID)
/// for each `(column, relative tolerance)`; NA must match NA. Prints the worst errors.
fn de_compare_with_r(
    case: &str,
    (got_h, got): (&[String], &[Vec<String>]),
    (want_h, want): (&[String], &[Vec<String>]),
    columns: &[(&str, f64)],
) {
    let first = want[0][0].clone();
    let got_rows: std::collections::HashMap<_, _> =
        got.iter().map(|r| (de_key(got_h, r, &first), r)).collect();
    let mut worst: Vec<(String, f64)> = Vec::new();
    for &(name, tol) in columns {
        let gi = got_h.iter().position(|h| h == name).unwrap();
        let wi = want_h.iter().position(|h| h == name).unwrap();
        let mut max_rel = 0.0_f64;
        for w in want {
            let k = de_key(want_h, w, &first);
            let g = got_rows
                .get(&k)
                .unwrap_or_else(|| panic!("{case}: no row {k:?}"));
            let (a, b) = (de_num(&g[gi]), de_num(&w[wi]));
            if a.is_nan() || b.is_nan() {
                assert!(
                    a.is_nan() && b.is_nan(),
                    "{case} {k:?} {name}: {a} vs R {b}"
                );
                continue;
            }
            let rel = if a == b { 0.0 } else { (a - b).abs() / b.abs() };
            assert!(
                rel <= tol,
                "{case} {k:?} {name}: {a} vs R {b} (relative {rel:e})"
            );
            max_rel = max_rel.max(rel);
        }
        worst.push((name.to_string(), max_rel));
    }
    eprintln!("{case}: worst relative errors vs R: {worst:?}");
}

/// Runs `npxkit de` with `test-data/reference/de_cli/<case>.args` on the committed
/// study and compares de.tsv with `<case>.tsv`, written by
/// `test-data/reference/de_cli.R` (R 4.2.2, limma 3.54.1). Relative 1e-10 for
/// logFC, CI.L, CI.R, AveExpr, t (and df.total); 1e-8 for P.Value, adj.P.Val, B.
fn de_parity(case: &str) {
    let root = repo().join("test-data/reference/de_cli");
    let (_dir, out, _) = de_run_case(&root, case);
    let (got_h, got) = de_read_tsv(&out.join("de.tsv"));
    let (want_h, want) = de_read_tsv(&root.join(format!("{case}.tsv")));
    let several = want.iter().any(|r| r[0] != want[0][0]);
    assert_eq!(
        got_h[0] == "contrast",
        several,
        "contrast column: {got_h:?}"
    );
    assert_eq!(got.len(), want.len(), "{case}: row count");
    let columns = [
        ("logFC", DE_TOL_ESTIMATES),
        ("CI.L", DE_TOL_ESTIMATES),
        ("CI.R", DE_TOL_ESTIMATES),
        ("AveExpr", DE_TOL_ESTIMATES),
        ("t", DE_TOL_ESTIMATES),
        ("df.total", DE_TOL_ESTIMATES),
        ("P.Value", DE_TOL_PVALUES),
        ("adj.P.Val", DE_TOL_PVALUES),
        ("B", DE_TOL_PVALUES),
    ];
    de_compare_with_r(case, (&got_h, &got), (&want_h, &want), &columns);
}

#[test]
fn de_parity_paired() {
    de_parity("paired");
}

#[test]
fn de_parity_covariates() {
    de_parity("covariates");
}

#[test]
fn de_parity_paired_trend() {
    de_parity("paired_trend");
}

#[test]
fn de_parity_paired_robust() {
    de_parity("paired_robust");
}

#[test]
fn de_parity_covariates_treat() {
    de_parity("covariates_treat");
}

#[test]
fn de_parity_two_contrasts() {
    de_parity("two_contrasts");
}

#[test]
fn de_parity_reference_level() {
    de_parity("reference_level");
}

/// Relative tolerance of `--method lmer` against lme4 + lmerTest + emmeans (issue #10:
/// 1e-6). R's own tight fits agree with each other only to a few 1e-7 (optimiser
/// stop, numDeriv's Hessian), so this is as close as the comparison can resolve.
const LMER_TOL: f64 = 1e-6;

/// Compares the rows of `got` with R's `want`, matched on the key columns, for each
/// (got column, R column) pair at relative `LMER_TOL` (NA must match NA). Effect-size
/// columns (not p-values or df) get an absolute floor of `LMER_TOL` × the column's
/// median magnitude: an effect near 0 is known to R's optimiser only in absolute
/// terms (e.g. a type III sum of squares of 2e-6 where the median is 0.1).
fn lmer_compare(
    what: &str,
    got: &Path,
    want: &Path,
    keys: &[(&str, &str)],
    columns: &[(&str, &str)],
) {
    let (gh, g) = de_read_tsv(got);
    let (wh, w) = de_read_tsv(want);
    assert_eq!(g.len(), w.len(), "{what}: row count");
    let idx = |h: &[String], name: &str| {
        h.iter()
            .position(|x| x == name)
            .unwrap_or_else(|| panic!("{what}: no column {name} in {h:?}"))
    };
    let key = |h: &[String], r: &[String], side: usize| -> Vec<String> {
        keys.iter()
            .map(|k| r[idx(h, if side == 0 { k.0 } else { k.1 })].clone())
            .collect()
    };
    let got_rows: std::collections::HashMap<_, _> = g.iter().map(|r| (key(&gh, r, 0), r)).collect();
    let mut worst = Vec::new();
    for &(gc, wc) in columns {
        let mut max_rel = 0.0_f64;
        let floor = if [
            "P.Value",
            "adj.P.Val",
            "p.value",
            "df",
            "df.total",
            "DenDF",
            "NumDF",
        ]
        .contains(&gc)
        {
            0.0
        } else {
            let mut m: Vec<f64> = w
                .iter()
                .map(|r| de_num(&r[idx(&wh, wc)]).abs())
                .filter(|v| !v.is_nan())
                .collect();
            m.sort_by(f64::total_cmp);
            LMER_TOL * m[m.len() / 2]
        };
        for r in &w {
            let k = key(&wh, r, 1);
            let row = got_rows
                .get(&k)
                .unwrap_or_else(|| panic!("{what}: no row {k:?}"));
            let (a, b) = (de_num(&row[idx(&gh, gc)]), de_num(&r[idx(&wh, wc)]));
            if a.is_nan() || b.is_nan() {
                assert!(a.is_nan() && b.is_nan(), "{what} {k:?} {gc}: {a} vs R {b}");
                continue;
            }
            let rel = if a == b {
                0.0
            } else {
                (a - b).abs() / b.abs().max(floor / LMER_TOL)
            };
            assert!(
                rel <= LMER_TOL,
                "{what} {k:?} {gc}: {a} vs R {b} (relative {rel:e})"
            );
            max_rel = max_rel.max(rel);
        }
        worst.push((gc, max_rel));
    }
    eprintln!("{what}: worst relative errors vs R: {worst:?}");
}

/// `npxkit de --method lmer` (case files from test-data/reference/de_lmer_cli.R): de.tsv
/// against lmerTest's contest of C2D1 - C1D1, lmer_anova.tsv against anova(type = 3)
/// and lmer_posthoc.tsv against emmeans' Tukey pairs, all at relative 1e-6.
fn de_lmer_parity(case: &str) {
    let root = repo().join("test-data/reference/de_lmer_cli");
    let (_dir, out, _) = de_run_case(&root, case);
    let file = |suffix: &str| root.join(format!("{case}_{suffix}.tsv"));
    let id = [("OlinkID", "OlinkID")];
    lmer_compare(
        &format!("{case} de.tsv"),
        &out.join("de.tsv"),
        &file("contrast"),
        &id,
        &[
            ("logFC", "estimate"),
            ("t", "t"),
            ("df.total", "df"),
            ("P.Value", "p"),
            ("adj.P.Val", "adj"),
        ],
    );
    // CI.L/CI.R are logFC -/+ qt(0.975, df) * se: check against R's se and df.
    let (gh, g) = de_read_tsv(&out.join("de.tsv"));
    let (wh, w) = de_read_tsv(&file("contrast"));
    let col = |h: &[String], n: &str| h.iter().position(|x| x == n).unwrap();
    for r in &w {
        let row = g
            .iter()
            .find(|x| x[col(&gh, "OlinkID")] == r[col(&wh, "OlinkID")])
            .unwrap();
        let (est, se, df) = (
            de_num(&r[col(&wh, "estimate")]),
            de_num(&r[col(&wh, "se")]),
            de_num(&r[col(&wh, "df")]),
        );
        let half = npxkit_stats::dist::qt(0.025, df, npxkit_stats::Tail::Upper) * se;
        for (name, want) in [("CI.L", est - half), ("CI.R", est + half)] {
            let got = de_num(&row[col(&gh, name)]);
            assert!(
                (got - want).abs() <= LMER_TOL * want.abs().max(half),
                "{case} {name}: {got} vs {want}"
            );
        }
        assert_eq!(row[col(&gh, "B")], "NA");
    }
    lmer_compare(
        &format!("{case} lmer_anova.tsv"),
        &out.join("lmer_anova.tsv"),
        &file("anova"),
        &id,
        &[
            ("sumsq", "sumsq"),
            ("meansq", "meansq"),
            ("NumDF", "NumDF"),
            ("DenDF", "DenDF"),
            ("F", "F"),
            ("P.Value", "p"),
            ("adj.P.Val", "adj"),
        ],
    );
    lmer_compare(
        &format!("{case} lmer_posthoc.tsv"),
        &out.join("lmer_posthoc.tsv"),
        &file("posthoc"),
        &[("OlinkID", "OlinkID"), ("contrast", "contrast")],
        &[
            ("estimate", "estimate"),
            ("SE", "SE"),
            ("df", "df"),
            ("t.ratio", "t.ratio"),
            ("p.value", "p.value"),
            ("conf.low", "lower"),
            ("conf.high", "upper"),
        ],
    );
    let fit = read(&out.join("lmer_fit.tsv"));
    assert!(
        fit.starts_with("OlinkID\tAssay\tnobs\tsigma\tsd_subject\tlogLik\tsingular\terror\n"),
        "{fit}"
    );
}

#[test]
fn de_lmer_matches_lmertest_ml_with_covariate() {
    de_lmer_parity("ml_age");
}

#[test]
fn de_lmer_matches_lmertest_reml() {
    de_lmer_parity("reml");
}

#[test]
fn de_lmer_usage_errors() {
    let input = repo().join("test-data/reference/de_cli/input");
    let (npx, samples) = (input.join("npx.csv"), input.join("samples.tsv"));
    let dir = tempfile::tempdir().unwrap();
    let base = [
        "de",
        "--npx",
        p(&npx),
        "--samples",
        p(&samples),
        "--group",
        "timepoint",
        "--contrast",
        "C2D1-C1D1",
        "--out",
        p(dir.path()),
    ];
    let e = fails(&[&base[..], &["--method", "lmer"]].concat(), 2);
    assert!(e.contains("--block"), "{e}");
    let e = fails(
        &[
            &base[..],
            &["--method", "lmer", "--block", "subject", "--trend"],
        ]
        .concat(),
        2,
    );
    assert!(e.contains("--trend"), "{e}");
    let e = fails(&[&base[..], &["--reml", "--block", "subject"]].concat(), 2);
    assert!(e.contains("--method lmer"), "{e}");
    let e = fails(
        &[&base[..], &["--method", "lmer", "--block", "nosuch"]].concat(),
        2,
    );
    assert!(e.contains("nosuch"), "{e}");
    let e = fails(
        &[
            &base[..],
            &[
                "--method", "lmer", "--block", "subject", "--random", "subject",
            ],
        ]
        .concat(),
        2,
    );
    assert!(e.contains("twice"), "{e}");
    // One sample per block: no assay can be fitted, a data error naming the reason.
    let e = fails(
        &[&base[..], &["--method", "lmer", "--block", "SampleID"]].concat(),
        1,
    );
    assert!(
        e.contains("not identifiable") && e.contains("--block"),
        "{e}"
    );
    assert!(!dir.path().join("de.tsv").exists());
}

/// --block: duplicateCorrelation's consensus and the blocked fit through the CLI
/// (test-data/reference/de_cli.R case h), at the same tolerances as the fixed-effect
/// cases; the consensus in run.json within 1e-10.
#[test]
fn de_parity_blocked() {
    de_parity("blocked");
    let root = repo().join("test-data/reference/de_cli");
    let (_dir, out, _) = de_run_case(&root, "blocked");
    let run: serde_json::Value = serde_json::from_str(&read(&out.join("run.json"))).unwrap();
    let got = run["results"]["duplicate_correlation"]["consensus"]
        .as_f64()
        .unwrap();
    let want = de_num(read(&root.join("blocked.consensus")).trim());
    assert!(
        (got - want).abs() < 1e-10 * want.abs(),
        "consensus {got} vs R {want}"
    );
    let dupcor = read(&out.join("dupcor.tsv"));
    assert_eq!(dupcor.lines().count(), 1 + 120, "one row per assay");
}

/// --ebayes current (the default) against limma >= 3.62's eBayes(legacy = NULL) on data
/// with missing values (unequal residual df): test-data/reference/de_cli.R cases k, l.
#[test]
fn de_parity_current_ebayes() {
    de_parity("current_paired");
    de_parity("current_paired_robust");
}

/// --test F: topTableF's columns and numbers (de_cli.R case j).
#[test]
fn de_parity_ftest() {
    let root = repo().join("test-data/reference/de_cli");
    let (_dir, out, _) = de_run_case(&root, "ftest");
    let (got_h, got) = de_read_tsv(&out.join("de.tsv"));
    assert_eq!(
        got_h,
        [
            "OlinkID",
            "UniProt",
            "Assay",
            "C2D1-C1D1",
            "AveExpr",
            "F",
            "P.Value",
            "adj.P.Val"
        ]
    );
    let (want_h, want) = de_read_tsv(&root.join("ftest.tsv"));
    assert_eq!(got.len(), want.len());
    let p = got_h.iter().position(|h| h == "P.Value").unwrap();
    assert!(
        got.windows(2).all(|w| de_num(&w[0][p]) <= de_num(&w[1][p])),
        "sorted by P.Value"
    );
    de_compare_with_r(
        "ftest",
        (&got_h, &got),
        (&want_h, &want),
        &[
            ("C2D1-C1D1", DE_TOL_ESTIMATES),
            ("AveExpr", DE_TOL_ESTIMATES),
            ("F", DE_TOL_ESTIMATES),
            ("P.Value", DE_TOL_PVALUES),
            ("adj.P.Val", DE_TOL_PVALUES),
        ],
    );
}

/// Three visits (OlinkAnalyze's npx_data1): the moderated F over two contrasts and the
/// per-contrast trend tables against limma (test-data/reference/de_three_visits.R).
#[test]
fn de_parity_three_visits() {
    let shared = repo().join("../shared/data/olink-examples");
    if !shared.is_dir() {
        eprintln!("skipped: {} is absent", shared.display());
        return;
    }
    let root = repo().join("test-data/reference/de_three_visits");
    for case in ["ftest", "trend"] {
        let dir = tempfile::tempdir().unwrap();
        let mut args: Vec<String> = vec![
            "de".into(),
            "--npx".into(),
            p(&shared.join("package-data/npx_data1.csv")).into(),
            "--samples".into(),
            p(&shared.join("npx_data1_meta.csv")).into(),
        ];
        args.extend(
            read(&root.join(format!("{case}.args")))
                .lines()
                .map(String::from),
        );
        args.extend(["--out".into(), p(dir.path()).into()]);
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        ok(&refs);
        let (got_h, got) = de_read_tsv(&dir.path().join("de.tsv"));
        let (want_h, want) = de_read_tsv(&root.join(format!("{case}.tsv")));
        assert_eq!(got.len(), want.len(), "{case}");
        let columns: Vec<(&str, f64)> = if case == "ftest" {
            vec![
                ("Week.6-Baseline", DE_TOL_ESTIMATES),
                ("Week.12-Baseline", DE_TOL_ESTIMATES),
                ("AveExpr", DE_TOL_ESTIMATES),
                ("F", DE_TOL_ESTIMATES),
                ("P.Value", DE_TOL_PVALUES),
                ("adj.P.Val", DE_TOL_PVALUES),
            ]
        } else {
            vec![
                ("logFC", DE_TOL_ESTIMATES),
                ("AveExpr", DE_TOL_ESTIMATES),
                ("t", DE_TOL_ESTIMATES),
                ("P.Value", DE_TOL_PVALUES),
                ("adj.P.Val", DE_TOL_PVALUES),
                ("B", DE_TOL_PVALUES),
            ]
        };
        de_compare_with_r(case, (&got_h, &got), (&want_h, &want), &columns);
    }
}

#[test]
fn de_block_usage_errors() {
    let input = repo().join("test-data/reference/de_cli/input");
    let dir = tempfile::tempdir().unwrap();
    let base = |extra: &[&str]| -> Vec<String> {
        let mut a: Vec<String> = [
            "de",
            "--npx",
            p(&input.join("npx.csv")),
            "--samples",
            p(&input.join("samples.tsv")),
            "--group",
            "timepoint",
            "--contrast",
            "C2D1-C1D1",
            "--out",
            p(dir.path()),
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        a.extend(extra.iter().map(|s| s.to_string()));
        a
    };
    let call = |extra: &[&str]| {
        let a = base(extra);
        let refs: Vec<&str> = a.iter().map(String::as_str).collect();
        fails(&refs, 2)
    };
    let e = call(&["--block", "subject", "--pair", "subject"]);
    assert!(e.contains("--pair") || e.contains("--block"), "{e}");
    let e = call(&["--block", "subject", "--method", "ttest"]);
    assert!(e.contains("--block needs --method limma"), "{e}");
    let e = call(&["--block", "subject", "--correlation", "1"]);
    assert!(
        e.contains("--correlation must be strictly between -1 and 1"),
        "{e}"
    );
    let e = call(&["--block", "nosuch"]);
    assert!(e.contains("--block nosuch"), "{e}");
    let e = call(&["--correlation", "0.2"]);
    assert!(e.contains("--block"), "{e}");
}

#[test]
fn de_parity_blocked_known_correlation() {
    de_parity("blocked_known");
}

#[test]
fn de_errors() {
    let input = repo().join("test-data/reference/de_cli/input");
    let npx = input.join("npx.csv");
    let samples = input.join("samples.tsv");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let base = [
        "de",
        "--npx",
        p(&npx),
        "--samples",
        p(&samples),
        "--group",
        "timepoint",
    ];
    let with = |extra: &[&'static str]| -> Vec<&str> {
        base.iter()
            .copied()
            .chain(extra.iter().copied())
            .chain(["--out", p(&out)])
            .collect()
    };
    // Usage errors (exit 2): unknown level, missing --contrast, no manifest, bad column.
    let e = fails(&with(&["--contrast", "C3D1-C1D1"]), 2);
    assert!(e.contains("C3D1-C1D1") && e.contains("C1D1, C2D1"), "{e}");
    fails(&with(&[]), 2);
    let e = fails(
        &[
            "de",
            "--npx",
            p(&npx),
            "--group",
            "timepoint",
            "--contrast",
            "C2D1-C1D1",
            "--out",
            p(&out),
        ],
        2,
    );
    assert!(e.contains("--samples"), "{e}");
    let e = fails(&with(&["--contrast", "C2D1-C1D1", "--pair", "patient"]), 2);
    assert!(e.contains("no column `patient`"), "{e}");
    let e = fails(
        &with(&["--contrast", "C2D1-C1D1", "--adjust", "fdr-ish"]),
        2,
    );
    assert!(e.contains("--adjust"), "{e}");
    // A contrast needing a non-estimable coefficient (each sample its own subject).
    let e = fails(&with(&["--contrast", "C2D1-C1D1", "--pair", "SampleID"]), 1);
    assert!(
        e.contains("timepointC2D1") && e.contains("cannot estimate"),
        "{e}"
    );
    assert!(!out.join("de.tsv").exists(), "a failed run writes no table");
    // --adjust is case-insensitive; B is NA after --lfc.
    ok(&with(&[
        "--contrast",
        "C2D1-C1D1",
        "--adjust",
        "bh",
        "--lfc",
        "0.5",
    ]));
    let (h, rows) = de_read_tsv(&out.join("de.tsv"));
    let b = h.iter().position(|x| x == "B").unwrap();
    assert!(rows.iter().all(|r| r[b] == "NA"));
}

// ===================================================================================
// npxkit de --method ttest|wilcoxon (issue 4 item 6): parity with R's t.test and
// wilcox.test on the committed study of de_cli. Helpers of this section start with
// `dc_`; they reuse `de_read_tsv`, `de_num` and the tolerances above.
// ===================================================================================

/// Runs `npxkit de` with `test-data/reference/de_classical/<case>.args` on
/// `test-data/reference/de_cli/input/` and compares de.tsv with `<case>.tsv`, written by
/// `test-data/reference/de_classical.R` (R 4.2.2, t.test / wilcox.test). Relative 1e-10
/// (`DE_TOL_ESTIMATES`) for logFC, CI.L, CI.R, AveExpr, t, df.total; 1e-8
/// (`DE_TOL_PVALUES`) for P.Value and adj.P.Val. B must be NA everywhere. Also checks
/// the row order (P.Value, ties in input order, NA last).
fn dc_parity(case: &str) {
    let root = repo().join("test-data/reference/de_classical");
    let (_dir, out, extra) = de_run_case(&root, case);
    let (got_h, got) = de_read_tsv(&out.join("de.tsv"));
    let (want_h, want) = de_read_tsv(&root.join(format!("{case}.tsv")));
    let contrasts: Vec<&str> = want.iter().fold(Vec::new(), |mut v, r| {
        if !v.contains(&r[0].as_str()) {
            v.push(r[0].as_str());
        }
        v
    });
    let several = contrasts.len() > 1;
    assert_eq!(got_h[0] == "contrast", several, "{case}: {got_h:?}");
    assert_eq!(got.len(), want.len(), "{case}: row count");
    let col = |h: &[String], name: &str| h.iter().position(|x| x == name).unwrap();
    let key = |h: &[String], r: &[String]| {
        let c = h.iter().position(|x| x == "contrast").map(|i| r[i].clone());
        (
            c.unwrap_or_else(|| contrasts[0].to_string()),
            r[col(h, "OlinkID")].clone(),
        )
    };
    // Order: contrast blocks as given, then P.Value, ties in input order, NA last.
    let order: Vec<String> = want
        .iter()
        .filter(|r| r[0] == contrasts[0])
        .map(|r| r[1].clone())
        .collect();
    let rank = |id: &str| order.iter().position(|o| o == id).unwrap();
    let pv = col(&got_h, "P.Value");
    for w in got.windows(2) {
        let (ka, kb) = (key(&got_h, &w[0]), key(&got_h, &w[1]));
        let (ca, cb) = (
            contrasts.iter().position(|c| *c == ka.0).unwrap(),
            contrasts.iter().position(|c| *c == kb.0).unwrap(),
        );
        assert!(ca <= cb, "{case}: contrast blocks out of order");
        if ca < cb {
            continue;
        }
        let (a, b) = (de_num(&w[0][pv]), de_num(&w[1][pv]));
        let before = rank(&ka.1) < rank(&kb.1);
        match (a.is_nan(), b.is_nan()) {
            (false, false) => assert!(a < b || (a == b && before), "{case}: {ka:?} {kb:?}"),
            (true, true) => assert!(before, "{case}: NA rows not in input order"),
            (x, _) => assert!(!x, "{case}: an NA P.Value before a number"),
        }
    }
    assert!(got.iter().all(|r| r[col(&got_h, "B")] == "NA"), "{case}: B");
    let columns = [
        ("logFC", DE_TOL_ESTIMATES),
        ("CI.L", DE_TOL_ESTIMATES),
        ("CI.R", DE_TOL_ESTIMATES),
        ("AveExpr", DE_TOL_ESTIMATES),
        ("t", DE_TOL_ESTIMATES),
        ("df.total", DE_TOL_ESTIMATES),
        ("P.Value", DE_TOL_PVALUES),
        ("adj.P.Val", DE_TOL_PVALUES),
    ];
    de_compare_with_r(case, (&got_h, &got), (&want_h, &want), &columns);
    let record: serde_json::Value = serde_json::from_str(&read(&out.join("run.json"))).unwrap();
    let method = extra.lines().skip_while(|l| *l != "--method").nth(1);
    assert_eq!(
        record["options"]["method"].as_str(),
        method,
        "{case}: run.json"
    );
}

#[test]
fn dc_parity_paired_ttest() {
    dc_parity("paired_ttest");
}

#[test]
fn dc_parity_paired_wilcoxon() {
    dc_parity("paired_wilcoxon");
}

#[test]
fn dc_parity_unpaired_ttest() {
    dc_parity("unpaired_ttest");
}

#[test]
fn dc_parity_unpaired_wilcoxon() {
    dc_parity("unpaired_wilcoxon");
}

#[test]
fn dc_limma_only_options_are_usage_errors() {
    let input = repo().join("test-data/reference/de_cli/input");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let base = vec![
        "de".to_string(),
        "--npx".into(),
        p(&input.join("npx.csv")).into(),
        "--samples".into(),
        p(&input.join("samples.tsv")).into(),
        "--group".into(),
        "timepoint".into(),
        "--contrast".into(),
        "C2D1-C1D1".into(),
        "--out".into(),
        p(&out).into(),
    ];
    for (method, extra) in [
        ("ttest", ["--covariates", "age,sex"]),
        ("wilcoxon", ["--covariates", "age"]),
        ("ttest", ["--lfc", "0.5"]),
    ] {
        let args: Vec<&str> = base
            .iter()
            .map(String::as_str)
            .chain(["--method", method])
            .chain(extra)
            .collect();
        let e = fails(&args, 2);
        assert!(
            e.contains(extra[0]) && e.contains("--method limma"),
            "{method} {extra:?}: {e}"
        );
    }
    for flag in ["--trend", "--robust"] {
        let args: Vec<&str> = base
            .iter()
            .map(String::as_str)
            .chain(["--method", "wilcoxon", flag])
            .collect();
        let e = fails(&args, 2);
        assert!(e.contains(flag), "{e}");
    }
    let args: Vec<&str> = base
        .iter()
        .map(String::as_str)
        .chain(["--method", "anova"])
        .collect();
    fails(&args, 2);
    assert!(
        !out.join("de.tsv").exists(),
        "a usage error writes no table"
    );
}

// ===================================================================================
// npxkit score: R parity against GSVA 1.46.0 (test-data/reference/score_cli.R)
// ===================================================================================

/// Relative tolerance for scores and test statistics (absolute below 1e-12 in size).
const SCORE_TOL: f64 = 1e-10;

fn score_close(a: f64, b: f64) -> bool {
    (a.is_nan() && b.is_nan()) || (a - b).abs() <= SCORE_TOL * b.abs().max(1e-2)
}

/// Runs `npxkit score --method <method>` on the de_cli study with the shared Bindea sets
/// and compares scores.tsv with R's; PLAGE rows may differ in sign (R's comes from
/// LAPACK's SVD; npxkit's rule is documented), so they are compared up to sign.
fn score_parity(method: &str) {
    let shared = repo().join("../shared/data/genesets/bindea2013.gmt");
    if !shared.is_file() {
        eprintln!("skipped: {} is absent", shared.display());
        return;
    }
    let input = repo().join("test-data/reference/de_cli/input");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    ok(&[
        "score",
        "--npx",
        p(&input.join("npx.csv")),
        "--samples",
        p(&input.join("samples.tsv")),
        "--genesets",
        "bindea2013",
        "--method",
        method,
        "--group",
        "timepoint",
        "--pair",
        "subject",
        "--contrast",
        "C2D1-C1D1",
        "--out",
        p(&out),
    ]);
    let (got_h, got) = de_read_tsv(&out.join("scores.tsv"));
    let want_path = repo().join(format!("test-data/reference/score_cli/{method}.tsv"));
    let (want_h, want) = de_read_tsv(&want_path);
    assert_eq!(got_h, want_h, "{method}: sample columns");
    assert_eq!(
        got.iter().map(|r| &r[0]).collect::<Vec<_>>(),
        want.iter().map(|r| &r[0]).collect::<Vec<_>>(),
        "{method}: scored sets"
    );
    let mut worst = 0.0_f64;
    for (g, w) in got.iter().zip(&want) {
        let gv: Vec<f64> = g[1..].iter().map(|s| de_num(s)).collect();
        let mut wv: Vec<f64> = w[1..].iter().map(|s| de_num(s)).collect();
        if method == "plage" && wv.iter().all(|&v| v == 1.0) {
            // GSVA 1.46 returns a row of 1s for a one-gene set (its SVD of a 1 × n
            // matrix is not what PLAGE means); npxkit returns the standardised values
            // scaled to unit length (documented in npxkit_gsva::plage).
            let norm: f64 = gv.iter().map(|v| v * v).sum::<f64>().sqrt();
            assert!((norm - 1.0).abs() < 1e-12, "{method} {}: norm {norm}", g[0]);
            continue;
        }
        if method == "plage" && gv[0] * wv[0] < 0.0 {
            wv.iter_mut().for_each(|v| *v = -*v);
        }
        for (a, b) in gv.iter().zip(&wv) {
            assert!(score_close(*a, *b), "{method} {}: {a} vs R {b}", g[0]);
            if *b != 0.0 {
                worst = worst.max((a - b).abs() / b.abs());
            }
        }
    }
    eprintln!("{method}: worst relative error vs R {worst:e}");
    if method == "gsva" {
        let (th, tests) = de_read_tsv(&out.join("score_tests.tsv"));
        let (rh, rtests) =
            de_read_tsv(&repo().join("test-data/reference/score_cli/tests_gsva.tsv"));
        assert_eq!(th, rh);
        assert_eq!(tests.len(), rtests.len());
        for (t, r) in tests.iter().zip(&rtests) {
            assert_eq!(t[0], r[0]);
            assert_eq!(de_num(&t[1]), de_num(&r[1]), "{}: n_pairs", t[0]);
            for c in 2..6 {
                let (a, b) = (de_num(&t[c]), de_num(&r[c]));
                assert!(score_close(a, b), "{} {}: {a} vs R {b}", t[0], th[c]);
            }
        }
    }
}

#[test]
fn score_parity_gsva() {
    score_parity("gsva");
}

#[test]
fn score_parity_ssgsea() {
    score_parity("ssgsea");
}

#[test]
fn score_parity_zscore() {
    score_parity("zscore");
}

#[test]
fn score_parity_plage() {
    score_parity("plage");
}

#[test]
fn score_outputs_and_errors() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("s");
    let npx = small().join("npx.parquet");
    let man = small().join("samples.tsv");
    let o = ok(&[
        "score",
        "--npx",
        p(&npx),
        "--samples",
        p(&man),
        "--out",
        p(&out),
    ]);
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("score: "));
    let sizes = read(&out.join("genesets.tsv"));
    assert!(sizes.starts_with("geneset\tname\tsize\tsize_measured\tscored\treason\n"));
    assert_eq!(
        sizes.lines().count(),
        1 + 24,
        "every Bindea set is reported"
    );
    assert!(sizes.contains("\tFALSE\tno measured genes"), "{sizes}");
    assert!(
        !out.join("score_tests.tsv").exists(),
        "no tests without --group"
    );
    // Same bytes whatever the thread count.
    let out2 = dir.path().join("s2");
    ok(&[
        "--threads",
        "1",
        "score",
        "--npx",
        p(&npx),
        "--samples",
        p(&man),
        "--out",
        p(&out2),
    ]);
    assert_eq!(
        read(&out.join("scores.tsv")),
        read(&out2.join("scores.tsv"))
    );
    let e = fails(
        &[
            "score",
            "--npx",
            p(&npx),
            "--genesets",
            "kegg",
            "--out",
            p(&out),
        ],
        2,
    );
    assert!(e.contains("neither a built-in collection"), "{e}");
    let e = fails(
        &[
            "score",
            "--npx",
            p(&npx),
            "--samples",
            p(&man),
            "--group",
            "timepoint",
            "--contrast",
            "C9-C1D1",
            "--out",
            p(&out),
        ],
        2,
    );
    assert!(e.contains("C9-C1D1"), "{e}");
    let bad = dir.path().join("bad.gmt");
    std::fs::write(&bad, "only_one_field\n").unwrap();
    let e = fails(
        &[
            "score",
            "--npx",
            p(&npx),
            "--genesets",
            p(&bad),
            "--out",
            p(&out),
        ],
        1,
    );
    assert!(e.contains("bad.gmt") && e.contains("line 1"), "{e}");
}

// ===================================================================================
// npxkit enrich: R parity against limma's kegga (test-data/reference/enrich_cli.R)
// ===================================================================================

#[test]
fn enrich_parity_ora() {
    let shared = repo().join("../shared/data/genesets/go_mf_human_orghs3.16.gmt");
    if !shared.is_file() {
        eprintln!("skipped: {} is absent", shared.display());
        return;
    }
    let input = repo().join("test-data/reference/de_cli/input");
    let dir = tempfile::tempdir().unwrap();
    let (de, en) = (dir.path().join("de"), dir.path().join("en"));
    ok(&[
        "de",
        "--npx",
        p(&input.join("npx.csv")),
        "--samples",
        p(&input.join("samples.tsv")),
        "--group",
        "timepoint",
        "--pair",
        "subject",
        "--contrast",
        "C2D1-C1D1",
        "--out",
        p(&de),
    ]);
    let o = ok(&[
        "enrich",
        "--de",
        p(&de.join("de.tsv")),
        "--genesets",
        "go-mf",
        "--top",
        "10",
        "--min-size",
        "1",
        "--max-size",
        "100000",
        "--out",
        p(&en),
    ]);
    // One of the ten most up-regulated assays has no GO MF annotation: not in the universe.
    let summary = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        summary.contains("9 up, 10 down of 105 proteins"),
        "{summary}"
    );
    let (h, rows) = de_read_tsv(&en.join("enrichment.tsv"));
    let (rh, rrows) =
        de_read_tsv(&repo().join("test-data/reference/enrich_cli/ora_go_mf_top10.tsv"));
    let col = |name: &str| h.iter().position(|c| c == name).unwrap();
    let rcol = |name: &str| rh.iter().position(|c| c == name).unwrap();
    let r_by_id: std::collections::HashMap<&str, &Vec<String>> =
        rrows.iter().map(|r| (r[0].as_str(), r)).collect();
    // kegga reports every set with an annotated universe assay; so does npxkit with --min-size 1.
    assert_eq!(rows.len(), rrows.len(), "sets tested");
    for r in &rows {
        let want = r_by_id
            .get(r[0].as_str())
            .unwrap_or_else(|| panic!("{} not in R's table", r[0]));
        for c in ["N", "Up", "Down"] {
            assert_eq!(r[col(c)], want[rcol(c)], "{} {c}", r[0]);
        }
        for c in ["P.Up", "P.Down"] {
            let (a, b) = (de_num(&r[col(c)]), de_num(&want[rcol(c)]));
            assert!(
                (a - b).abs() <= DE_TOL_PVALUES * b.abs(),
                "{} {c}: {a} vs R {b}",
                r[0]
            );
        }
        let best = de_num(&r[col("P.Up")]).min(de_num(&r[col("P.Down")]));
        assert_eq!(de_num(&r[col("P.Value")]), best);
    }
    let pv: Vec<f64> = rows.iter().map(|r| de_num(&r[col("P.Value")])).collect();
    assert!(pv.windows(2).all(|w| w[0] <= w[1]), "sorted by P.Value");
    // Errors: a table without the columns, a contrast that is not there.
    let bad = dir.path().join("bad.tsv");
    std::fs::write(&bad, "a\tb\n1\t2\n").unwrap();
    let e = fails(&["enrich", "--de", p(&bad), "--out", p(&en)], 1);
    assert!(e.contains("no column `OlinkID`"), "{e}");
    let e = fails(
        &[
            "enrich",
            "--de",
            p(&de.join("de.tsv")),
            "--fdr",
            "0",
            "--out",
            p(&en),
        ],
        2,
    );
    assert!(e.contains("--fdr"), "{e}");
}

/// `npxkit enrich --method camera|fry` against limma's camera / fry through the CLI
/// (test-data/reference/enrich_cli.R): counts and directions exact, p-values and FDR
/// relative 1e-8.
fn enrich_matrix_parity(method: &str, columns: &[&str]) {
    enrich_matrix_parity_with(method, &[], &format!("{method}_go_mf.tsv"), columns);
}

/// [`enrich_matrix_parity`] with extra options and the reference file they match.
fn enrich_matrix_parity_with(method: &str, extra: &[&str], reference: &str, columns: &[&str]) {
    let shared = repo().join("../shared/data/genesets/go_mf_human_orghs3.16.gmt");
    if !shared.is_file() {
        eprintln!("skipped: {} is absent", shared.display());
        return;
    }
    let input = repo().join("test-data/reference/de_cli/input");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("en");
    let (npx, samples) = (input.join("npx.csv"), input.join("samples.tsv"));
    let mut args = vec![
        "enrich",
        "--method",
        method,
        "--npx",
        p(&npx),
        "--samples",
        p(&samples),
        "--group",
        "timepoint",
        "--pair",
        "subject",
        "--contrast",
        "C2D1-C1D1",
        "--genesets",
        "go-mf",
        "--min-size",
        "1",
        "--max-size",
        "100000",
        "--out",
        p(&out),
    ];
    args.extend_from_slice(extra);
    ok(&args);
    let (h, rows) = de_read_tsv(&out.join("enrichment.tsv"));
    let (rh, rrows) =
        de_read_tsv(&repo().join(format!("test-data/reference/enrich_cli/{reference}")));
    assert_eq!(rows.len(), rrows.len(), "{method}: sets tested");
    let col = |name: &str| h.iter().position(|c| c == name).unwrap();
    let rcol = |name: &str| rh.iter().position(|c| c == name).unwrap();
    let r_by_id: std::collections::HashMap<&str, &Vec<String>> =
        rrows.iter().map(|r| (r[0].as_str(), r)).collect();
    for r in &rows {
        let want = r_by_id
            .get(r[0].as_str())
            .unwrap_or_else(|| panic!("{method}: {} not in R's table", r[0]));
        assert_eq!(r[col("NGenes")], want[rcol("NGenes")], "{method} {}", r[0]);
        assert_eq!(
            r[col("direction")],
            want[rcol("Direction")],
            "{method} {}",
            r[0]
        );
        for (ours, theirs) in columns.iter().map(|c| match *c {
            "PValue" => ("P.Value", "PValue"),
            "FDR" => ("adj.P.Val", "FDR"),
            other => (other, other),
        }) {
            let (a, b) = (de_num(&r[col(ours)]), de_num(&want[rcol(theirs)]));
            assert!(
                (a - b).abs() <= DE_TOL_PVALUES * b.abs() || (a.is_nan() && b.is_nan()),
                "{method} {} {ours}: {a} vs R {b}",
                r[0]
            );
        }
    }
}

#[test]
fn enrich_parity_camera() {
    enrich_matrix_parity("camera", &["PValue", "FDR"]);
}

#[test]
fn enrich_parity_fry() {
    enrich_matrix_parity("fry", &["PValue", "FDR", "PValue.Mixed", "FDR.Mixed"]);
}

/// `--estimate-correlation --use-ranks`: limma's camera(inter.gene.cor = NA,
/// use.ranks = TRUE); the estimated correlations too (relative 1e-8, NA for one-assay sets).
#[test]
fn enrich_parity_camera_estimated_correlation_ranks() {
    enrich_matrix_parity_with(
        "camera",
        &["--estimate-correlation", "--use-ranks"],
        "camera_est_ranks_go_mf.tsv",
        &["PValue", "FDR", "Correlation"],
    );
}

/// `--trend-var`: limma's camera(trend.var = TRUE).
#[test]
fn enrich_parity_camera_trend_var() {
    enrich_matrix_parity_with(
        "camera",
        &["--trend-var"],
        "camera_trend_go_mf.tsv",
        &["PValue", "FDR"],
    );
}

/// Runs `npxkit de` (paired, C2D1-C1D1, limma 3.54's eBayes as R's paired.tsv was made)
/// on test-data/reference/de_cli/input into `dir/de`.
fn enrich_de_for_ranked(dir: &Path) -> PathBuf {
    let input = repo().join("test-data/reference/de_cli/input");
    let de = dir.join("de");
    ok(&[
        "de",
        "--npx",
        p(&input.join("npx.csv")),
        "--samples",
        p(&input.join("samples.tsv")),
        "--group",
        "timepoint",
        "--pair",
        "subject",
        "--contrast",
        "C2D1-C1D1",
        "--ebayes",
        "legacy",
        "--out",
        p(&de),
    ]);
    de.join("de.tsv")
}

/// `npxkit enrich --method camera-pr` on the t of `npxkit de` against limma's cameraPR on
/// R's topTable t (test-data/reference/enrich_cli.R): counts and directions exact,
/// p-values and FDR relative 1e-8; byte-identical on rerun.
#[test]
fn enrich_parity_camera_pr() {
    let dir = tempfile::tempdir().unwrap();
    let de = enrich_de_for_ranked(dir.path());
    let run = |out: &Path| {
        ok(&[
            "enrich",
            "--method",
            "camera-pr",
            "--de",
            p(&de),
            "--genesets",
            "go-mf",
            "--min-size",
            "1",
            "--max-size",
            "100000",
            "--out",
            p(out),
        ])
    };
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    let o = run(&a);
    assert!(String::from_utf8_lossy(&o.stdout).contains("camera-pr on the t of"));
    run(&b);
    assert!(read(&a.join("enrichment.tsv")) == read(&b.join("enrichment.tsv")));
    let (h, rows) = de_read_tsv(&a.join("enrichment.tsv"));
    assert_eq!(
        h,
        [
            "id",
            "name",
            "size",
            "direction",
            "P.Value",
            "adj.P.Val",
            "NGenes",
            "genes"
        ]
    );
    let (rh, rrows) =
        de_read_tsv(&repo().join("test-data/reference/enrich_cli/camera_pr_go_mf.tsv"));
    assert_eq!(rows.len(), rrows.len(), "sets tested");
    let col = |name: &str| h.iter().position(|c| c == name).unwrap();
    let rcol = |name: &str| rh.iter().position(|c| c == name).unwrap();
    let r_by_id: std::collections::HashMap<&str, &Vec<String>> =
        rrows.iter().map(|r| (r[0].as_str(), r)).collect();
    let mut worst = 0.0_f64;
    for r in &rows {
        let want = r_by_id[r[0].as_str()];
        assert_eq!(r[col("NGenes")], want[rcol("NGenes")], "{}", r[0]);
        assert_eq!(r[col("direction")], want[rcol("Direction")], "{}", r[0]);
        for (ours, theirs) in [("P.Value", "PValue"), ("adj.P.Val", "FDR")] {
            let (x, y) = (de_num(&r[col(ours)]), de_num(&want[rcol(theirs)]));
            let e = (x - y).abs() / y.abs();
            assert!(e <= DE_TOL_PVALUES, "{} {ours}: {x} vs R {y}", r[0]);
            worst = worst.max(e);
        }
    }
    eprintln!("camera-pr through the CLI: worst relative error {worst:e}");
    let pv: Vec<f64> = rows.iter().map(|r| de_num(&r[col("P.Value")])).collect();
    assert!(pv.windows(2).all(|w| w[0] <= w[1]), "sorted by P.Value");
}

/// `npxkit enrich --method gsea`: the columns, their invariants, byte-identical output on
/// rerun and with 1 or 2 rayon threads, the seed and permutations recorded, a changed seed
/// keeping ES; usage errors for bad options and a clear error without a `t` column.
#[test]
fn enrich_gsea_outputs_and_determinism() {
    let dir = tempfile::tempdir().unwrap();
    let de = enrich_de_for_ranked(dir.path());
    let run = |out: &Path, seed: &str, threads: &str| {
        let o = Command::new(env!("CARGO_BIN_EXE_npxkit"))
            .env("RAYON_NUM_THREADS", threads)
            .args([
                "enrich",
                "--method",
                "gsea",
                "--de",
                p(&de),
                "--genesets",
                "go-mf",
                "--min-size",
                "3",
                "--permutations",
                "2000",
                "--seed",
                seed,
                "--out",
                p(out),
            ])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
        o
    };
    let (a, b, c, d) = (
        dir.path().join("a"),
        dir.path().join("b"),
        dir.path().join("c"),
        dir.path().join("d"),
    );
    let o = run(&a, "42", "2");
    let summary = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        summary.contains("gsea (2000 permutations, seed 42)"),
        "{summary}"
    );
    run(&b, "42", "1");
    run(&c, "42", "2");
    let table = read(&a.join("enrichment.tsv"));
    assert!(table == read(&b.join("enrichment.tsv")), "1 vs 2 threads");
    assert!(table == read(&c.join("enrichment.tsv")), "rerun");
    let (h, rows) = de_read_tsv(&a.join("enrichment.tsv"));
    assert_eq!(
        h,
        [
            "id",
            "name",
            "size",
            "direction",
            "P.Value",
            "adj.P.Val",
            "log2err",
            "NGenes",
            "ES",
            "NES",
            "leading_edge_size",
            "leading_edge",
            "genes"
        ]
    );
    assert!(rows.len() > 20, "{} sets", rows.len());
    let col = |name: &str| h.iter().position(|c| c == name).unwrap();
    for r in &rows {
        let (es, nes, pv) = (
            de_num(&r[col("ES")]),
            de_num(&r[col("NES")]),
            de_num(&r[col("P.Value")]),
        );
        assert_eq!(r[col("direction")], if es >= 0.0 { "Up" } else { "Down" });
        assert!(es.abs() <= 1.0 && es * nes >= 0.0, "{r:?}");
        // Below the permutation floor 1/(same-sign permutations + 1) only by the
        // multilevel refinement, which reports its log2err.
        let log2err = de_num(&r[col("log2err")]);
        assert!(pv > 0.0 && pv <= 1.0, "{r:?}");
        assert!(log2err.is_nan() || log2err >= 0.0, "{r:?}");
        if pv < 1.0 / 2001.0 {
            assert!(log2err.is_finite() && log2err < 2.0, "{r:?}");
        }
        let n: usize = r[col("NGenes")].parse().unwrap();
        let le: usize = r[col("leading_edge_size")].parse().unwrap();
        assert!(n >= 3 && le >= 1 && le <= n, "{r:?}");
        let genes: Vec<&str> = r[col("genes")].split(',').collect();
        let edge: Vec<&str> = r[col("leading_edge")].split(',').collect();
        assert_eq!(edge.len(), le);
        assert!(edge.iter().all(|g| genes.contains(g)), "{r:?}");
    }
    let pv: Vec<f64> = rows.iter().map(|r| de_num(&r[col("P.Value")])).collect();
    assert!(pv.windows(2).all(|w| w[0] <= w[1]), "sorted by P.Value");
    let rec: serde_json::Value = serde_json::from_str(&read(&a.join("run.json"))).unwrap();
    assert_eq!(rec["options"]["method"], "gsea");
    assert_eq!(rec["options"]["seed"], 42);
    assert_eq!(rec["options"]["permutations"], 2000);
    assert_eq!(rec["options"]["gsea_multilevel"], true);
    assert_eq!(rec["options"]["gsea_sample_size"], 101);
    // run.json holds 1e-50; serde_json's default parser may be an ulp off.
    let eps = rec["options"]["gsea_eps"].as_f64().unwrap();
    assert!((eps / 1e-50 - 1.0).abs() < 1e-12, "{eps}");
    // Another seed: the same ES per set, other permutations.
    run(&d, "7", "2");
    let (_, rows7) = de_read_tsv(&d.join("enrichment.tsv"));
    let es_of = |rows: &[Vec<String>]| -> std::collections::BTreeMap<String, String> {
        rows.iter()
            .map(|r| (r[0].clone(), r[col("ES")].clone()))
            .collect()
    };
    assert_eq!(es_of(&rows), es_of(&rows7));
    assert!(table != read(&d.join("enrichment.tsv")));
    // Usage errors (exit 2) and a table without `t` (exit 1).
    let base = ["enrich", "--method", "gsea", "--de", p(&de), "--out", p(&d)];
    for (flag, value, needle) in [
        ("--permutations", "0", "--permutations"),
        ("--gsea-weight=-1", "", "--gsea-weight"),
        ("--gsea-sample-size", "2", "--gsea-sample-size"),
        ("--gsea-eps", "1", "--gsea-eps"),
        (
            "--trend-var",
            "",
            "--trend-var applies to --method camera only",
        ),
        ("--inter-gene-cor", "1", "--inter-gene-cor"),
    ] {
        let mut args = base.to_vec();
        args.push(flag);
        if !value.is_empty() {
            args.push(value);
        }
        let e = fails(&args, 2);
        assert!(e.contains(needle), "{e}");
    }
    let no_t = dir.path().join("no_t.tsv");
    std::fs::write(
        &no_t,
        "OlinkID\tAssay\tlogFC\tP.Value\tadj.P.Val\nOID1\tIL6\t1\t0.01\t0.02\n",
    )
    .unwrap();
    let e = fails(
        &[
            "enrich",
            "--method",
            "gsea",
            "--de",
            p(&no_t),
            "--out",
            p(&d),
        ],
        1,
    );
    assert!(e.contains("column `t`"), "{e}");
}

/// `npxkit run` with `[enrich] method = "gsea"`, seed, permutations and multilevel
/// sample size writes the same enrichment.tsv as `npxkit enrich --method gsea` on its
/// de.tsv.
#[test]
fn run_enrich_gsea_matches_the_subcommand() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    ok(&[
        "run",
        "--npx",
        p(&small().join("npx.csv")),
        "--samples",
        p(&small().join("samples.tsv")),
        "--set",
        "enrich.method=gsea",
        "--set",
        "enrich.seed=7",
        "--set",
        "enrich.permutations=500",
        "--set",
        "enrich.gsea_weight=0.5",
        "--set",
        "enrich.gsea_sample_size=51",
        "--set",
        "enrich.genesets=go-mf",
        "--set",
        "enrich.min_size=3",
        "--set",
        "score.enabled=false",
        "--set",
        "cluster.enabled=false",
        "--set",
        "report.enabled=false",
        "--out",
        p(&out),
    ]);
    let sub = dir.path().join("sub");
    ok(&[
        "enrich",
        "--method",
        "gsea",
        "--de",
        p(&out.join("de.tsv")),
        "--genesets",
        "go-mf",
        "--min-size",
        "3",
        "--seed",
        "7",
        "--permutations",
        "500",
        "--gsea-weight",
        "0.5",
        "--gsea-sample-size",
        "51",
        "--out",
        p(&sub),
    ]);
    let table = read(&out.join("enrichment.tsv"));
    assert!(table
        .starts_with("id\tname\tsize\tdirection\tP.Value\tadj.P.Val\tlog2err\tNGenes\tES\tNES"));
    assert!(table == read(&sub.join("enrichment.tsv")));
}

/// `npxkit enrich --method gsea --gsea-multilevel false`: fgsea's simple method, every
/// p-value at or above the permutation floor; the default multilevel run has the same
/// ES and NES, the same p-values where it does not refine them, refined p-values with a
/// finite log2err that agree with the permutation ones where those are above the floor,
/// and some below the floor.
#[test]
fn enrich_gsea_multilevel_against_simple() {
    let dir = tempfile::tempdir().unwrap();
    let de = enrich_de_for_ranked(dir.path());
    let run = |out: &Path, multilevel: &str| {
        ok(&[
            "enrich",
            "--method",
            "gsea",
            "--de",
            p(&de),
            "--genesets",
            "go-bp",
            "--min-size",
            "3",
            "--permutations",
            "500",
            "--gsea-multilevel",
            multilevel,
            "--out",
            p(out),
        ]);
        let (h, rows) = de_read_tsv(&out.join("enrichment.tsv"));
        let col = |name: &str| h.iter().position(|c| c == name).unwrap();
        rows.iter()
            .map(|r| {
                let v = |c: &str| de_num(&r[col(c)]);
                (
                    r[0].clone(),
                    (v("P.Value"), v("log2err"), r[col("ES")].clone(), v("NES")),
                )
            })
            .collect::<std::collections::BTreeMap<_, _>>()
    };
    let simple = run(&dir.path().join("simple"), "false");
    let multi = run(&dir.path().join("multi"), "true");
    assert_eq!(simple.len(), multi.len());
    let floor = 1.0 / 501.0;
    let (mut refined, mut worst_z) = (0, 0.0_f64);
    for (id, (p0, e0, es0, nes0)) in &simple {
        let (p1, e1, es1, nes1) = &multi[id];
        assert_eq!((es0, nes0.to_bits()), (es1, nes1.to_bits()), "{id}");
        assert!(*p0 >= floor && e0.is_finite(), "{id}: p {p0}");
        if p1 != p0 {
            refined += 1;
            assert!(e1.is_finite() && *e1 < 2.0, "{id}: log2err {e1}");
            // Where the permutations saw an ES as extreme, the two estimates agree
            // within 4 of their combined log2 standard errors.
            if *p0 > floor {
                let z = (p1 / p0).log2().abs() / (e0 * e0 + e1 * e1).sqrt();
                worst_z = worst_z.max(z);
                assert!(z < 4.0, "{id}: p {p1} vs {p0}, z {z}");
            }
        }
        if *p1 < floor {
            assert!(p1 != p0 && *p1 > 1e-50, "{id}");
        }
    }
    eprintln!(
        "{refined} of {} sets refined (worst z {worst_z:.2}); smallest p {:e}",
        simple.len(),
        multi.values().map(|v| v.0).fold(1.0, f64::min)
    );
    assert!(refined > 0, "no set refined");
    assert!(multi.values().any(|v| v.0 < floor / 10.0));
}

// -----------------------------------------------------------------------------------
// npxkit qc: PCA and outliers
// -----------------------------------------------------------------------------------

/// pca.tsv and pca_variance.tsv against R's prcomp on the olink_pca_plot preparation
/// (test-data/reference/qc_pca.R): scores and variance fractions within 1e-9 relative
/// to the largest score (prcomp's SVD and npxkit's Jacobi round differently).
#[test]
fn qc_pca_parity_with_prcomp() {
    let reference = repo().join("test-data/reference");
    let input = reference.join("de_cli/input");
    let dir = tempfile::tempdir().unwrap();
    ok(&[
        "qc",
        "--npx",
        p(&input.join("npx.csv")),
        "--samples",
        p(&input.join("samples.tsv")),
        "--out",
        p(dir.path()),
    ]);
    let (rh, rrows) = de_read_tsv(&reference.join("qc_pca/pca.tsv"));
    let (h, rows) = de_read_tsv(&dir.path().join("pca.tsv"));
    assert_eq!(rows.len(), rrows.len());
    let scale = rrows
        .iter()
        .flat_map(|r| r[1..].iter().map(|v| de_num(v).abs()))
        .fold(0.0, f64::max);
    for (r, want) in rows.iter().zip(&rrows) {
        assert_eq!(r[0], want[0], "sample order");
        for (c, name) in rh.iter().enumerate().skip(1) {
            let k = h.iter().position(|x| x == name).unwrap();
            let (g, w) = (de_num(&r[k]), de_num(&want[c]));
            assert!((g - w).abs() <= 1e-9 * scale, "{} {name}: {g} vs {w}", r[0]);
        }
        assert_eq!(r.last().unwrap(), "FALSE", "no outlier in this study");
    }
    let (_, rv) = de_read_tsv(&reference.join("qc_pca/pca_variance.tsv"));
    let (_, v) = de_read_tsv(&dir.path().join("pca_variance.tsv"));
    for (g, w) in v.iter().zip(&rv) {
        assert_eq!(g[0], w[0]);
        assert!(
            (de_num(&g[1]) - de_num(&w[1])).abs() < 1e-12,
            "{g:?} vs {w:?}"
        );
    }
    let qc = read(&dir.path().join("qc.tsv"));
    assert!(qc.lines().next().unwrap().contains("\tqc_outlier"));
}

/// A sample shifted far from the others is flagged on PC1 and by its median.
#[test]
fn qc_flags_a_shifted_sample() {
    let dir = tempfile::tempdir().unwrap();
    let src = read(&small().join("npx.csv"));
    let mut lines = src.lines();
    let header = lines.next().unwrap();
    let cols: Vec<&str> = header.split(';').collect();
    let (sid, npx) = (
        cols.iter().position(|c| *c == "SampleID").unwrap(),
        cols.iter().position(|c| *c == "NPX").unwrap(),
    );
    let mut out = String::from(header);
    out.push('\n');
    for line in lines {
        let mut f: Vec<String> = line.split(';').map(String::from).collect();
        if f[sid] == "S0005" {
            if let Ok(v) = f[npx].parse::<f64>() {
                f[npx] = format!("{}", v + 6.0 + (f[npx].len() % 7) as f64);
            }
        }
        out += &f.join(";");
        out.push('\n');
    }
    let npx_path = dir.path().join("npx.csv");
    std::fs::write(&npx_path, out).unwrap();
    let o = ok(&[
        "qc",
        "--npx",
        p(&npx_path),
        "--samples",
        p(&small().join("samples.tsv")),
        "--pca-outlier-sd",
        "3",
        "--out",
        p(&dir.path().join("qc")),
    ]);
    let summary = String::from_utf8_lossy(&o.stdout);
    assert!(summary.contains("outliers: 1 sample(s)"), "{summary}");
    let pca = read(&dir.path().join("qc/pca.tsv"));
    let flagged: Vec<&str> = pca
        .lines()
        .filter(|l| l.ends_with("\tTRUE"))
        .map(|l| l.split('\t').next().unwrap())
        .collect();
    assert_eq!(flagged, vec!["S0005"]);

    // --exclude-outliers acts on the rule: S0005 leaves the matrix, with its reason.
    let o = ok(&[
        "qc",
        "--npx",
        p(&npx_path),
        "--samples",
        p(&small().join("samples.tsv")),
        "--exclude-outliers",
        "--out",
        p(&dir.path().join("qc2")),
    ]);
    let summary = String::from_utf8_lossy(&o.stdout);
    assert!(summary.contains("18 kept"), "{summary}");
    let qc = read(&dir.path().join("qc2/qc.tsv"));
    let row = qc.lines().find(|l| l.starts_with("S0005\t")).unwrap();
    assert!(
        row.contains("TRUE\tQC outlier: NPX median or IQR beyond 3 SD"),
        "{row}"
    );
    assert!(!read(&dir.path().join("qc2/pca.tsv")).contains("S0005"));
}

// -----------------------------------------------------------------------------------
// npxkit run
// -----------------------------------------------------------------------------------

/// `npxkit run` writes the same tables as the subcommands run one by one.
#[test]
fn run_matches_the_subcommands() {
    let dir = tempfile::tempdir().unwrap();
    let (npx, samples) = (small().join("npx.csv"), small().join("samples.tsv"));
    let run_out = dir.path().join("run");
    let o = ok(&[
        "run",
        "--npx",
        p(&npx),
        "--samples",
        p(&samples),
        "--set",
        "enrich.genesets=go-mf",
        "--set",
        "report.enabled=false",
        "--set",
        "cluster.enabled=false",
        "--out",
        p(&run_out),
    ]);
    assert!(stderr(&o).contains("de:"), "{}", stderr(&o));
    let sub = dir.path().join("sub");
    let common = ["--npx", p(&npx), "--samples", p(&samples)];
    let with = |extra: &[&str]| -> Vec<String> {
        common
            .iter()
            .chain(extra)
            .map(|s| s.to_string())
            .chain(["--out".to_string(), p(&sub).to_string()])
            .collect()
    };
    let call = |name: &str, extra: &[&str]| {
        let mut a = vec![name.to_string()];
        a.extend(with(extra));
        let refs: Vec<&str> = a.iter().map(String::as_str).collect();
        ok(&refs);
    };
    call("qc", &["--group", "timepoint", "--pair", "subject"]);
    let design = [
        "--group",
        "timepoint",
        "--pair",
        "subject",
        "--contrast",
        "C2D1-C1D1",
    ];
    call("de", &design);
    call("score", &design);
    ok(&[
        "enrich",
        "--de",
        p(&sub.join("de.tsv")),
        "--genesets",
        "go-mf",
        "--out",
        p(&sub),
    ]);
    for f in [
        "qc.tsv",
        "assay_qc.tsv",
        "pca.tsv",
        "pca_variance.tsv",
        "de.tsv",
        "scores.tsv",
        "genesets.tsv",
        "score_tests.tsv",
        "enrichment.tsv",
        "protein_values.tsv",
    ] {
        assert_eq!(
            read(&run_out.join(f)),
            read(&sub.join(f)),
            "{f} differs between run and the subcommand"
        );
    }
    let values = read(&run_out.join("protein_values.tsv"));
    assert!(
        values.lines().nth(1).unwrap().contains("\tCD274\t"),
        "CD274 first"
    );
    let run_json: serde_json::Value =
        serde_json::from_str(&read(&run_out.join("run.json"))).unwrap();
    let steps: Vec<&str> = run_json["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["step"].as_str().unwrap())
        .collect();
    assert_eq!(steps, ["load", "qc", "de", "score", "enrich"]);
    assert_eq!(run_json["options"]["enrich"]["genesets"], "go-mf");
    // The effective config re-runs to the same tables.
    let again = dir.path().join("again");
    ok(&[
        "run",
        "--config",
        p(&run_out.join("config.toml")),
        "--out",
        p(&again),
    ]);
    assert_eq!(read(&again.join("de.tsv")), read(&run_out.join("de.tsv")));
}

#[test]
fn run_config_errors_and_print_config() {
    let o = ok(&["run", "--print-config"]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("[design]") && text.contains("contrast = [\"C2D1-C1D1\"]"));
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("bad.toml");
    std::fs::write(&cfg, "[de]\ntrned = true\n").unwrap();
    let e = fails(&["run", "--config", p(&cfg), "--out", p(dir.path())], 2);
    assert!(e.contains("trned") && e.contains("--print-config"), "{e}");
    std::fs::write(&cfg, "[de\n").unwrap();
    let e = fails(&["run", "--config", p(&cfg), "--out", p(dir.path())], 2);
    assert!(e.contains("not valid TOML"), "{e}");
    let e = fails(&["run", "--out", p(dir.path())], 2);
    assert!(e.contains("--npx"), "{e}");
    let e = fails(
        &[
            "run",
            "--npx",
            p(&small().join("npx.csv")),
            "--samples",
            p(&small().join("samples.tsv")),
            "--set",
            "de.method=anova",
            "--out",
            p(dir.path()),
        ],
        2,
    );
    assert!(e.contains("de.method") && e.contains("wilcoxon"), "{e}");
}

// -----------------------------------------------------------------------------------
// npxkit cluster
// -----------------------------------------------------------------------------------

/// Writes an enrichment.tsv from a term list of test-data/reference/cluster.
fn cluster_enrichment_from_terms(terms: &Path, out: &Path) {
    let text = read(terms);
    let mut lines = text.lines();
    let h: Vec<&str> = lines.next().unwrap().split('\t').collect();
    let c = |n: &str| h.iter().position(|x| *x == n).unwrap();
    let mut t = String::from("id\tname\tsize\tdirection\tP.Value\tadj.P.Val\tgenes\n");
    for l in lines {
        let f: Vec<&str> = l.split('\t').collect();
        let n = f[c("members")].split(',').count();
        t += &format!(
            "{}\t{}\t{n}\t{}\t{}\t{}\t{}\n",
            f[c("id")],
            f[c("name")],
            f[c("direction")],
            f[c("P.Value")],
            f[c("adj.P.Val")],
            f[c("members")]
        );
    }
    std::fs::write(out, t).unwrap();
}

/// The walktrap partition through the CLI equals igraph's on the GO BP reference
/// graphs (test-data/reference/cluster.R; members = the measured genes).
#[test]
fn cluster_walktrap_parity_through_the_cli() {
    let reference = repo().join("test-data/reference/cluster");
    for case in ["bp150", "bp400"] {
        let dir = tempfile::tempdir().unwrap();
        let enr = dir.path().join("enrichment.tsv");
        cluster_enrichment_from_terms(&reference.join(format!("{case}_terms.tsv")), &enr);
        ok(&[
            "cluster",
            "--enrichment",
            p(&enr),
            "--genesets",
            "go-bp",
            "--members",
            "measured",
            "--fdr",
            "1",
            "--min-cluster-size",
            "1",
            "--out",
            p(dir.path()),
        ]);
        // igraph's walktrap labels of the linked terms.
        let (mh, mrows) = de_read_tsv(&reference.join(format!("{case}_ari_0.25_membership.tsv")));
        let th = mh.iter().position(|x| x == "term").unwrap();
        let wc = mh.iter().position(|x| x == "walktrap").unwrap();
        let (_, trows) = de_read_tsv(&reference.join(format!("{case}_terms.tsv")));
        let want: std::collections::HashMap<String, String> = mrows
            .iter()
            .map(|r| {
                let term: usize = r[th].parse().unwrap(); // 0-based term index
                (trows[term][0].clone(), r[wc].clone())
            })
            .collect();
        let (ch, crows) = de_read_tsv(&dir.path().join("clusters.tsv"));
        let col = |n: &str| ch.iter().position(|x| x == n).unwrap();
        let mut pairs = std::collections::HashMap::new();
        let mut linked = 0;
        for r in &crows {
            if r[col("unlinked")] == "TRUE" {
                assert!(
                    !want.contains_key(&r[col("id")]),
                    "{case}: {} linked in R",
                    r[0]
                );
                continue;
            }
            linked += 1;
            let ours = r[col("community")].clone();
            let theirs = want
                .get(&r[col("id")])
                .unwrap_or_else(|| panic!("{} not in R", r[0]));
            // Same partition: the label maps are one-to-one.
            assert_eq!(
                pairs.entry(ours.clone()).or_insert_with(|| theirs.clone()),
                theirs,
                "{case}: {}",
                r[0]
            );
        }
        assert_eq!(linked, want.len(), "{case}: linked terms");
        let distinct: std::collections::HashSet<&String> = pairs.values().collect();
        assert_eq!(distinct.len(), pairs.len(), "{case}: one-to-one labels");
        let net: serde_json::Value =
            serde_json::from_str(&read(&dir.path().join("network.json"))).unwrap();
        let (_, summary) = de_read_tsv(&reference.join("summary.tsv"));
        let (sh, _) = de_read_tsv(&reference.join("summary.tsv"));
        let g = sh.iter().position(|x| x == "graph").unwrap();
        let q = sh.iter().position(|x| x == "walktrap_modularity").unwrap();
        let row = summary
            .iter()
            .find(|r| r[g] == format!("{case}_ari_0.25"))
            .unwrap();
        let got = net["modularity"].as_f64().unwrap();
        assert!(
            (got - de_num(&row[q])).abs() < 1e-10,
            "{case}: modularity {got} vs {}",
            row[q]
        );
    }
}

#[test]
fn cluster_outputs_and_errors() {
    let reference = repo().join("test-data/reference/cluster");
    let dir = tempfile::tempdir().unwrap();
    let enr = dir.path().join("enrichment.tsv");
    cluster_enrichment_from_terms(&reference.join("bp150_terms.tsv"), &enr);
    let out = dir.path().join("c");
    let o = ok(&[
        "cluster",
        "--enrichment",
        p(&enr),
        "--genesets",
        "go-bp",
        "--top",
        "60",
        "--direction",
        "up",
        "--out",
        p(&out),
    ]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("clusters"));
    for f in [
        "clusters.tsv",
        "cluster_words.tsv",
        "network.json",
        "network.graphml",
        "run.json",
    ] {
        assert!(out.join(f).exists(), "{f}");
    }
    let clusters = read(&out.join("clusters.tsv"));
    assert!(clusters.lines().count() <= 61);
    assert!(clusters
        .lines()
        .skip(1)
        .all(|l| l.split('\t').nth(8) == Some("Up")));
    let graphml = read(&out.join("network.graphml"));
    assert!(graphml.starts_with("<?xml") && graphml.contains("<graphml"));
    // Deterministic across thread counts.
    let out1 = dir.path().join("c1");
    ok(&[
        "--threads",
        "1",
        "cluster",
        "--enrichment",
        p(&enr),
        "--genesets",
        "go-bp",
        "--top",
        "60",
        "--direction",
        "up",
        "--out",
        p(&out1),
    ]);
    for f in [
        "clusters.tsv",
        "cluster_words.tsv",
        "network.json",
        "network.graphml",
    ] {
        assert_eq!(read(&out.join(f)), read(&out1.join(f)), "{f}");
    }
    // A term the collection lacks is a clear error with --members all.
    let e = fails(
        &[
            "cluster",
            "--enrichment",
            p(&enr),
            "--genesets",
            "bindea2013",
            "--out",
            p(&out),
        ],
        1,
    );
    assert!(
        e.contains("not in the collection") && e.contains("--members measured"),
        "{e}"
    );
    let e = fails(
        &[
            "cluster",
            "--enrichment",
            p(&enr),
            "--fdr",
            "0",
            "--out",
            p(&out),
        ],
        2,
    );
    assert!(e.contains("--fdr"), "{e}");
    let bad = dir.path().join("bad.tsv");
    std::fs::write(&bad, "id\tname\n").unwrap();
    let e = fails(
        &[
            "cluster",
            "--enrichment",
            p(&bad),
            "--genesets",
            "go-bp",
            "--out",
            p(&out),
        ],
        1,
    );
    assert!(e.contains("no column `P.Value`"), "{e}");
}

// -----------------------------------------------------------------------------------
// npxkit run → report
// -----------------------------------------------------------------------------------

/// Opens `html` in headless Chromium; returns the DOM after the page's script ran and
/// writes a screenshot to `shot`. `None` (with the reason printed) without Chromium.
fn chromium_render(html: &Path, shot: &Path) -> Option<(String, String)> {
    let bin = ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|b| {
            Command::new(b)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        });
    let Some(bin) = bin else {
        eprintln!("skipped the browser check: no chromium on PATH (apt-get install chromium)");
        return None;
    };
    let profile = tempfile::tempdir().unwrap();
    let url = format!("file://{}", std::fs::canonicalize(html).unwrap().display());
    let common = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--virtual-time-budget=5000",
    ];
    let run = |extra: &[String]| {
        Command::new(bin)
            .args(common)
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .args(extra)
            .arg(&url)
            .output()
            .expect("chromium runs")
    };
    let dom = run(&[
        "--enable-logging=stderr".into(),
        "--v=0".into(),
        "--dump-dom".into(),
    ]);
    let shot_arg = format!("--screenshot={}", shot.display());
    let _ = run(&["--window-size=1400,3000".into(), shot_arg]);
    Some((
        String::from_utf8_lossy(&dom.stdout).into_owned(),
        String::from_utf8_lossy(&dom.stderr).into_owned(),
    ))
}

/// The whole pipeline on the simulated study: every table, every figure (SVG and
/// PNG), a report with every section filled that renders in a real browser without
/// script errors; `npxkit report` rebuilds the same page from the tables.
#[test]
fn run_report_renders_in_chromium() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    ok(&[
        "run",
        "--npx",
        p(&small().join("npx.parquet")),
        "--samples",
        p(&small().join("samples.tsv")),
        "--set",
        "enrich.genesets=go-mf",
        "--set",
        "enrich.top=15",
        "--set",
        "cluster.fdr=1",
        "--set",
        "report.title=Simulated trial",
        "--out",
        p(&out),
    ]);
    for f in [
        "qc.tsv",
        "assay_qc.tsv",
        "pca.tsv",
        "de.tsv",
        "protein_values.tsv",
        "scores.tsv",
        "score_tests.tsv",
        "enrichment.tsv",
        "clusters.tsv",
        "cluster_words.tsv",
        "network.json",
        "network.graphml",
        "report.html",
        "config.toml",
        "run.json",
    ] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    let figures = [
        "qc_pca",
        "qc_sample_distribution",
        "qc_below_lod",
        "qc_missingness",
        "de_volcano",
        "de_ma",
        "de_pvalue_histogram",
        "de_paired_proteins",
        "immune_heatmap",
        "immune_paired",
        "go_network",
    ];
    for f in figures {
        for ext in ["svg", "png"] {
            let path = out.join(format!("figures/{f}.{ext}"));
            assert!(path.is_file(), "{} missing", path.display());
        }
    }
    let html = read(&out.join("report.html"));
    assert!(html.contains("<title>Simulated trial</title>"));
    assert!(
        !html.contains("class=\"note\">QC was not run"),
        "every section filled"
    );
    for id in [
        "summary",
        "qc",
        "de",
        "proteins",
        "immune",
        "enrichment",
        "themes",
        "methods",
        "provenance",
    ] {
        let start = html
            .find(&format!("<section id=\"{id}\">"))
            .unwrap_or_else(|| panic!("{id}"));
        let section = &html[start..start + html[start..].find("</section>").unwrap()];
        assert!(
            !section.contains("<p class=\"note\">") || id == "qc",
            "section {id} has no data: {}",
            &section[..section.len().min(300)]
        );
    }
    assert!(
        html.contains("CD274"),
        "the highlighted protein is in the report"
    );
    assert!(html.contains("limma") && html.contains("GSVA") && html.contains("vissE"));
    for external in [
        "src=\"http",
        "href=\"http",
        "<link ",
        "@import",
        "url(http",
        "<img",
    ] {
        assert!(!html.contains(external), "a network request: {external}");
    }
    let run_json: serde_json::Value = serde_json::from_str(&read(&out.join("run.json"))).unwrap();
    let steps: Vec<&str> = run_json["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["step"].as_str().unwrap())
        .collect();
    assert_eq!(
        steps,
        ["load", "qc", "de", "score", "enrich", "cluster", "report"]
    );

    // `npxkit report` rebuilds the page from the tables, byte for byte the same for the
    // same inputs, and keeps the run's own run.json when writing into the same folder.
    let again = dir.path().join("again");
    ok(&[
        "report",
        "--in",
        p(&out),
        "--title",
        "Simulated trial",
        "--out",
        p(&again),
    ]);
    let again2 = dir.path().join("again2");
    ok(&[
        "report",
        "--in",
        p(&out),
        "--title",
        "Simulated trial",
        "--out",
        p(&again2),
    ]);
    assert_eq!(
        read(&again.join("report.html")),
        read(&again2.join("report.html"))
    );
    assert_eq!(
        std::fs::read(again.join("figures/de_volcano.png")).unwrap(),
        std::fs::read(again2.join("figures/de_volcano.png")).unwrap()
    );
    assert!(read(&again.join("report.html")).contains("href=\"../run/de.tsv\""));
    let before = read(&out.join("run.json"));
    ok(&["report", "--in", p(&out), "--out", p(&out)]);
    assert_eq!(read(&out.join("run.json")), before);
    assert!(out.join("report.run.json").is_file());

    // A real browser: the page's script ran, every figure is there, no error.
    let shots = repo().join("target/test-output");
    std::fs::create_dir_all(&shots).unwrap();
    let shot = shots.join("report.png");
    if let Some((dom, log)) = chromium_render(&out.join("report.html"), &shot) {
        // The <html> element carries what the page's script found.
        let start = dom.find("<html").expect("an html element");
        let root = &dom[start..start + dom[start..].find('>').unwrap()];
        assert!(
            root.contains("data-ready=\"1\""),
            "the script did not finish: {root} {log}"
        );
        assert!(
            root.contains(&format!("data-figures=\"{}\"", figures.len())),
            "figures in the DOM: {root}"
        );
        assert!(!root.contains("data-errors"), "script errors: {root} {log}");
        assert!(!log.contains("Uncaught"), "console errors: {log}");
        assert!(shot.is_file(), "screenshot written");
        eprintln!("report screenshot: {}", shot.display());
    }
}

#[test]
fn report_errors() {
    let dir = tempfile::tempdir().unwrap();
    let e = fails(
        &["report", "--in", p(dir.path()), "--out", p(dir.path())],
        1,
    );
    assert!(e.contains("no npxkit result table"), "{e}");
    let e = fails(
        &[
            "report",
            "--in",
            p(&dir.path().join("nope")),
            "--out",
            p(dir.path()),
        ],
        2,
    );
    assert!(e.contains("not a folder"), "{e}");
    std::fs::write(dir.path().join("de.tsv"), "OlinkID\tlogFC\nA\t1\t2\n").unwrap();
    let e = fails(
        &["report", "--in", p(dir.path()), "--out", p(dir.path())],
        1,
    );
    assert!(e.contains("de.tsv") && e.contains("line 2"), "{e}");
}

/// The official OlinkAnalyze example (three visits, 2 controls) through `npxkit run`.
#[test]
fn run_official_example() {
    let dir = repo().join("../shared/data/olink-examples");
    if !dir.is_dir() {
        eprintln!("skipped: {} is absent", dir.display());
        return;
    }
    let out = tempfile::tempdir().unwrap();
    let o = ok(&[
        "run",
        "--npx",
        p(&dir.join("npx_data_wide_csv.csv")),
        "--samples",
        p(&dir.join("npx_data1_meta.csv")),
        "--group",
        "Time",
        "--pair",
        "Subject",
        "--contrast",
        "Week.6-Baseline",
        "--contrast",
        "Week.12-Baseline",
        "--highlight",
        "IL6,CD274",
        "--set",
        "enrich.top=20",
        "--set",
        "cluster.fdr=1",
        "--out",
        p(out.path()),
    ]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("Week.6-Baseline") && text.contains("Week.12-Baseline"),
        "{text}"
    );
    let de = read(&out.path().join("de.tsv"));
    assert!(
        de.starts_with("contrast\tOlinkID"),
        "two contrasts: a contrast column"
    );
    let html = read(&out.path().join("report.html"));
    assert!(html.contains("Contrast Week.6-Baseline"));
    for f in [
        "de_volcano",
        "immune_heatmap",
        "qc_pca",
        "de_paired_proteins",
        "go_network",
    ] {
        assert!(out.path().join(format!("figures/{f}.svg")).is_file(), "{f}");
    }
    for id in [
        "summary",
        "qc",
        "de",
        "proteins",
        "immune",
        "enrichment",
        "themes",
        "methods",
    ] {
        let start = html.find(&format!("<section id=\"{id}\">")).unwrap();
        let section = &html[start..start + html[start..].find("</section>").unwrap()];
        assert!(
            !section.contains("<p class=\"note\">"),
            "section {id} has no data"
        );
    }
    let shots = repo().join("target/test-output");
    std::fs::create_dir_all(&shots).unwrap();
    if let Some((dom, log)) = chromium_render(
        &out.path().join("report.html"),
        &shots.join("report-olink-example.png"),
    ) {
        let start = dom.find("<html").expect("an html element");
        let root = &dom[start..start + dom[start..].find('>').unwrap()];
        assert!(
            root.contains("data-ready=\"1\"") && !root.contains("data-errors"),
            "{root} {log}"
        );
    }
}

// -----------------------------------------------------------------------------------
// npxkit de --shard / --merge
// -----------------------------------------------------------------------------------

/// Four shards merged (in any order) give the bytes of one run: two contrasts (one
/// through contrasts.fit), trend + robust; the blocked model with a known correlation;
/// limma <= 3.60's prior (`--ebayes legacy`; the data have missing values, so the two
/// priors differ); and the moderated F.
#[test]
fn de_shards_merge_to_the_same_bytes() {
    let input = repo().join("test-data/reference/de_cli/input");
    let cases: [&[&str]; 4] = [
        &[
            "--group",
            "timepoint",
            "--pair",
            "subject",
            "--contrast",
            "C2D1-C1D1",
            "--contrast",
            "C1D1-C2D1",
            "--trend",
            "--robust",
            "--adjust",
            "holm",
        ],
        &[
            "--group",
            "timepoint",
            "--block",
            "subject",
            "--correlation",
            "0.4",
            "--covariates",
            "age",
            "--contrast",
            "C2D1-C1D1",
        ],
        &[
            "--group",
            "timepoint",
            "--pair",
            "subject",
            "--contrast",
            "C2D1-C1D1",
            "--ebayes",
            "legacy",
            "--robust",
        ],
        &[
            "--group",
            "timepoint",
            "--covariates",
            "age,sex",
            "--contrast",
            "C2D1-C1D1",
            "--test",
            "F",
        ],
    ];
    for (c, opts) in cases.iter().enumerate() {
        let dir = tempfile::tempdir().unwrap();
        let with = |extra: &[&str], out: &Path| -> Vec<String> {
            let mut a: Vec<String> = [
                "de",
                "--npx",
                p(&input.join("npx.csv")),
                "--samples",
                p(&input.join("samples.tsv")),
            ]
            .iter()
            .map(|s| s.to_string())
            .collect();
            a.extend(opts.iter().map(|s| s.to_string()));
            a.extend(extra.iter().map(|s| s.to_string()));
            a.extend(["--out".to_string(), p(out).to_string()]);
            a
        };
        let call = |a: Vec<String>| {
            let refs: Vec<&str> = a.iter().map(String::as_str).collect();
            ok(&refs)
        };
        call(with(&[], &dir.path().join("whole")));
        let mut partials = Vec::new();
        for k in [3, 1, 4, 2] {
            let out = dir.path().join(format!("s{k}"));
            call(with(&["--shard", &format!("{k}/4")], &out));
            assert!(!out.join("de.tsv").exists(), "a shard writes no de.tsv");
            partials.push(out.join("de.partial.tsv"));
        }
        let merged = dir.path().join("merged");
        let mut a = vec!["de".to_string(), "--merge".into()];
        a.extend(partials.iter().map(|x| p(x).to_string()));
        a.extend(["--out".into(), p(&merged).into()]);
        call(a);
        assert_eq!(
            std::fs::read(merged.join("de.tsv")).unwrap(),
            std::fs::read(dir.path().join("whole/de.tsv")).unwrap(),
            "case {c}: merged de.tsv differs from the unsharded run"
        );
    }
}

#[test]
fn de_merge_errors() {
    let input = repo().join("test-data/reference/de_cli/input");
    let dir = tempfile::tempdir().unwrap();
    let (npx, samples) = (input.join("npx.csv"), input.join("samples.tsv"));
    let shard = |k: usize, n: usize, extra: &[&str]| -> PathBuf {
        let out = dir.path().join(format!("s{k}of{n}{}", extra.join("")));
        let mut a = vec![
            "de",
            "--npx",
            p(&npx),
            "--samples",
            p(&samples),
            "--group",
            "timepoint",
            "--pair",
            "subject",
            "--contrast",
            "C2D1-C1D1",
        ];
        let spec = format!("{k}/{n}");
        a.extend(["--shard", &spec]);
        a.extend(extra);
        a.extend(["--out", p(&out)]);
        ok(&a);
        out.join("de.partial.tsv")
    };
    let (a, b, c) = (shard(1, 3, &[]), shard(2, 3, &[]), shard(3, 3, &[]));
    let out = dir.path().join("m");
    let e = fails(&["de", "--merge", p(&a), p(&c), "--out", p(&out)], 2);
    assert!(e.contains("missing: 2/3"), "{e}");
    let e = fails(
        &[
            "de",
            "--merge",
            p(&a),
            p(&a),
            p(&b),
            p(&c),
            "--out",
            p(&out),
        ],
        2,
    );
    assert!(e.contains("given twice: 1/3"), "{e}");
    let trend = shard(2, 3, &["--trend"]);
    let e = fails(
        &["de", "--merge", p(&a), p(&trend), p(&c), "--out", p(&out)],
        2,
    );
    assert!(e.contains("other options"), "{e}");
    // A truncated partial file is named with its line.
    let text = read(&b);
    let cut = dir.path().join("cut.tsv");
    std::fs::write(&cut, &text[..text.len() - 7]).unwrap();
    let e = fails(
        &["de", "--merge", p(&a), p(&cut), p(&c), "--out", p(&out)],
        1,
    );
    assert!(e.contains("cut.tsv") && e.contains("truncated"), "{e}");
    let e = fails(
        &[
            "de",
            "--merge",
            p(&a),
            "--npx",
            p(&input.join("npx.csv")),
            "--out",
            p(&out),
        ],
        2,
    );
    assert!(e.contains("--merge takes only"), "{e}");
    assert!(
        !out.join("de.tsv").exists(),
        "no table after a failed merge"
    );
    let e = fails(
        &[
            "de",
            "--npx",
            p(&input.join("npx.csv")),
            "--samples",
            p(&input.join("samples.tsv")),
            "--group",
            "timepoint",
            "--contrast",
            "C2D1-C1D1",
            "--shard",
            "5/4",
            "--out",
            p(&out),
        ],
        2,
    );
    assert!(e.contains("--shard `5/4`"), "{e}");
}

// npxkit normalize
//
// End-to-end checks against the R port of OlinkAnalyze 5.0.2's olink_normalization
// formulas (test-data/reference/normalize.R): normalized.csv and adjustments.tsv
// within 1e-10 of R, row counts and bridge-sample removal exactly as R. The synthetic
// inputs are committed; npx_data1/npx_data2 come from ../shared (skipped when absent).

fn nz_ref() -> PathBuf {
    repo().join("test-data/reference/normalize")
}

fn nz_num(s: &str) -> f64 {
    match s {
        "NA" => f64::NAN,
        "Inf" => f64::INFINITY,
        "-Inf" => f64::NEG_INFINITY,
        _ => s.parse().unwrap_or_else(|_| panic!("not a number: {s}")),
    }
}

fn nz_table(path: &Path, sep: char) -> (Vec<String>, Vec<Vec<String>>) {
    let text = read(path);
    let mut lines = text.lines();
    let header = lines.next().unwrap().split(sep).map(String::from).collect();
    let rows = lines
        .map(|l| l.split(sep).map(String::from).collect())
        .collect();
    (header, rows)
}

/// Compares a `npxkit normalize` output folder with the R case; returns max |diff|.
fn nz_compare(out: &Path, case: &str) -> f64 {
    let mut maxdiff = 0.0f64;
    let (h, rows) = nz_table(&out.join("normalized.csv"), ';');
    let col = |n: &str| {
        h.iter()
            .position(|c| c == n)
            .unwrap_or_else(|| panic!("{case}: no {n}"))
    };
    let (pc, sc, oc, ac) = (
        col("Project"),
        col("SampleID"),
        col("OlinkID"),
        col("Adj_factor"),
    );
    // rows per project, in order
    let (_, counts) = nz_table(&nz_ref().join(format!("{case}_counts.tsv")), '\t');
    let mut mine: Vec<(String, usize)> = Vec::new();
    for r in &rows {
        match mine.last_mut() {
            Some((p, c)) if *p == r[pc] => *c += 1,
            _ => mine.push((r[pc].clone(), 1)),
        }
    }
    let want: Vec<(String, usize)> = counts
        .iter()
        .map(|r| (r[0].clone(), r[1].parse().unwrap()))
        .collect();
    assert_eq!(mine, want, "{case}: rows per project");
    // every R row (or every row of the assays R wrote), values within 1e-10
    let (rh, rrows) = nz_table(&nz_ref().join(format!("{case}_normalized.tsv")), '\t');
    let assays: std::collections::HashSet<&str> = rrows.iter().map(|r| r[2].as_str()).collect();
    let mine: Vec<&Vec<String>> = rows
        .iter()
        .filter(|r| assays.contains(r[oc].as_str()))
        .collect();
    assert_eq!(mine.len(), rrows.len(), "{case}: normalised rows");
    let mut by_key: std::collections::HashMap<(&str, &str, &str), Vec<&Vec<String>>> =
        Default::default();
    for r in &rrows {
        by_key.entry((&r[0], &r[1], &r[2])).or_default().push(r);
    }
    let mut used: std::collections::HashMap<(&str, &str, &str), usize> = Default::default();
    for r in mine {
        let key = (r[pc].as_str(), r[sc].as_str(), r[oc].as_str());
        let k = used.entry(key).or_insert(0);
        let w = by_key
            .get(&key)
            .unwrap_or_else(|| panic!("{case}: {key:?} not in R"))[*k];
        *k += 1;
        for (i, name) in rh.iter().enumerate().skip(3) {
            let mc = if name == "Adj_factor" { ac } else { col(name) };
            let (a, b) = (nz_num(&r[mc]), nz_num(&w[i]));
            let same = (a.is_nan() && b.is_nan()) || a == b || (a - b).abs() <= 1e-10;
            assert!(same, "{case} {key:?} {name}: {a} vs R {b}");
            if b.is_finite() {
                maxdiff = maxdiff.max((a - b).abs());
            }
        }
    }
    // adjustments.tsv: one row per project x assay, as R's distinct factors
    let (ah, adj) = nz_table(&out.join("adjustments.tsv"), '\t');
    assert_eq!(ah, ["Project", "OlinkID", "Assay", "Adj_factor", "method"]);
    let (_, f) = nz_table(&nz_ref().join(format!("{case}_factors.tsv")), '\t');
    assert_eq!(adj.len(), f.len(), "{case}: adjustments rows");
    for (a, w) in adj.iter().zip(&f) {
        assert_eq!((&a[0], &a[1]), (&w[0], &w[1]), "{case}");
        let (x, y) = (nz_num(&a[3]), nz_num(&w[2]));
        assert!((x - y).abs() <= 1e-10, "{case} {w:?}: {x}");
        maxdiff = maxdiff.max((x - y).abs());
    }
    eprintln!("{case}: max |diff| vs R = {maxdiff:e}");
    maxdiff
}

#[test]
fn normalize_synthetic_cases_match_r() {
    let d = tempfile::tempdir().unwrap();
    let r = nz_ref();
    let f = |n: &str| r.join(n);
    let (p1, p2, p3) = (f("syn_p1.csv"), f("syn_p2.csv"), f("syn_p3.csv"));
    let out = |n: &str| d.path().join(n);
    // two projects, auto bridges (B1..B4; CONTROL_SAMPLE_1 is shared but excluded)
    let o = ok(&[
        "normalize",
        "--npx",
        p(&p1),
        "--npx",
        p(&p2),
        "--out",
        p(&out("b")),
    ]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("bridge over 4 samples"));
    assert!(stderr(&o).contains("OID00006"), "{}", stderr(&o));
    nz_compare(&out("b"), "syn_bridge");
    let run: serde_json::Value = serde_json::from_str(&read(&out("b").join("run.json"))).unwrap();
    assert_eq!(run["results"]["removed_assays"][0]["OlinkID"], "OID00006");
    assert!(out("b").join("normalized.parquet").exists());
    ok(&[
        "normalize",
        "--npx",
        p(&p1),
        "--npx",
        p(&p2),
        "--reference",
        "2",
        "--out",
        p(&out("b2")),
    ]);
    nz_compare(&out("b2"), "syn_bridge_ref2");
    // subset
    let sub = d.path().join("subset.tsv");
    std::fs::write(
        &sub,
        "Project\tSampleID\nP1\tS1\nP1\tS2\nP1\tS3\nP1\tS4\nP1\tS5\n2\tT1\n2\tT2\n2\tT3\n2\tT4\n2\tT5\n2\tT6\n",
    )
    .unwrap();
    ok(&[
        "normalize",
        "--npx",
        p(&p1),
        "--npx",
        p(&p2),
        "--subset",
        p(&sub),
        "--out",
        p(&out("s")),
    ]);
    nz_compare(&out("s"), "syn_subset");
    // reference medians over the non-control samples... R used S1..S10 only
    let s10 = d.path().join("s10.csv");
    let mut t = String::from("Project,SampleID\n");
    for i in 1..=10 {
        t.push_str(&format!("P1,S{i}\n"));
    }
    std::fs::write(&s10, t).unwrap();
    ok(&[
        "normalize",
        "--npx",
        p(&p1),
        "--reference-medians",
        p(&f("syn_refmed_medians.tsv")),
        "--subset",
        p(&s10),
        "--out",
        p(&out("m")),
    ]);
    nz_compare(&out("m"), "syn_refmed");
    // three projects chained, positional bridge pairs with different IDs (X1..X3 ~ C1..C3)
    let o = ok(&[
        "normalize",
        "--npx",
        p(&p1),
        "--npx",
        p(&p2),
        "--npx",
        p(&p3),
        "--bridge-samples",
        p(&f("syn_chain_bridges.tsv")),
        "--out",
        p(&out("c")),
    ]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("P3 -> P2: bridge over 3 samples"));
    nz_compare(&out("c"), "syn_chain");
    let csv = read(&out("c").join("normalized.csv"));
    for gone in [";B1;", ";X1;"] {
        // P2's copies of B1..B4 and P3's X1..X3 are removed; P1's B1 stays
        let n = csv.lines().filter(|l| l.starts_with(&gone[1..])).count();
        assert_eq!(n, if gone == ";B1;" { 6 } else { 0 }, "{gone}");
    }
    ok(&[
        "normalize",
        "--npx",
        p(&p1),
        "--npx",
        p(&p2),
        "--npx",
        p(&p3),
        "--subset",
        p(&f("syn_chain_subsets.tsv")),
        "--out",
        p(&out("cs")),
    ]);
    nz_compare(&out("cs"), "syn_chain_subset");
}

#[test]
fn normalize_errors_are_clear() {
    let d = tempfile::tempdir().unwrap();
    let r = nz_ref();
    let (p1, p2, p3) = (
        r.join("syn_p1.csv"),
        r.join("syn_p2.csv"),
        r.join("syn_p3.csv"),
    );
    let out = d.path().join("o");
    // no shared bridge samples between P2 and P3
    let e = fails(
        &[
            "normalize",
            "--npx",
            p(&p1),
            "--npx",
            p(&p2),
            "--npx",
            p(&p3),
            "--out",
            p(&out),
        ],
        1,
    );
    assert!(e.contains("share no SampleID apart from controls"), "{e}");
    assert!(
        !out.join("normalized.csv").exists(),
        "nothing written on failure"
    );
    // unknown reference
    let e = fails(
        &[
            "normalize",
            "--npx",
            p(&p1),
            "--npx",
            p(&p2),
            "--reference",
            "3",
            "--out",
            p(&out),
        ],
        2,
    );
    assert!(e.contains("--reference 3 is not a project"), "{e}");
    // one project without reference medians
    let e = fails(&["normalize", "--npx", p(&p1), "--out", p(&out)], 2);
    assert!(e.contains("at least two --npx"), "{e}");
    // a bridge file naming an unknown sample
    let b = d.path().join("bridges.tsv");
    std::fs::write(&b, "SampleID\nB1\nB9\n").unwrap();
    let e = fails(
        &[
            "normalize",
            "--npx",
            p(&p1),
            "--npx",
            p(&p2),
            "--bridge-samples",
            p(&b),
            "--out",
            p(&out),
        ],
        1,
    );
    assert!(e.contains("sample B9 is not in P1"), "{e}");
    // an uneven bridge list cannot pair
    std::fs::write(
        &b,
        "Project\tSampleID\tReferenceSampleID\nP2\tB1\tB1\nP2\tB2\tB1\n",
    )
    .unwrap();
    let e = fails(
        &[
            "normalize",
            "--npx",
            p(&p1),
            "--npx",
            p(&p2),
            "--bridge-samples",
            p(&b),
            "--out",
            p(&out),
        ],
        1,
    );
    assert!(e.contains("duplicated normalisation sample"), "{e}");
}

#[test]
fn normalize_official_examples_match_r() {
    let dir = repo().join("../shared/data/olink-examples/package-data");
    if !dir.join("npx_data1.csv").exists() {
        eprintln!(
            "skipping: {} is absent (npx_data1/npx_data2)",
            dir.display()
        );
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let (a, b) = (dir.join("npx_data1.csv"), dir.join("npx_data2.csv"));
    let out = d.path().join("ex");
    let o = ok(&[
        "normalize",
        "--npx",
        p(&a),
        "--npx",
        p(&b),
        "--out",
        p(&out),
    ]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("bridge over 16 samples"));
    nz_compare(&out, "example_bridge");
    let out2 = d.path().join("ex2");
    ok(&[
        "normalize",
        "--npx",
        p(&a),
        "--npx",
        p(&b),
        "--reference",
        "2",
        "--out",
        p(&out2),
    ]);
    nz_compare(&out2, "example_bridge_ref2");
    let out3 = d.path().join("ex3");
    let sub = nz_ref().join("example_subsets.tsv");
    ok(&[
        "normalize",
        "--npx",
        p(&a),
        "--npx",
        p(&b),
        "--subset",
        p(&sub),
        "--out",
        p(&out3),
    ]);
    nz_compare(&out3, "example_subset");
    let out4 = d.path().join("ex4");
    let sub1 = d.path().join("p1_subset.tsv");
    let text = read(&sub);
    let p1_rows: Vec<&str> = text.lines().filter(|l| !l.starts_with("P2\t")).collect();
    std::fs::write(&sub1, p1_rows.join("\n") + "\n").unwrap();
    ok(&[
        "normalize",
        "--npx",
        p(&a),
        "--reference-medians",
        p(&nz_ref().join("example_refmed_medians.tsv")),
        "--subset",
        p(&sub1),
        "--out",
        p(&out4),
    ]);
    nz_compare(&out4, "example_refmed");
}

// -----------------------------------------------------------------------------------
// npxkit genesets build-go
// -----------------------------------------------------------------------------------

#[test]
fn genesets_build_go_from_obo_and_gzipped_gaf() {
    let dir = tempfile::tempdir().unwrap();
    let obo = dir.path().join("go-basic.obo");
    std::fs::write(
        &obo,
        "format-version: 1.2\ndata-version: releases/2026-10-01\n\n\
[Term]\nid: GO:0000001\nname: immune process\nnamespace: biological_process\n\n\
[Term]\nid: GO:0000002\nname: T cell activation\nnamespace: biological_process\nis_a: GO:0000001 ! immune process\n\n\
[Term]\nid: GO:0000003\nname: T cell receptor signaling\nnamespace: biological_process\nrelationship: part_of GO:0000002 ! T cell activation\n\n\
[Term]\nid: GO:0000009\nname: binding\nnamespace: molecular_function\n",
    )
    .unwrap();
    let line = |sym: &str, q: &str, go: &str, ev: &str| {
        format!("UniProtKB\tP1\t{sym}\t{q}\t{go}\tPMID:1\t{ev}\t\tP\t\t\tprotein\ttaxon:9606\t20260101\tUniProt\t\t\n")
    };
    let gaf_text = format!(
        "!gaf-version: 2.2\n{}{}{}{}",
        line("CD3E", "involved_in", "GO:0000003", "IDA"),
        line("CD28", "involved_in", "GO:0000002", "IEA"),
        line("IL6", "NOT|involved_in", "GO:0000001", "IDA"),
        line("LCK", "enables", "GO:0000009", "IDA"),
    );
    let gaf = dir.path().join("goa_human.gaf.gz");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(gaf_text.as_bytes()).unwrap();
    std::fs::write(&gaf, gz.finish().unwrap()).unwrap();
    let out = dir.path().join("go_bp.gmt");
    let o = ok(&[
        "genesets",
        "build-go",
        "--obo",
        p(&obo),
        "--gaf",
        p(&gaf),
        "--namespace",
        "bp",
        "--out",
        p(&out),
    ]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("3 GO bp sets"));
    assert_eq!(
        read(&out),
        "GO:0000001\timmune process\tCD28\tCD3E\n\
         GO:0000002\tT cell activation\tCD28\tCD3E\n\
         GO:0000003\tT cell receptor signaling\tCD3E\n"
    );
    ok(&[
        "genesets",
        "build-go",
        "--obo",
        p(&obo),
        "--gaf",
        p(&gaf),
        "--exclude-evidence",
        "IEA",
        "--out",
        p(&out),
    ]);
    assert!(read(&out).starts_with("GO:0000001\timmune process\tCD3E\n"));
    let e = fails(
        &[
            "genesets",
            "build-go",
            "--obo",
            p(&gaf),
            "--gaf",
            p(&gaf),
            "--out",
            p(&out),
        ],
        1,
    );
    assert!(e.contains("OBO") || e.contains("tag: value"), "{e}");
    let e = fails(
        &[
            "genesets",
            "build-go",
            "--obo",
            p(&obo),
            "--gaf",
            p(&obo),
            "--out",
            p(&out),
        ],
        1,
    );
    assert!(e.contains("GAF"), "{e}");
}

// wide matrices

/// Simulates the same small study twice: as Olink long files and as a wide matrix.
fn wide_and_long(dir: &Path) -> (PathBuf, PathBuf) {
    let (long, wide) = (dir.join("long"), dir.join("wide"));
    let sim = [
        "simulate",
        "--proteins",
        "80",
        "--subjects",
        "10",
        "--unpaired",
        "1",
    ];
    ok(&[&sim[..], &["--out", p(&long)]].concat());
    ok(&[&sim[..], &["--wide", "--out", p(&wide)]].concat());
    for f in [
        "npx_wide.parquet",
        "npx_wide.csv",
        "assays.tsv",
        "samples.tsv",
    ] {
        assert!(wide.join(f).exists(), "{f}");
    }
    assert!(!wide.join("npx.csv").exists());
    assert_eq!(
        read(&long.join("samples.tsv")),
        read(&wide.join("samples.tsv"))
    );
    (long, wide)
}

#[test]
fn simulate_samples_sets_the_study_size() {
    let dir = tempfile::tempdir().unwrap();
    let (by_samples, by_subjects) = (dir.path().join("m"), dir.path().join("s"));
    let common = ["simulate", "--proteins", "20", "--wide", "--format", "csv"];
    ok(&[&common[..], &["--samples", "19", "--out", p(&by_samples)]].concat());
    ok(&[
        &common[..],
        &[
            "--subjects",
            "10",
            "--unpaired",
            "1",
            "--out",
            p(&by_subjects),
        ],
    ]
    .concat());
    let manifest = read(&by_samples.join("samples.tsv"));
    assert_eq!(manifest, read(&by_subjects.join("samples.tsv")));
    assert_eq!(manifest.lines().count(), 1 + 19, "{manifest}");
    let e = fails(
        &[
            "simulate",
            "--samples",
            "4",
            "--subjects",
            "2",
            "--out",
            p(&by_samples),
        ],
        2,
    );
    assert!(e.contains("--subjects"), "{e}");
}

#[test]
fn wide_matrix_de_equals_long_de() {
    let dir = tempfile::tempdir().unwrap();
    let (long, wide) = wide_and_long(dir.path());
    let samples = long.join("samples.tsv");
    let designs: [&[&str]; 2] = [
        &["--group", "timepoint", "--contrast", "C2D1-C1D1"],
        &[
            "--group",
            "timepoint",
            "--contrast",
            "C2D1-C1D1",
            "--pair",
            "subject",
            "--covariates",
            "age",
        ],
    ];
    for (d, design) in designs.iter().enumerate() {
        let run = |npx: &Path, assays: Option<&Path>, name: &str| -> String {
            let out = dir.path().join(format!("{name}{d}"));
            let mut args = vec!["de", "--npx", p(npx), "--samples", p(&samples)];
            if let Some(a) = assays {
                args.extend(["--assays", p(a)]);
            }
            args.extend(design.iter().copied());
            args.extend(["--out", p(&out)]);
            ok(&args);
            read(&out.join("de.tsv"))
        };
        let reference = run(&long.join("npx.csv"), None, "long");
        let assays = wide.join("assays.tsv");
        assert_eq!(
            reference,
            run(&wide.join("npx_wide.parquet"), Some(&assays), "wpq")
        );
        assert_eq!(
            reference,
            run(&wide.join("npx_wide.csv"), Some(&assays), "wcsv")
        );
        // Without the assay table, assays are named by OlinkID; the numbers are the same.
        let bare = run(&wide.join("npx_wide.parquet"), None, "bare");
        assert_ne!(reference, bare);
        assert_eq!(reference.lines().count(), bare.lines().count());
    }
}

#[test]
fn wide_matrix_qc_and_errors() {
    let dir = tempfile::tempdir().unwrap();
    let (_, wide) = wide_and_long(dir.path());
    let out = dir.path().join("qc");
    ok(&[
        "qc",
        "--npx",
        p(&wide.join("npx_wide.parquet")),
        "--samples",
        p(&wide.join("samples.tsv")),
        "--out",
        p(&out),
    ]);
    let qc = read(&out.join("qc.tsv"));
    // Controls (by SampleID) are set aside; study samples are kept.
    assert!(qc
        .lines()
        .any(|l| l.starts_with("CONTROL_SAMPLE_1_PLATE1\t")));
    let bad = |name: &str, text: &str| -> String {
        let f = dir.path().join(name);
        std::fs::write(&f, text).unwrap();
        fails(&["qc", "--npx", p(&f), "--out", p(&out)], 1)
    };
    let e = bad("a.csv", "SampleID,OID40001,OID40002\nS1,1,2\nS2,1,x1\n");
    assert!(
        e.contains("line 3") && e.contains("OID40002") && e.contains("`x1`"),
        "{e}"
    );
    let e = bad("b.csv", "SampleID,OID40001\nS1,1\nS1,2\n");
    assert!(e.contains("`S1` appears twice"), "{e}");
    let e = bad("c.tsv", "SampleID\tOID40001\tage\tIL6\nS1\t1\t40\t2\n");
    assert!(
        e.contains("`age`, `IL6`") && e.contains("not OlinkIDs"),
        "{e}"
    );
}

/// GSVA on GO BP sets (a GMT file), compat mode, against GSVA 1.46
/// (test-data/reference/score_cli.R, last case).
#[test]
fn score_parity_gsva_go_sets() {
    let input = repo().join("test-data/reference/de_cli/input");
    let reference = repo().join("test-data/reference/score_cli");
    let dir = tempfile::tempdir().unwrap();
    ok(&[
        "score",
        "--npx",
        p(&input.join("npx.csv")),
        "--samples",
        p(&input.join("samples.tsv")),
        "--genesets",
        p(&reference.join("go_sets.gmt")),
        "--method",
        "gsva",
        "--out",
        p(dir.path()),
    ]);
    let (got_h, got) = de_read_tsv(&dir.path().join("scores.tsv"));
    let (want_h, want) = de_read_tsv(&reference.join("go_gsva.tsv"));
    assert_eq!(got_h, want_h);
    assert_eq!(
        got.iter().map(|r| &r[0]).collect::<Vec<_>>(),
        want.iter().map(|r| &r[0]).collect::<Vec<_>>(),
        "the same GO sets scored"
    );
    for (g, w) in got.iter().zip(&want) {
        for (a, b) in g[1..].iter().zip(&w[1..]) {
            let (a, b) = (de_num(a), de_num(b));
            assert!(score_close(a, b), "{}: {a} vs R {b}", g[0]);
        }
    }
}

// npxkit normalize: cross-product bridging (Explore 3072 -> Explore HT), against the
// R port test-data/reference/normalize_product.R on the committed synthetic pair in
// test-data/normalize_product/: recommendations identical, median-centred NPX and the
// bridgeability criteria within 1e-10, quantile-smoothed NPX within 1e-8.

#[test]
fn normalize_cross_product_matches_r() {
    let d = tempfile::tempdir().unwrap();
    let data = repo().join("test-data/normalize_product");
    let out = d.path().join("xp");
    ok(&[
        "normalize",
        "--npx",
        p(&data.join("e3072.csv")),
        "--npx",
        p(&data.join("ht.csv")),
        "--reference",
        "2",
        "--out",
        p(&out),
    ]);
    // bridgeability.tsv
    let (rh, rrows) = nz_table(&nz_ref().join("product_syn_bridgeability.tsv"), '\t');
    let (h, rows) = nz_table(&out.join("bridgeability.tsv"), '\t');
    let rc = |n: &str| rh.iter().position(|x| x == n).unwrap();
    let c = |n: &str| h.iter().position(|x| x == n).unwrap();
    assert_eq!(rows.len(), rrows.len() + 4, "32 shared + 4 NotOverlapping");
    for r in &rrows {
        let o = rows
            .iter()
            .find(|x| x[c("OlinkID")] == r[rc("OlinkID")])
            .unwrap_or_else(|| panic!("no row {}", r[rc("OlinkID")]));
        assert_eq!(
            o[c("BridgingRecommendation")],
            r[rc("BridgingRecommendation")]
        );
        for (ours, theirs) in [
            ("range_diff", "range_diff"),
            ("r2", "r2"),
            ("ks_d", "ks_d"),
            ("median_count_reference", "median_count_ref"),
        ] {
            let (a, b) = (nz_num(&o[c(ours)]), nz_num(&r[rc(theirs)]));
            assert!((a - b).abs() <= 1e-10, "{} {ours}: {a} vs R {b}", r[0]);
        }
    }
    // normalized.csv: shared assays, keyed by product, SampleID and the assay pair
    let (rh, rrows) = nz_table(&nz_ref().join("product_syn_normalized.tsv"), '\t');
    let rc = |n: &str| rh.iter().position(|x| x == n).unwrap();
    let mut want = std::collections::HashMap::new();
    for r in &rrows {
        let project = if r[rc("Project")] == "P1" { "P2" } else { "P1" };
        want.insert(
            (
                project.to_string(),
                r[rc("SampleID")].clone(),
                r[rc("OlinkID")].clone(),
            ),
            r,
        );
    }
    let (h, rows) = nz_table(&out.join("normalized.csv"), ';');
    let c = |n: &str| h.iter().position(|x| x == n).unwrap();
    let mut n = 0;
    for o in &rows {
        if o[c("BridgingRecommendation")] == "NotOverlapping" {
            assert_eq!(o[c("NPX")], o[c("NPX_delivered")]);
            continue;
        }
        let key = (
            o[c("Project")].clone(),
            o[c("SampleID")].clone(),
            format!("{}_{}", o[c("OlinkID_HT")], o[c("OlinkID_E3072")]),
        );
        let r = want
            .get(&key)
            .unwrap_or_else(|| panic!("R has no row {key:?}"));
        assert_eq!(
            o[c("BridgingRecommendation")],
            r[rc("BridgingRecommendation")]
        );
        for (ours, theirs, tol) in [
            ("MedianCenteredNPX", "MedianCenteredNPX", 1e-10),
            ("Adj_factor", "Adj_factor", 1e-10),
            ("QSNormalizedNPX", "QSNormalizedNPX", 1e-8),
            ("NPX", "Final_NPX", 1e-8),
        ] {
            let (a, b) = (nz_num(&o[c(ours)]), nz_num(&r[rc(theirs)]));
            assert!(
                (a.is_nan() && b.is_nan()) || (a - b).abs() <= tol,
                "{key:?} {ours}: {a} vs R {b}"
            );
        }
        // bridgeable assays carry the pair's OlinkID in both products
        if o[c("BridgingRecommendation")] != "NotBridgeable" {
            assert_eq!(o[c("OlinkID")], key.2);
        }
        n += 1;
    }
    assert_eq!(n, rrows.len());
    assert!(out.join("normalized.parquet").exists());
    let adj = read(&out.join("adjustments.tsv"));
    assert!(
        adj.lines().any(|l| l.ends_with("\tQuantileSmoothing")),
        "{adj}"
    );
}

#[test]
fn normalize_cross_product_errors_are_clear() {
    let d = tempfile::tempdir().unwrap();
    let data = repo().join("test-data/normalize_product");
    let out = d.path().join("o");
    let (e3k, ht) = (data.join("e3072.csv"), data.join("ht.csv"));
    // Explore 3072 as the reference
    let e = fails(
        &[
            "normalize",
            "--npx",
            p(&e3k),
            "--npx",
            p(&ht),
            "--out",
            p(&out),
        ],
        2,
    );
    assert!(
        e.contains("cannot be the reference of a cross-product bridge"),
        "{e}"
    );
    assert!(e.contains("--reference 2"), "{e}");
    // a product pair OlinkAnalyze does not bridge
    let t96 = nz_ref().join("syn_p1.csv");
    let e = fails(
        &[
            "normalize",
            "--npx",
            p(&e3k),
            "--npx",
            p(&t96),
            "--out",
            p(&out),
        ],
        1,
    );
    assert!(e.contains("is E3072 and") && e.contains("is other"), "{e}");
    // --products with the wrong count
    let e = fails(
        &[
            "normalize",
            "--npx",
            p(&e3k),
            "--npx",
            p(&ht),
            "--products",
            "HT",
            "--out",
            p(&out),
        ],
        2,
    );
    assert!(e.contains("--products lists 1 product(s) for 2"), "{e}");
    assert!(
        !out.join("normalized.csv").exists(),
        "nothing written on failure"
    );
}

// --lod negative-controls|FILE (npxkit-normalize's lod module): the below-LOD rules use
// the LOD the R port of OlinkAnalyze's olink_lod computes (test-data/reference/lod.R)
// on test-data/lod/explore.csv.

#[test]
fn qc_lod_from_negative_controls_matches_r() {
    let d = tempfile::tempdir().unwrap();
    let data = repo().join("test-data/lod/explore.csv");
    // R's per-row LOD -> expected below-LOD fraction per assay over the 40 SAMPLE rows
    let (h, rows) = nz_table(&data, ';');
    let c = |n: &str| h.iter().position(|x| x == n).unwrap();
    for (spec, reference) in [
        ("negative-controls".to_string(), "syn_nc_rows.tsv"),
        (
            p(&repo().join("test-data/lod/fixed_lod.csv")).to_string(),
            "syn_fixed_rows.tsv",
        ),
    ] {
        let (rh, rrows) = nz_table(
            &repo().join("test-data/reference/lod").join(reference),
            '\t',
        );
        let lod_col = rh.iter().position(|x| x == "LOD").unwrap();
        let mut want: std::collections::HashMap<String, usize> = Default::default();
        for (r, l) in rows.iter().zip(&rrows) {
            let (npx, lod) = (nz_num(&r[c("NPX")]), nz_num(&l[lod_col]));
            if r[c("SampleType")] == "SAMPLE" && npx < lod {
                *want.entry(r[c("OlinkID")].clone()).or_default() += 1;
            }
        }
        let out = d.path().join(reference);
        ok(&["qc", "--npx", p(&data), "--lod", &spec, "--out", p(&out)]);
        let (qh, qrows) = nz_table(&out.join("assay_qc.tsv"), '\t');
        let q = |n: &str| qh.iter().position(|x| x == n).unwrap();
        assert_eq!(qrows.len(), 8);
        for r in &qrows {
            let n_below = want.get(&r[q("OlinkID")]).copied().unwrap_or(0);
            let got = nz_num(&r[q("below_lod_fraction")]);
            assert!(
                (got - n_below as f64 / 40.0).abs() < 1e-12,
                "{spec} {}: below_lod_fraction {got}, R LOD gives {n_below}/40",
                r[q("OlinkID")]
            );
        }
        assert!(read(&out.join("run.json")).contains("\"assay_lots\": 6"));
    }
    // without negative controls
    let e = fails(
        &[
            "qc",
            "--npx",
            p(&nz_ref().join("syn_p1.csv")),
            "--lod",
            "negative-controls",
            "--out",
            p(&d.path().join("x")),
        ],
        1,
    );
    assert!(e.contains("no SampleType column"), "{e}");
}

/// `npxkit run` with a `[normalize]` section (OlinkAnalyze's two example projects with
/// 16 bridge samples): the step writes what `npxkit normalize` writes into
/// OUT/normalize/, byte for byte, and the analysis reads the normalised table (de.tsv
/// equals `npxkit de` on normalize/normalized.parquet).
#[test]
fn run_normalize_step_bridges_then_analyses() {
    let shared = repo().join("../shared/data/olink-examples/package-data");
    if !shared.is_dir() {
        eprintln!("skipped: {} is absent", shared.display());
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (p1, p2) = (shared.join("npx_data1.csv"), shared.join("npx_data2.csv"));
    // A manifest of every sample of both projects (their Subject and Time columns).
    let mut manifest = String::from("SampleID\tsubject\ttimepoint\n");
    let mut seen = std::collections::HashSet::new();
    for f in [&p1, &p2] {
        let text = read(f);
        let mut lines = text.lines();
        let h: Vec<&str> = lines.next().unwrap().split(';').collect();
        let col = |n: &str| h.iter().position(|x| *x == n).unwrap();
        let (s, subj, time) = (col("SampleID"), col("Subject"), col("Time"));
        for l in lines {
            let r: Vec<&str> = l.split(';').collect();
            if seen.insert(r[s].to_string()) {
                manifest.push_str(&format!("{}\t{}\t{}\n", r[s], r[subj], r[time]));
            }
        }
    }
    let samples = dir.path().join("samples.tsv");
    std::fs::write(&samples, manifest).unwrap();
    let config = dir.path().join("run.toml");
    std::fs::write(
        &config,
        format!(
            "[input]\nnpx = \"{}\"\nsamples = \"samples.tsv\"\n[normalize]\nprojects = [\"{}\"]\n\
             [design]\ngroup = \"timepoint\"\npair = \"\"\nblock = \"subject\"\n\
             contrast = [\"Week.6-Baseline\"]\n[score]\nenabled = false\n[enrich]\nenabled = false\n\
             [report]\nenabled = false\n",
            p(&p1),
            p(&p2)
        ),
    )
    .unwrap();
    let out = dir.path().join("run");
    ok(&["run", "--config", p(&config), "--out", p(&out)]);
    let direct = dir.path().join("norm");
    ok(&[
        "normalize",
        "--npx",
        p(&p1),
        "--npx",
        p(&p2),
        "--drop-bridge-copies",
        "--out",
        p(&direct),
    ]);
    for f in ["normalized.csv", "adjustments.tsv"] {
        assert_eq!(
            read(&out.join("normalize").join(f)),
            read(&direct.join(f)),
            "{f}"
        );
    }
    let de = dir.path().join("de");
    ok(&[
        "de",
        "--npx",
        p(&direct.join("normalized.parquet")),
        "--samples",
        p(&samples),
        "--group",
        "timepoint",
        "--block",
        "subject",
        "--contrast",
        "Week.6-Baseline",
        "--out",
        p(&de),
    ]);
    assert_eq!(read(&out.join("de.tsv")), read(&de.join("de.tsv")));
    let record = read(&out.join("run.json"));
    assert!(record.contains("normalize/normalized.parquet"), "{record}");
    let effective = read(&out.join("config.toml"));
    assert!(effective.contains("[normalize]"), "{effective}");
    assert!(effective.contains(&format!(
        "{}",
        std::fs::canonicalize(&p2).unwrap().display()
    )));
    // A wide matrix cannot be normalised this way: a usage error before any work.
    let e = fails(
        &[
            "run",
            "--config",
            p(&config),
            "--set",
            "input.assays=x.tsv",
            "--out",
            p(&out),
        ],
        2,
    );
    assert!(e.contains("[normalize]"), "{e}");
}

// -----------------------------------------------------------------------------------
// npxkit report: the normalisation section (issue #11)
// -----------------------------------------------------------------------------------

/// The HTML of one section of a report page.
fn report_section<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!("<section id=\"{id}\">"))
        .unwrap_or_else(|| panic!("no section {id}"));
    &html[start..start + html[start..].find("</section>").unwrap()]
}

/// `npxkit report --in` the output folder of a cross-product `npxkit normalize` (the
/// committed E3072 → HT pair): the section counts the recommendations of
/// bridgeability.tsv, lists every assay, draws both figures (SVG and PNG) and the page
/// runs in a real browser without error.
#[test]
fn report_normalisation_section_cross_product() {
    let d = tempfile::tempdir().unwrap();
    let data = repo().join("test-data/normalize_product");
    let xp = d.path().join("xp");
    ok(&[
        "normalize",
        "--npx",
        p(&data.join("e3072.csv")),
        "--npx",
        p(&data.join("ht.csv")),
        "--reference",
        "2",
        "--out",
        p(&xp),
    ]);
    let out = d.path().join("report");
    let o = ok(&["report", "--in", p(&xp), "--out", p(&out)]);
    let summary = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(summary.contains("2 figures"), "{summary}");
    assert!(!summary.contains("normalisation"), "{summary}");
    let html = read(&out.join("report.html"));
    let s = report_section(&html, "normalisation");
    assert!(
        s.contains("Cross-product bridge of P1 (Explore 3072) to the reference P2 (Explore HT) over 48 bridge samples"),
        "{s}"
    );
    let bridge = read(&xp.join("bridgeability.tsv"));
    for (rec, what) in [
        ("MedianCentering", "assays median-centred"),
        ("QuantileSmoothing", "assays quantile-smoothed"),
        ("NotBridgeable", "assays not bridgeable"),
        ("NotOverlapping", "assays in one product only"),
    ] {
        let k = bridge
            .lines()
            .filter(|l| l.ends_with(&format!("\t{rec}")))
            .count();
        assert!(
            s.contains(&format!("<b>{k}</b><span>{what}</span>")),
            "{k} {what}"
        );
    }
    let assays = bridge.lines().count() - 1;
    assert!(s.contains(&format!("Bridgeability of all {assays} assays")));
    let table = &s[s.find("id=\"norm-bridge\"").unwrap()..];
    assert_eq!(table.matches("<tr>").count(), assays + 1);
    assert!(report_section(&html, "methods").contains("olink_normalization"));
    for f in ["norm_adjustment_factors", "norm_bridgeability"] {
        for ext in ["svg", "png"] {
            let path = out.join(format!("figures/{f}.{ext}"));
            assert!(path.is_file(), "{} missing", path.display());
        }
        assert!(html.contains(&format!("id=\"fig-{f}\"")), "{f} inline");
    }
    for external in ["src=\"http", "href=\"http", "<link ", "@import", "<img"] {
        assert!(!html.contains(external), "a network request: {external}");
    }
    let shots = repo().join("target/test-output");
    std::fs::create_dir_all(&shots).unwrap();
    if let Some((dom, log)) = chromium_render(
        &out.join("report.html"),
        &shots.join("report_normalisation.png"),
    ) {
        let start = dom.find("<html").expect("an html element");
        let root = &dom[start..start + dom[start..].find('>').unwrap()];
        assert!(
            root.contains("data-ready=\"1\""),
            "the script did not finish: {root} {log}"
        );
        assert!(
            root.contains("data-figures=\"2\""),
            "figures in the DOM: {root}"
        );
        assert!(!root.contains("data-errors"), "script errors: {root} {log}");
    }
}

/// The normalize/ subfolder that `npxkit run` writes is found from its parent folder:
/// a bridge normalisation of OlinkAnalyze's two example projects (16 bridge samples).
#[test]
fn report_normalisation_section_from_normalize_subfolder() {
    let shared = repo().join("../shared/data/olink-examples/package-data");
    if !shared.is_dir() {
        eprintln!("skipped: {} is absent", shared.display());
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let run = d.path().join("run");
    ok(&[
        "normalize",
        "--npx",
        p(&shared.join("npx_data1.csv")),
        "--npx",
        p(&shared.join("npx_data2.csv")),
        "--drop-bridge-copies",
        "--out",
        p(&run.join("normalize")),
    ]);
    let out = d.path().join("report");
    ok(&["report", "--in", p(&run), "--out", p(&out)]);
    let html = read(&out.join("report.html"));
    let s = report_section(&html, "normalisation");
    assert!(s.contains("Reference: <b>P1</b>"), "{s}");
    assert!(
        s.contains("P2 → P1: bridge normalisation over 16 bridge samples"),
        "{s}"
    );
    // One row per project in the summary; P2's 184 assays all bridged.
    assert!(s.contains("<td>bridge (184)</td>"), "{s}");
    assert!(
        s.contains("href=\"../run/normalize/adjustments.tsv\""),
        "{s}"
    );
    assert!(out.join("figures/norm_adjustment_factors.png").is_file());
    assert!(!out.join("figures/norm_bridgeability.svg").exists());
    assert!(report_section(&html, "provenance").contains("normalize"));
}

/// `score --impute-missing`: with 2% missing values nearly every assay is incomplete and
/// GSVA-family scores (which need complete rows) lose most sets; imputing each assay's
/// missing values by its median over the study samples gives exactly the scores of the
/// same data imputed by hand. Without the option the error names the way out when no
/// set can be scored.
#[test]
fn score_impute_missing_equals_hand_imputed_data() {
    let dir = tempfile::tempdir().unwrap();
    let sim = dir.path().join("sim");
    ok(&[
        "simulate",
        "--wide",
        "--format",
        "csv",
        "--proteins",
        "300",
        "--samples",
        "120",
        "--missing-rate",
        "0.02",
        "--out",
        p(&sim),
    ]);
    let study: std::collections::HashSet<String> = read(&sim.join("samples.tsv"))
        .lines()
        .skip(1)
        .map(|l| l.split('\t').next().unwrap().to_string())
        .collect();
    // Impute the wide CSV by hand: column medians over the study samples (R's median).
    let text = read(&sim.join("npx_wide.csv"));
    let rows: Vec<Vec<String>> = text
        .lines()
        .map(|l| l.split(',').map(String::from).collect())
        .collect();
    let ncol = rows[0].len();
    let mut medians = vec![f64::NAN; ncol];
    for (c, m) in medians.iter_mut().enumerate().skip(1) {
        let mut v: Vec<f64> = rows[1..]
            .iter()
            .filter(|r| study.contains(&r[0]) && r[c] != "NA")
            .map(|r| r[c].parse().unwrap())
            .collect();
        v.sort_by(f64::total_cmp);
        let h = v.len() / 2;
        *m = if v.len() % 2 == 1 {
            v[h]
        } else {
            (v[h - 1] + v[h]) / 2.0
        };
    }
    let mut filled = String::new();
    let mut n_missing = 0;
    for (i, r) in rows.iter().enumerate() {
        let cells: Vec<String> = r
            .iter()
            .enumerate()
            .map(|(c, x)| {
                if i > 0 && c > 0 && x == "NA" && study.contains(&r[0]) {
                    n_missing += 1;
                    format!("{:?}", medians[c])
                } else {
                    x.clone()
                }
            })
            .collect();
        filled.push_str(&cells.join(","));
        filled.push('\n');
    }
    assert!(n_missing > 100, "{n_missing}");
    let hand = dir.path().join("hand.csv");
    std::fs::write(&hand, filled).unwrap();
    let (assays, samples) = (sim.join("assays.tsv"), sim.join("samples.tsv"));
    let score = |npx: &Path, extra: &[&str], out: &Path| {
        let mut a = vec![
            "score",
            "--npx",
            p(npx),
            "--assays",
            p(&assays),
            "--samples",
            p(&samples),
            "--method",
            "zscore",
        ];
        a.extend(extra);
        a.extend(["--out", p(out)]);
        ok(&a)
    };
    let (imputed, by_hand, plain) = (
        dir.path().join("imputed"),
        dir.path().join("by_hand"),
        dir.path().join("plain"),
    );
    score(&sim.join("npx_wide.csv"), &["--impute-missing"], &imputed);
    score(&hand, &[], &by_hand);
    score(&sim.join("npx_wide.csv"), &[], &plain);
    let scores = read(&imputed.join("scores.tsv"));
    assert_eq!(scores, read(&by_hand.join("scores.tsv")));
    assert!(
        scores.lines().count() > read(&plain.join("scores.tsv")).lines().count(),
        "imputing should score more sets"
    );
    assert!(read(&imputed.join("run.json")).contains("\"impute_missing\": true"));
}
