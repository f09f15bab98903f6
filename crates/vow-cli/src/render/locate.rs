//! Where a finding sits in its contract file, by line and column, for the formats that annotate
//! files (GitHub workflow commands, SARIF).
//!
//! A finding's pointer is relative to its interaction (`/request/query/limit`,
//! `/response/body/items/0/sku`, `/errors/handles/1`); [`ContractLines`] maps it into the file —
//! the body under `example`, a behavioural block under the interaction when it states one, else
//! under `defaults` — and takes the deepest part of it the file has.

use std::collections::HashMap;
use std::path::Path;

use vow_core::Finding;
use vow_core::contract::source::{SourceMap, read_source};
use vow_core::contract::{Contract, Position, SourceFormat};
use vow_core::verification::{ContractResult, InteractionResult};
use vow_engine::LoadedContract;

/// Finds a finding's place in its contract file.
pub trait Locate {
    fn locate(
        &self,
        contract: &ContractResult,
        interaction: &InteractionResult,
        finding: &Finding,
    ) -> Option<Position>;
}

/// No positions: findings are located by file only.
impl Locate for () {
    fn locate(&self, _: &ContractResult, _: &InteractionResult, _: &Finding) -> Option<Position> {
        None
    }
}

/// The source maps of contract files, read again from disk (contracts are small).
#[derive(Debug, Default)]
pub struct ContractLines {
    files: HashMap<String, (SourceMap, Contract)>,
}

impl ContractLines {
    /// Reads the positions of every loaded contract; a file that cannot be read again is simply
    /// left without positions.
    pub fn read<'a>(contracts: impl IntoIterator<Item = &'a LoadedContract>) -> ContractLines {
        let mut files = HashMap::new();
        for loaded in contracts {
            let format = loaded
                .path
                .extension()
                .and_then(|e| e.to_str())
                .and_then(SourceFormat::from_extension);
            let Some(format) = format else { continue };
            let Ok(text) = std::fs::read_to_string(&loaded.path) else {
                continue;
            };
            if let Ok(document) = read_source(&text, format) {
                files.insert(
                    source_name(&loaded.path),
                    (document.map, loaded.contract.clone()),
                );
            }
        }
        ContractLines { files }
    }
}

/// How a contract's path is shown in reports (and keyed here).
pub fn source_name(path: &Path) -> String {
    path.display().to_string()
}

impl Locate for ContractLines {
    fn locate(
        &self,
        contract: &ContractResult,
        interaction: &InteractionResult,
        finding: &Finding,
    ) -> Option<Position> {
        let (map, parsed) = self.files.get(&contract.source)?;
        let index = parsed
            .interactions
            .iter()
            .position(|i| i.id == interaction.id)?;
        let base = format!("/interactions/{index}");
        let pointer = finding.location.pointer.as_str();
        let own = &parsed.interactions[index];
        let mut candidates: Vec<(String, String)> = Vec::new();
        if let Some(rest) = pointer.strip_prefix("/response/body") {
            candidates.push((format!("{base}/response/body/example{rest}"), base.clone()));
            candidates.push((format!("{base}/response/body/schema"), base.clone()));
        } else if let Some(name) = pointer.strip_prefix("/response/headers/") {
            let written = own
                .response
                .headers
                .iter()
                .find(|h| h.name.eq_ignore_ascii_case(name))
                .map_or(name, |h| h.name.as_str());
            candidates.push((format!("{base}/response/headers/{written}"), base.clone()));
        } else {
            let block = pointer.split('/').nth(1).unwrap_or_default();
            let stated = &own.statements;
            let in_defaults = match block {
                "errors" => stated.errors.is_none(),
                "latency" => stated.latency.is_none(),
                "auth" => stated.auth.is_none(),
                "deprecation" => stated.deprecation.is_none(),
                _ => false,
            };
            if in_defaults {
                candidates.push((format!("/defaults{pointer}"), format!("/defaults/{block}")));
            }
            candidates.push((format!("{base}{pointer}"), base.clone()));
        }
        candidates
            .iter()
            .find_map(|(c, floor)| deepest(map, c, floor))
            .or_else(|| map.key(&base))
    }
}

/// The position of `pointer`, or of its nearest ancestor the file has, not above `floor`.
fn deepest(map: &SourceMap, pointer: &str, floor: &str) -> Option<Position> {
    let mut p = pointer;
    loop {
        if let Some(position) = map.key(p) {
            return Some(position);
        }
        if p.len() <= floor.len() {
            return None;
        }
        p = &p[..p.rfind('/')?];
    }
}
