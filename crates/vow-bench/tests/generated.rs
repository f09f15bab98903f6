//! Checks that the generated benchmark contract is one the clean example provider satisfies, so the
//! benchmark measures passing verifications and a drift from the provider's seed data is caught here
//! rather than as findings in a timing run. (scripts/bench-verify also checks the full `vow verify`
//! run for zero findings before timing it.)

use std::time::Duration;

use reqwest::Url;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use vow_bench::{CONTRACT_FILE, DEMO_TOKEN, interactions, vow_contract};
use vow_core::contract::{SourceFormat, parse_contract};
use vow_core::matching::match_response;
use vow_engine::replay::{ReplayLimits, client, replay};
use vow_example_provider::{FaultSet, serve};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_generated_interaction_passes_against_the_clean_provider_without_findings() {
    // Two rounds over the 20 distinct requests.
    let text = vow_contract(&interactions(40));
    let contract = parse_contract(CONTRACT_FILE, &text, SourceFormat::Yaml)
        .unwrap_or_else(|e| panic!("the generated contract is invalid: {e:?}"));

    let listener = TcpListener::bind("127.0.0.1:0").await.expect("binds");
    let base = Url::parse(&format!(
        "http://{}",
        listener.local_addr().expect("address")
    ))
    .expect("valid URL");
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(serve(listener, FaultSet::default(), async {
        let _ = stopped.await;
    }));

    let http = client().expect("client");
    let limits = ReplayLimits {
        timeout: Duration::from_secs(10),
        max_body_bytes: 1024 * 1024,
    };
    let mut findings = Vec::new();
    for interaction in &contract.interactions {
        let mut request = interaction.request.clone();
        request
            .headers
            .push(("Authorization".into(), format!("Bearer {DEMO_TOKEN}")));
        let observed = replay(&http, &base, &request, limits)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", interaction.id));
        for finding in match_response(interaction, &observed) {
            findings.push((interaction.id.clone(), finding));
        }
    }
    assert!(findings.is_empty(), "{findings:#?}");

    stop.send(()).expect("server is running");
    server.await.expect("server task").expect("server ran");
}
