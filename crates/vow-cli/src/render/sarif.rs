//! Findings as SARIF 2.1.0, for code-scanning dashboards: one run of the `vow` tool whose rules are
//! the catalogue entries the results use (with a link to their section of docs/rules.md), and one
//! result per finding, located in its contract file. Works for any per-contract results
//! (`vow check`, and `vow verify` later).

use serde_json::{Value, json};
use vow_core::Dimension;
use vow_core::finding::Rule;
use vow_core::verification::ContractResult;

use super::locate::Locate;
use super::text::{sarif_document, sarif_level, sarif_rule};

/// The section of docs/rules.md a rule is listed in, as a GitHub heading anchor.
pub fn rules_anchor(rule: &Rule) -> &'static str {
    if rule.id.starts_with("verify.") {
        return "verify--the-replay-itself";
    }
    if rule.id.starts_with("mock.") {
        return "mock--what-consumers-send-to-the-stub-provider";
    }
    match rule.dimension {
        Dimension::Shape => "shape--status-headers-and-body",
        Dimension::Errors => "errors--error-responses-and-retries",
        Dimension::Latency => "latency--time-budgets-and-sampled-latency",
        Dimension::Auth => "auth--the-auth-probes",
        Dimension::Deprecation => "deprecation--deprecation-sunset-and-link-headers",
    }
}

pub fn render_sarif(contracts: &[ContractResult], locate: &dyn Locate) -> String {
    let mut used: Vec<Rule> = Vec::new();
    for f in contracts
        .iter()
        .flat_map(|c| &c.interactions)
        .flat_map(|i| &i.findings)
    {
        if !used.iter().any(|r| r.id == f.rule.id) {
            used.push(f.rule);
        }
    }
    used.sort_by_key(|r| r.id);
    let rules: Vec<Value> = used
        .iter()
        .map(|r| {
            let mut descriptor = sarif_rule(r);
            descriptor["helpUri"] = Value::String(format!(
                "{}/blob/main/docs/rules.md#{}",
                env!("CARGO_PKG_REPOSITORY"),
                rules_anchor(r)
            ));
            descriptor
        })
        .collect();
    let mut results = Vec::new();
    for contract in contracts {
        for interaction in &contract.interactions {
            for f in &interaction.findings {
                let mut text = f.message.clone();
                if let Some(e) = &f.expected {
                    text.push_str(&format!("\nexpected: {e}"));
                }
                if let Some(a) = &f.actual {
                    text.push_str(&format!("\nactual: {a}"));
                }
                if let Some(h) = &f.hint {
                    text.push_str(&format!("\nhint: {h}"));
                }
                let mut physical = json!({"artifactLocation": {"uri": uri(&contract.source)}});
                if let Some(p) = locate.locate(contract, interaction, f) {
                    physical["region"] = json!({"startLine": p.line, "startColumn": p.column});
                }
                let index = used.iter().position(|r| r.id == f.rule.id).unwrap_or(0);
                results.push(json!({
                    "ruleId": f.rule.id,
                    "ruleIndex": index,
                    "level": sarif_level(f.severity),
                    "message": {"text": text},
                    "locations": [{
                        "physicalLocation": physical,
                        "logicalLocations": [{
                            "name": interaction.id,
                            "fullyQualifiedName": format!(
                                "{}/{}{}",
                                contract.consumer, interaction.id, f.location.pointer
                            ),
                            "kind": "member",
                        }],
                    }],
                    "properties": {
                        "consumer": contract.consumer,
                        "provider": contract.provider,
                        "interaction": interaction.id,
                        "dimension": f.dimension,
                        "pointer": f.location.pointer,
                    },
                }));
            }
        }
    }
    sarif_document(rules, results)
}

/// A file path as a relative URI reference: `/` separators, reserved characters percent-encoded.
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.replace('\\', "/").chars() {
        match c {
            'A'..='Z' | 'a'..='z' | '0'..='9' | '-' | '.' | '_' | '~' | '/' | ':' => out.push(c),
            c => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("%{b:02X}"));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// GitHub's heading anchors: lowercase, punctuation dropped, spaces to hyphens.
    fn slug(heading: &str) -> String {
        heading
            .to_lowercase()
            .chars()
            .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-' || *c == '_')
            .map(|c| if c == ' ' { '-' } else { c })
            .collect()
    }

    #[test]
    fn every_rule_links_to_a_section_of_the_rules_page() {
        let doc = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/rules.md"),
        )
        .expect("docs/rules.md");
        let anchors: Vec<String> = doc
            .lines()
            .filter_map(|l| l.strip_prefix("## "))
            .map(slug)
            .collect();
        for rule in vow_core::rules::ALL {
            let anchor = rules_anchor(rule);
            assert!(
                anchors.iter().any(|a| a == anchor),
                "{}: no heading of docs/rules.md has the anchor {anchor} ({anchors:?})",
                rule.id
            );
        }
    }

    #[test]
    fn paths_become_relative_uris() {
        assert_eq!(uri("contracts/a b.yaml"), "contracts/a%20b.yaml");
        assert_eq!(uri("dir\\c#1.json"), "dir/c%231.json");
    }
}
