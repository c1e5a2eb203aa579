//! Every figure: SVG parses as XML and has its labels; PNG decodes at the right size and
//! is not blank; rendering is deterministic; labels never overlap; empty inputs work.
//! Sample PNGs are written to `$CARGO_TARGET_TMPDIR/npxkit-plot/` for looking at.

use npxkit_plot::*;

/// Small deterministic generator (no rand dependency needed).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 11) as f64) / ((1u64 << 53) as f64)
    }
    fn normal(&mut self) -> f64 {
        let (u, v) = (self.next().max(1e-12), self.next());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
}

fn out_dir() -> std::path::PathBuf {
    let d = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("npxkit-plot");
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Parses the SVG, returns all text content.
fn svg_texts(svg: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(svg).expect("SVG is well-formed XML");
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| n.text().unwrap_or("").trim().to_string())
        .collect()
}

/// Decodes the PNG; returns (width, height, non-white pixel count).
fn png_info(bytes: &[u8]) -> (u32, u32, usize) {
    let dec = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut r = dec.read_info().unwrap();
    let mut buf = vec![0; r.output_buffer_size()];
    let info = r.next_frame(&mut buf).unwrap();
    let ch = info.color_type.samples();
    let px = &buf[..info.buffer_size()];
    let non_white = px
        .chunks(ch)
        .filter(|c| c.iter().take(3).any(|&v| v < 240))
        .count();
    (info.width, info.height, non_white)
}

/// The common checks; writes the PNG for inspection.
fn check(name: &str, fig: &Figure, expect: &[&str]) {
    let texts = svg_texts(&fig.svg);
    for e in expect {
        assert!(
            texts.iter().any(|t| t.contains(e)),
            "{name}: no text containing {e:?} in {texts:?}"
        );
    }
    assert!(
        fig.svg.contains("font-family=\"sans-serif\""),
        "{name}: text kept as text"
    );
    let png = fig.to_png(PRINT_SCALE).unwrap();
    let (w, h, ink) = png_info(&png);
    assert_eq!((w, h), (fig.width * 2, fig.height * 2), "{name}: PNG size");
    assert!(
        ink > (w * h) as usize / 200,
        "{name}: PNG looks blank ({ink} non-white pixels)"
    );
    std::fs::write(out_dir().join(format!("{name}.png")), &png).unwrap();
    std::fs::write(out_dir().join(format!("{name}.svg")), &fig.svg).unwrap();
}

fn volcano_points(n: usize, seed: u64) -> Vec<VolcanoPoint> {
    let mut g = Lcg(seed);
    (0..n)
        .map(|i| {
            let sig = i < n / 10;
            let fc = g.normal() * 0.4
                + if sig {
                    if i % 2 == 0 {
                        1.2
                    } else {
                        -1.0
                    }
                } else {
                    0.0
                };
            let p = if sig {
                10f64.powf(-2.5 - g.next() * 7.0)
            } else {
                g.next()
            };
            VolcanoPoint {
                label: format!("PROT{i}"),
                log_fc: fc,
                p_value: p,
                adj_p_value: (p * 15.0).min(1.0),
            }
        })
        .collect()
}

#[test]
fn volcano_renders_with_labels() {
    let mut pts = volcano_points(500, 1);
    pts[3].label = "CD274".into();
    pts.push(VolcanoPoint {
        label: "ZERO_P".into(),
        log_fc: 2.0,
        p_value: 0.0,
        adj_p_value: 0.0,
    });
    pts.push(VolcanoPoint {
        label: "NAN".into(),
        log_fc: f64::NAN,
        p_value: 0.5,
        adj_p_value: 1.0,
    });
    pts.push(VolcanoPoint {
        label: "A_VERY_LONG_PROTEIN_NAME_THAT_GOES_ON".into(),
        log_fc: -2.2,
        p_value: 1e-12,
        adj_p_value: 1e-10,
    });
    let opts = VolcanoOptions {
        contrast: "C2D1 - C1D1".into(),
        lfc: 0.5,
        highlight: vec!["CD274".into()],
        ..Default::default()
    };
    let f = volcano(&pts, &opts).unwrap();
    check(
        "volcano",
        &f,
        &[
            "Volcano plot: C2D1 - C1D1",
            "CD274",
            "ZERO_P",
            "FDR 0.05",
            "log2 fold change",
            "up,",
        ],
    );
    assert!(
        f.labels.iter().any(|l| l.text.ends_with('…')),
        "long label truncated"
    );
    assert!(!f.svg.contains(">NAN<"));
    assert_eq!((f.width, f.height), (DEFAULT_WIDTH, DEFAULT_HEIGHT));
}

#[test]
fn crowded_volcano_labels_do_not_overlap() {
    // 60 labels requested on 300 points packed in a small region
    let mut g = Lcg(9);
    let pts: Vec<VolcanoPoint> = (0..300)
        .map(|i| {
            let p = 10f64.powf(-3.0 - g.next() * 2.0);
            VolcanoPoint {
                label: format!("P{i}"),
                log_fc: 1.0 + g.next() * 0.3,
                p_value: p,
                adj_p_value: p,
            }
        })
        .collect();
    let f = volcano(
        &pts,
        &VolcanoOptions {
            top_n: 60,
            ..Default::default()
        },
    )
    .unwrap();
    assert!(
        f.labels.len() >= 15,
        "only {} labels placed",
        f.labels.len()
    );
    for (i, a) in f.labels.iter().enumerate() {
        for b in &f.labels[i + 1..] {
            assert!(!a.rect.overlaps(&b.rect), "{a:?} overlaps {b:?}");
        }
        assert!(
            a.rect.x0 >= 0.0
                && a.rect.x1 <= f.width as f64
                && a.rect.y0 >= 0.0
                && a.rect.y1 <= f.height as f64
        );
    }
    check("volcano_crowded", &f, &["P"]);
}

#[test]
fn rendering_is_deterministic() {
    let pts = volcano_points(300, 2);
    let opts = VolcanoOptions {
        highlight: vec!["PROT7".into()],
        ..Default::default()
    };
    let a = volcano(&pts, &opts).unwrap();
    let b = volcano(&pts, &opts).unwrap();
    assert_eq!(a.svg, b.svg);
    assert_eq!(a.to_png(2.0).unwrap(), b.to_png(2.0).unwrap());
    let net = network_data(false);
    let a = network(&net, &NetworkOptions::default()).unwrap();
    let b = network(&net, &NetworkOptions::default()).unwrap();
    assert_eq!(a.svg, b.svg);
    assert_eq!(a.to_png(1.0).unwrap(), b.to_png(1.0).unwrap());
    let hm = heatmap_data(10, 24);
    assert_eq!(
        heatmap(&hm, &HeatmapOptions::default()).unwrap().svg,
        heatmap(&hm, &HeatmapOptions::default()).unwrap().svg
    );
}

fn paired_series(name: &str, shift: f64, seed: u64, groups: &[&str]) -> PairedSeries {
    let mut g = Lcg(seed);
    let mut points = Vec::new();
    for s in 0..18 {
        let base = 5.0 + g.normal();
        for (k, gr) in groups.iter().enumerate() {
            if s == 17 && k == 1 {
                continue; // one unpaired subject
            }
            points.push(PairedPoint {
                subject: format!("S{s:02}"),
                group: gr.to_string(),
                value: base + shift * k as f64 + g.normal() * 0.3,
            });
        }
    }
    PairedSeries {
        name: name.into(),
        note: format!("paired limma P = {:.1e}", 1e-4 * seed as f64),
        groups: groups.iter().map(|s| s.to_string()).collect(),
        points,
    }
}

#[test]
fn paired_and_grid() {
    let s = paired_series("CD274", 0.6, 3, &["C1D1", "C2D1"]);
    let f = paired(&s, &PairedOptions::default()).unwrap();
    check(
        "paired",
        &f,
        &["CD274", "paired limma P", "C1D1", "C2D1", "NPX (log2)"],
    );
    let three = paired_series("Cytotoxic cells", -0.3, 4, &["C1D1", "C2D1", "EOT"]);
    let single = paired_series("One group only", 0.0, 5, &["C1D1"]);
    let panels = vec![
        s,
        three,
        single,
        paired_series("IL6", 0.2, 6, &["C1D1", "C2D1"]),
    ];
    let f = paired_grid(
        &panels,
        &GridOptions {
            title: "CD274 and top hits".into(),
            ..Default::default()
        },
    )
    .unwrap();
    check(
        "paired_grid",
        &f,
        &["CD274 and top hits", "Cytotoxic cells", "EOT", "IL6"],
    );
    assert_eq!((f.width, f.height), (600, 2 * 290 + 16 + 8 + 12));
}

fn heatmap_data(nr: usize, nc: usize) -> HeatmapData {
    let mut g = Lcg(11);
    let rows: Vec<String> = (0..nr).map(|i| format!("Cell type {i}")).collect();
    let cols: Vec<String> = (0..nc)
        .map(|j| format!("S{:02}_{}", j / 2, if j % 2 == 0 { "C1D1" } else { "C2D1" }))
        .collect();
    let col_groups: Vec<String> = (0..nc)
        .map(|j| if j % 2 == 0 { "C1D1" } else { "C2D1" }.to_string())
        .collect();
    let values = (0..nr)
        .map(|i| {
            (0..nc)
                .map(|j| {
                    g.normal() * 0.3 + if i % 3 == 0 && j % 2 == 1 { 0.5 } else { 0.0 }
                        - if i % 3 == 1 { 0.2 } else { 0.0 }
                })
                .collect()
        })
        .collect();
    HeatmapData {
        rows,
        cols,
        values,
        col_groups,
        group_order: vec!["C1D1".into(), "C2D1".into()],
    }
}

#[test]
fn heatmap_clustered_and_wide() {
    let mut d = heatmap_data(24, 36);
    d.values[2][5] = f64::NAN;
    let opts = HeatmapOptions {
        title: "Bindea immune scores (GSVA)".into(),
        key_title: "GSVA".into(),
        group_title: "timepoint".into(),
        ..Default::default()
    };
    let f = heatmap(&d, &opts).unwrap();
    check(
        "heatmap",
        &f,
        &[
            "Bindea immune scores (GSVA)",
            "Cell type 0",
            "S00_C1D1",
            "GSVA",
            "timepoint",
            "C2D1",
        ],
    );
    // many columns: labels hidden, count shown
    let d = heatmap_data(8, 90);
    let f = heatmap(
        &d,
        &HeatmapOptions {
            row_order: RowOrder::Given,
            ..Default::default()
        },
    )
    .unwrap();
    check("heatmap_wide", &f, &["90 samples", "Cell type 7"]);
    assert!(!svg_texts(&f.svg).iter().any(|t| t == "S00_C1D1"));
}

fn network_data(with_layout: bool) -> NetworkData {
    let mut g = Lcg(21);
    let mut nodes = Vec::new();
    let mut edges = Vec::new();
    for c in 0..4 {
        let base = nodes.len();
        for k in 0..8 {
            nodes.push(NetNode {
                label: format!("term {c}.{k}"),
                x: with_layout.then(|| (c % 2) as f64 * 3.0 + g.next()),
                y: with_layout.then(|| (c / 2) as f64 * 3.0 + g.next()),
                cluster: if c == 3 { None } else { Some(c) },
                p_value: 10f64.powf(-1.0 - g.next() * 6.0),
            });
            if k > 0 {
                edges.push(NetEdge {
                    source: base + k,
                    target: base + (k - 1) / 2,
                    weight: 0.2 + g.next() * 0.8,
                });
            }
        }
    }
    edges.push(NetEdge {
        source: 0,
        target: 9,
        weight: 0.1,
    });
    edges.push(NetEdge {
        source: 0,
        target: 999,
        weight: 0.1,
    }); // ignored
    NetworkData {
        nodes,
        edges,
        cluster_labels: vec![
            "T cell activation".into(),
            "interferon signalling".into(),
            "chemotaxis".into(),
        ],
    }
}

#[test]
fn network_with_and_without_layout() {
    let f = network(
        &network_data(false),
        &NetworkOptions {
            title: "Enriched GO terms".into(),
            ..Default::default()
        },
    )
    .unwrap();
    check(
        "network_force",
        &f,
        &[
            "Enriched GO terms",
            "T cell activation",
            "chemotaxis",
            "unclustered",
            "−log10 P",
        ],
    );
    let f = network(&network_data(true), &NetworkOptions::default()).unwrap();
    check("network_given", &f, &["interferon signalling"]);
    for (i, a) in f.labels.iter().enumerate() {
        for b in &f.labels[i + 1..] {
            assert!(!a.rect.overlaps(&b.rect));
        }
    }
    let pos = force_layout(5, &[], 50);
    assert!(pos
        .iter()
        .all(|&(x, y)| (0.0..=1.0).contains(&x) && (0.0..=1.0).contains(&y)));
}

#[test]
fn qc_figures() {
    let mut g = Lcg(31);
    let points: Vec<PcaPoint> = (0..40)
        .map(|i| {
            let grp = if i % 2 == 0 { "C1D1" } else { "C2D1" };
            let out = i == 7 || i == 12;
            PcaPoint {
                sample: format!("SAMPLE_{i:02}"),
                pc1: g.normal() * 3.0
                    + if out { 14.0 } else { 0.0 }
                    + if i % 2 == 1 { 1.5 } else { 0.0 },
                pc2: g.normal() * 2.0,
                group: grp.into(),
                outlier: out,
            }
        })
        .collect();
    let f = pca(
        &PcaData {
            points,
            var_pc1: 23.456,
            var_pc2: 11.2,
        },
        &PcaOptions {
            group_title: "timepoint".into(),
            ..Default::default()
        },
    )
    .unwrap();
    check(
        "pca",
        &f,
        &[
            "PC1 (23.5%)",
            "PC2 (11.2%)",
            "SAMPLE_07",
            "SAMPLE_12",
            "outlier (2)",
            "C2D1",
        ],
    );
    assert_eq!(f.labels.len(), 2);

    let samples: Vec<SampleDist> = (0..40)
        .map(|i| {
            let m = 5.0 + g.normal() * 0.2 + if i == 5 { 1.5 } else { 0.0 };
            SampleDist {
                sample: format!("S{i:02}"),
                median: m,
                q1: m - 1.0,
                q3: m + 1.1,
                group: if i < 20 { "C1D1".into() } else { "C2D1".into() },
                flagged: i == 5,
            }
        })
        .collect();
    let f = sample_distribution(
        &SampleDistData {
            samples,
            thresholds: vec![4.4, 5.6],
        },
        &SampleDistOptions::default(),
    )
    .unwrap();
    check(
        "sample_distribution",
        &f,
        &["Sample medians and IQR", "S05", "S39", "flagged (1)"],
    );

    let assays: Vec<(String, f64)> = (0..300)
        .map(|i| (format!("ASSAY{i}"), (g.next().powi(4) * 0.8).min(1.0)))
        .collect();
    let f = missingness(
        &MissingnessData {
            assays,
            threshold: Some(0.25),
        },
        &MissingnessOptions::default(),
    )
    .unwrap();
    check(
        "missingness",
        &f,
        &[
            "Samples below LOD by assay",
            "assays above 25%",
            "% samples below LOD",
        ],
    );
    let assays: Vec<(String, f64)> = (0..3000)
        .map(|i| (format!("A{i}"), g.next().powi(6)))
        .collect();
    let f = missingness(
        &MissingnessData {
            assays,
            threshold: Some(0.5),
        },
        &MissingnessOptions::default(),
    )
    .unwrap();
    check("missingness_many", &f, &["of 3000 assays"]);
}

#[test]
fn de_diagnostics() {
    let mut g = Lcg(41);
    let ps: Vec<f64> = (0..2000)
        .map(|i| if i < 300 { g.next().powi(5) } else { g.next() })
        .collect();
    let f = pvalue_histogram(&ps, &PHistOptions::default()).unwrap();
    check(
        "pvalue_histogram",
        &f,
        &[
            "P-value distribution",
            "2000 tests",
            "uniform: 100",
            "P value",
        ],
    );
    let pts: Vec<MaPoint> = volcano_points(800, 5)
        .into_iter()
        .map(|v| MaPoint {
            label: v.label,
            ave_expr: 3.0 + g.next() * 8.0,
            log_fc: v.log_fc,
            adj_p_value: v.adj_p_value,
        })
        .collect();
    let f = ma_plot(
        &pts,
        &MaOptions {
            lfc: 0.5,
            top_n: 6,
            ..Default::default()
        },
    )
    .unwrap();
    check(
        "ma_plot",
        &f,
        &["MA plot", "average expression (NPX)", "Up ("],
    );
    assert_eq!(f.labels.len(), 6);
}

#[test]
fn empty_inputs_draw_no_data() {
    let figs = vec![
        (
            "empty_volcano",
            volcano(&[], &VolcanoOptions::default()).unwrap(),
        ),
        (
            "empty_paired",
            paired(&PairedSeries::default(), &PairedOptions::default()).unwrap(),
        ),
        (
            "empty_grid",
            paired_grid(&[], &GridOptions::default()).unwrap(),
        ),
        (
            "empty_heatmap",
            heatmap(&HeatmapData::default(), &HeatmapOptions::default()).unwrap(),
        ),
        (
            "empty_network",
            network(&NetworkData::default(), &NetworkOptions::default()).unwrap(),
        ),
        (
            "empty_pca",
            pca(&PcaData::default(), &PcaOptions::default()).unwrap(),
        ),
        (
            "empty_samples",
            sample_distribution(&SampleDistData::default(), &SampleDistOptions::default()).unwrap(),
        ),
        (
            "empty_missing",
            missingness(&MissingnessData::default(), &MissingnessOptions::default()).unwrap(),
        ),
        (
            "empty_phist",
            pvalue_histogram(&[f64::NAN], &PHistOptions::default()).unwrap(),
        ),
        ("empty_ma", ma_plot(&[], &MaOptions::default()).unwrap()),
    ];
    for (name, f) in &figs {
        let texts = svg_texts(&f.svg);
        assert!(texts.iter().any(|t| t == "no data"), "{name}: {texts:?}");
        let png = f.to_png(1.0).unwrap();
        let (w, h, _) = png_info(&png);
        assert_eq!((w, h), (f.width, f.height));
    }
    // all values non-finite
    let pts = vec![VolcanoPoint {
        label: "x".into(),
        log_fc: f64::INFINITY,
        p_value: f64::NAN,
        adj_p_value: 1.0,
    }];
    assert!(
        svg_texts(&volcano(&pts, &VolcanoOptions::default()).unwrap().svg)
            .iter()
            .any(|t| t == "no data")
    );
    // single point, single value everywhere
    let one = vec![VolcanoPoint {
        label: "ONLY".into(),
        log_fc: 0.0,
        p_value: 1.0,
        adj_p_value: 1.0,
    }];
    volcano(&one, &VolcanoOptions::default())
        .unwrap()
        .to_png(1.0)
        .unwrap();
}

#[test]
fn png_scale_is_validated() {
    let f = pvalue_histogram(&[0.1, 0.2], &PHistOptions::default()).unwrap();
    assert!(f.to_png(0.0).is_err());
    assert!(f.to_png(f32::NAN).is_err());
    assert_eq!(png_info(&f.to_png(1.0).unwrap()).0, f.width);
}

#[test]
fn normalisation_figures() {
    let mut g = Lcg(11);
    // Two projects adjusted to a reference, one assay with a large factor each.
    let mut factors = Vec::new();
    for (k, project) in ["P2", "P3"].iter().enumerate() {
        for i in 0..150 {
            let big = i == 7 + k;
            factors.push(FactorPoint {
                label: format!("PROT{i:03}"),
                series: project.to_string(),
                value: if big {
                    2.5 - 5.0 * k as f64
                } else {
                    0.3 * g.normal()
                },
                category: project.to_string(),
            });
        }
    }
    factors.push(FactorPoint {
        label: "NAFACTOR".into(),
        series: "P2".into(),
        value: f64::NAN,
        category: "P2".into(),
    });
    let fig = adjustment_factors(&factors, &FactorOptions::default()).unwrap();
    check(
        "norm_adjustment_factors",
        &fig,
        &[
            "Adjustment factors",
            "150 assays in 2 projects",
            "PROT007",
            "PROT008",
            "P3",
        ],
    );
    for (i, a) in fig.labels.iter().enumerate() {
        for b in &fig.labels[i + 1..] {
            assert!(!a.rect.overlaps(&b.rect), "{a:?} overlaps {b:?}");
        }
    }
    assert_eq!(
        fig.svg,
        adjustment_factors(&factors, &FactorOptions::default())
            .unwrap()
            .svg,
        "deterministic"
    );

    // Bridgeability: every class, one assay without r², thresholds drawn.
    let mut points = Vec::new();
    for i in 0..40 {
        let class = match i % 5 {
            0 | 1 => BridgeClass::MedianCentering,
            2 | 3 => BridgeClass::QuantileSmoothing,
            _ => BridgeClass::NotBridgeable,
        };
        let bad = class == BridgeClass::NotBridgeable;
        points.push(BridgePoint {
            label: format!("ASSAY{i}"),
            r2: if bad {
                0.3 + 0.2 * g.next()
            } else {
                0.85 + 0.1 * g.next()
            },
            ks_d: if class == BridgeClass::MedianCentering {
                0.2 * g.next()
            } else {
                0.2 + 0.5 * g.next()
            },
            range_diff: if bad { 1.2 + g.next() } else { 0.5 * g.next() },
            min_median_count: if bad {
                50.0 + 80.0 * g.next()
            } else {
                300.0 + 2000.0 * g.next()
            },
            class,
        });
    }
    points[4].r2 = f64::NAN;
    let data = BridgeabilityData {
        points,
        not_overlapping: 3,
    };
    let fig = bridgeability(&data, &BridgeabilityOptions::default()).unwrap();
    check(
        "norm_bridgeability",
        &fig,
        &[
            "Bridgeability",
            "16 median centring · 16 quantile smoothing · 8 not bridgeable · 3 in one product only",
            "D = 0.2",
            "r² = 0.8",
            "Count = 150",
            "1 NPX",
            "NotBridgeable",
            "QuantileSmoothing",
            "ASSAY9",
        ],
    );
    let empty = bridgeability(
        &BridgeabilityData::default(),
        &BridgeabilityOptions::default(),
    )
    .unwrap();
    assert!(svg_texts(&empty.svg)
        .iter()
        .any(|t| t.contains("no shared assay")));
    let none = adjustment_factors(&[], &FactorOptions::default()).unwrap();
    assert!(svg_texts(&none.svg)
        .iter()
        .any(|t| t.contains("no adjustment factors")));
}

/// A group whose values are all equal (a protein at its floor, a constant score) gives a
/// box with no spread: its whiskers and median collapse to one pixel and are not drawn,
/// so the SVG has no zero-length polyline (resvg warned "path stroking failed" on them).
#[test]
fn boxes_without_spread_have_no_zero_length_lines() {
    let mut s = paired_series("Constant", 0.0, 7, &["C1D1", "C2D1"]);
    for p in &mut s.points {
        if p.group == "C2D1" {
            p.value = 4.0;
        }
    }
    let f = paired(&s, &PairedOptions::default()).unwrap();
    let zero_length = f.svg.split("<polyline").skip(1).any(|el| {
        let pts = el
            .split("points=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        let mut it = pts.split_whitespace();
        let first = it.next();
        first.is_some() && it.all(|q| Some(q) == first)
    });
    assert!(!zero_length, "a zero-length polyline in {}", f.svg);
    check("paired_constant", &f, &["Constant", "C2D1"]);
}

/// A cohort-sized heatmap (24 sets × 5,000 samples) draws at most one cell per pixel
/// column and row: the SVG stays small and the PNG keeps its size.
#[test]
fn heatmap_with_more_samples_than_pixels_stays_small() {
    let d = heatmap_data(24, 5000);
    let f = heatmap(&d, &HeatmapOptions::default()).unwrap();
    let cells = f.svg.matches("<rect").count();
    assert!(
        cells <= 24 * f.width as usize + f.width as usize + 50,
        "{cells} rects for a {}-pixel-wide figure",
        f.width
    );
    assert!(f.svg.len() < 3_000_000, "{} bytes", f.svg.len());
    check("heatmap_5000", &f, &["C1D1", "C2D1"]);
}
