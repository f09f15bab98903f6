//! Recording from HAR files: each file read whole (within a size limit), its entries folded into
//! the recorder in file order.

use std::path::PathBuf;

use vow_core::record::{Exchange, Recorder, read_har};

use super::RecordError;

/// HAR files larger than this are refused before reading.
pub const MAX_HAR_BYTES: u64 = 1024 * 1024 * 1024;

/// What the HAR files held besides the exchanges recorded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HarSummary {
    pub entries: usize,
    pub other_origin: usize,
    pub unanswered: usize,
    pub bodies_not_exported: usize,
}

/// Folds the entries of every file in `paths` into `recorder`; with `only_origin`, only entries
/// for that origin. Stops at the first file that cannot be read, naming it and the place.
pub fn record_har(
    paths: &[PathBuf],
    only_origin: Option<&str>,
    recorder: &mut Recorder,
) -> Result<HarSummary, RecordError> {
    let mut summary = HarSummary::default();
    for path in paths {
        let read_error = |source| RecordError::Read {
            path: path.clone(),
            source,
        };
        let size = std::fs::metadata(path).map_err(read_error)?.len();
        if size > MAX_HAR_BYTES {
            return Err(RecordError::TooLarge {
                path: path.clone(),
                size,
                limit: MAX_HAR_BYTES,
            });
        }
        let text = std::fs::read_to_string(path).map_err(read_error)?;
        let read = read_har(&path.display().to_string(), &text, only_origin)?;
        summary.entries += read.exchanges.len() + read.other_origin + read.unanswered;
        summary.other_origin += read.other_origin;
        summary.unanswered += read.unanswered;
        summary.bodies_not_exported += read.bodies_not_exported;
        for raw in read.exchanges {
            recorder.observe(Exchange::capture(raw));
        }
    }
    Ok(summary)
}
