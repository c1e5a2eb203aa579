//! Zip deliveries: one NPX file plus a checksum file (`MD5_checksum.txt`,
//! `checksum_sha256.txt`, `*.md5`, `*.sha256`) as Olink's delivery portal packs them.
//! The checksum is verified before the NPX file is parsed.

use md5::Md5;
use sha2::{Digest, Sha256};
use std::io::{Cursor, Read};
use std::path::Path;

use crate::error::{IoError, Result};

/// The NPX member of a zip delivery, checked.
#[derive(Debug)]
pub struct ZipMember {
    /// Name of the NPX file inside the zip.
    pub name: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
    /// The checksum algorithm that verified it, or `None` when the zip had no checksum.
    pub verified_with: Option<&'static str>,
}

fn is_checksum_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.contains("checksum") || lower.ends_with(".md5") || lower.ends_with(".sha256")
}

fn is_noise(name: &str) -> bool {
    name.ends_with('/')
        || name.starts_with("__MACOSX")
        || name.rsplit('/').next().is_some_and(|b| b.starts_with('.'))
}

/// Opens a zip delivery, finds its NPX file and verifies its checksum.
pub fn read_zip_delivery(bytes: &[u8], path: &Path) -> Result<ZipMember> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| IoError::layout(path, format!("not a readable zip archive: {e}")))?;
    let names: Vec<String> = archive.file_names().map(str::to_string).collect();
    let (checksums, npx): (Vec<&String>, Vec<&String>) = names
        .iter()
        .filter(|n| !is_noise(n))
        .partition(|n| is_checksum_name(n));
    let npx_name =
        match npx.as_slice() {
            [one] => (*one).clone(),
            [] => return Err(IoError::layout(
                path,
                "the zip holds no NPX file; Olink deliveries hold one NPX file and a checksum file",
            )),
            many => {
                return Err(IoError::layout(
                    path,
                    format!(
                "the zip holds {} candidate NPX files ({}); unzip it and pass the NPX file itself",
                many.len(),
                many.iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
                ))
            }
        };
    let read_member =
        |archive: &mut zip::ZipArchive<Cursor<&[u8]>>, name: &str| -> Result<Vec<u8>> {
            let mut f = archive.by_name(name).map_err(|e| {
                IoError::layout(path, format!("cannot open `{name}` in the zip: {e}"))
            })?;
            let mut buf = Vec::new();
            f.read_to_end(&mut buf).map_err(|e| {
                IoError::layout(
                    path,
                    format!("cannot read `{name}` in the zip (corrupt archive?): {e}"),
                )
            })?;
            Ok(buf)
        };
    let data = read_member(&mut archive, &npx_name)?;
    let verified_with = match checksums.first() {
        None => {
            log::warn!(
                "{}: no checksum file in the zip; `{npx_name}` not verified",
                path.display()
            );
            None
        }
        Some(sum_name) => {
            let text = read_member(&mut archive, sum_name)?;
            Some(verify(
                &data,
                &String::from_utf8_lossy(&text),
                path,
                &npx_name,
            )?)
        }
    };
    Ok(ZipMember {
        name: npx_name,
        bytes: data,
        verified_with,
    })
}

/// Checks `data` against the first hex digest in `checksum_text` (MD5 or SHA-256,
/// chosen by the digest's length).
fn verify(data: &[u8], checksum_text: &str, path: &Path, member: &str) -> Result<&'static str> {
    let expected = checksum_text
        .split(|c: char| !c.is_ascii_hexdigit())
        .find(|t| t.len() == 32 || t.len() == 64)
        .map(str::to_ascii_lowercase)
        .ok_or_else(|| IoError::layout(path, "the checksum file holds no MD5 or SHA-256 digest"))?;
    let (algorithm, actual) = if expected.len() == 32 {
        ("MD5", hex(&Md5::digest(data)))
    } else {
        ("SHA-256", hex(&Sha256::digest(data)))
    };
    if actual != expected {
        return Err(IoError::ChecksumMismatch {
            path: path.into(),
            member: member.into(),
            expected,
            actual,
        });
    }
    Ok(algorithm)
}

/// Lower-case hexadecimal of a digest.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
