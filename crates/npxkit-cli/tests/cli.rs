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
    let unpaired = lines.iter().filter(|l| l.ends_with("\tNA\tFALSE")).count();
    assert_eq!(unpaired, 1);
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
    let bad_zip = d.join("bad.zip");
    write_zip(&bad_zip, &npx, Some("0123456789abcdef0123456789abcdef"));
    let e = fails(&["qc", "--npx", p(&bad_zip), "--out", p(&out)], 1);
    assert!(
        e.contains("checksum mismatch") && e.contains("fetch the delivery again"),
        "{e}"
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
