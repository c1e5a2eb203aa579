//! A simulated study written as Olink delivers it: NPX Signature long CSV columns or
//! Explore HT parquet columns (the writers themselves live in `npxkit-io`).

use npxkit_io::{LongColumn, LongTable, TsvTable};

use crate::SimStudy;

/// Per-row views of a study, assay-major (as Olink long files are ordered).
struct Rows<'a> {
    study: &'a SimStudy,
}

impl Rows<'_> {
    fn text<F: Fn(usize, usize) -> Option<String>>(&self, f: F) -> LongColumn {
        let n = self.study.samples.len();
        LongColumn::Text(
            (0..self.study.assays.len() * n)
                .map(|k| f(k / n, k % n))
                .collect(),
        )
    }

    fn number<F: Fn(usize, usize) -> f64>(&self, f: F) -> LongColumn {
        let n = self.study.samples.len();
        LongColumn::Number(
            (0..self.study.assays.len() * n)
                .map(|k| f(k / n, k % n))
                .collect(),
        )
    }

    fn missing_freq(&self, g: usize) -> f64 {
        let n = self.study.samples.len();
        let row = &self.study.npx[g * n..(g + 1) * n];
        let frac = row.iter().filter(|v| v.is_nan()).count() as f64 / n as f64;
        (frac * 1e4).round() / 1e4
    }

    fn assay_qc(&self, g: usize, j: usize) -> String {
        let warn =
            self.study.assays[g].warn_plate.as_deref() == Some(&self.study.samples[j].plate_id);
        if warn { "WARN" } else { "PASS" }.to_string()
    }
}

/// NPX Signature long CSV columns (write with `;`).
pub fn signature_csv(study: &SimStudy) -> LongTable {
    let r = Rows { study };
    let (a, s) = (&study.assays, &study.samples);
    let mut t = LongTable::new();
    t.push("SampleID", r.text(|_, j| Some(s[j].sample_id.clone())));
    t.push("Index", r.text(|_, j| Some((j + 1).to_string())));
    t.push("OlinkID", r.text(|g, _| Some(a[g].olink_id.clone())));
    t.push("UniProt", r.text(|g, _| Some(a[g].uniprot.clone())));
    t.push("Assay", r.text(|g, _| Some(a[g].assay.clone())));
    t.push("MissingFreq", r.number(|g, _| r.missing_freq(g)));
    t.push("Panel", r.text(|g, _| Some(a[g].panel.to_string())));
    t.push("Panel_Lot_Nr", r.text(|_, _| Some("B0001".into())));
    t.push("PlateID", r.text(|_, j| Some(s[j].plate_id.clone())));
    t.push("QC_Warning", r.text(|_, j| Some(s[j].qc.to_string())));
    t.push("LOD", r.number(|g, _| a[g].lod));
    t.push("NPX", r.number(|g, j| study.npx[g * s.len() + j]));
    t.push("Normalization", r.text(|_, _| Some("Intensity".into())));
    t.push("Assay_Warning", r.text(|g, j| Some(r.assay_qc(g, j))));
    t.push(
        "Sample_Type",
        r.text(|_, j| Some(s[j].sample_type.to_string())),
    );
    t
}

/// Explore HT parquet columns.
pub fn explore_parquet(study: &SimStudy) -> LongTable {
    let r = Rows { study };
    let (a, s) = (&study.assays, &study.samples);
    let mut t = LongTable::new();
    t.push("SampleID", r.text(|_, j| Some(s[j].sample_id.clone())));
    t.push(
        "SampleType",
        r.text(|_, j| Some(s[j].sample_type.to_string())),
    );
    t.push("WellID", r.text(|_, j| Some(s[j].well_id.clone())));
    t.push("PlateID", r.text(|_, j| Some(s[j].plate_id.clone())));
    t.push("OlinkID", r.text(|g, _| Some(a[g].olink_id.clone())));
    t.push("UniProt", r.text(|g, _| Some(a[g].uniprot.clone())));
    t.push("Assay", r.text(|g, _| Some(a[g].assay.clone())));
    t.push("Panel", r.text(|g, _| Some(a[g].panel.to_string())));
    t.push("NPX", r.number(|g, j| study.npx[g * s.len() + j]));
    t.push("LOD", r.number(|g, _| a[g].lod));
    t.push("Normalization", r.text(|_, _| Some("Intensity".into())));
    t.push("AssayQC", r.text(|g, j| Some(r.assay_qc(g, j))));
    t.push("SampleQC", r.text(|_, j| Some(s[j].qc.to_string())));
    t
}

/// The sample manifest: SampleID, subject, timepoint, age, sex (study samples only).
pub fn manifest(study: &SimStudy) -> TsvTable {
    let mut t = TsvTable::new(["SampleID", "subject", "timepoint", "age", "sex"]);
    for s in study.samples.iter().filter(|s| s.sample_type == "SAMPLE") {
        t.push(vec![
            s.sample_id.clone(),
            s.subject.clone().unwrap_or_default(),
            s.timepoint.unwrap_or("NA").to_string(),
            s.age.map_or("NA".into(), |a| a.to_string()),
            s.sex.unwrap_or("NA").to_string(),
        ]);
    }
    t
}
