//! can-I-deploy and can-I-merge decisions: each edge case DESIGN.md lists, the evidence precedence,
//! the deprecation rules, the JSON form, and a property check over generated questions.

use chrono::NaiveDate;
use vow_core::Dimension;
use vow_core::deploy::{
    Answer, CandidateContract, Compatibility, ConsumerContract, Counterpart, DeprecationFact,
    DeprecationKind, Evidence, Notice, Presence, ProviderSpec, Question, QuestionError, Reason,
    RowOutcome, ServiceVersion, Target, Verdict, Verification, decide,
};

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

/// A question under construction: the candidate `service@version` going to `production` (or a
/// branch), as of 2026-11-21.
#[derive(Debug, Clone)]
struct Q(Question);

fn to_env(service: &str, version: &str) -> Q {
    Q(Question {
        candidate: ServiceVersion {
            service: service.into(),
            version: version.into(),
        },
        target: Target::Environment {
            name: "production".into(),
        },
        as_of: date("2026-11-21"),
        contracts: vec![],
        counterparts: vec![],
        consumer_contracts: vec![],
        specs: vec![],
        verifications: vec![],
        compatibility: vec![],
        deprecations: vec![],
    })
}

fn to_branch(service: &str, version: &str, branch: &str) -> Q {
    let mut q = to_env(service, version);
    q.0.target = Target::Branch {
        name: branch.into(),
    };
    q
}

impl Q {
    /// The candidate's contract with `provider`.
    fn contract(mut self, provider: &str, hash: &str) -> Q {
        self.0.contracts.push(CandidateContract {
            provider: provider.into(),
            contract_hash: hash.into(),
        });
        self
    }

    fn present(mut self, service: &str, version: &str, presence: Presence) -> Q {
        self.0.counterparts.push(Counterpart {
            service: service.into(),
            version: version.into(),
            presence,
        });
        self
    }

    fn deployed(self, service: &str, version: &str) -> Q {
        self.present(service, version, Presence::Deployed { instance: None })
    }

    fn deployed_in(self, service: &str, version: &str, instance: &str) -> Q {
        let instance = Some(instance.into());
        self.present(service, version, Presence::Deployed { instance })
    }

    fn released(self, service: &str, version: &str) -> Q {
        self.present(service, version, Presence::Released)
    }

    fn head(self, service: &str, version: &str) -> Q {
        self.present(service, version, Presence::BranchHead)
    }

    /// `consumer@version`'s contract with the candidate's service.
    fn consumes(mut self, consumer: &str, version: &str, hash: &str) -> Q {
        self.0.consumer_contracts.push(ConsumerContract {
            consumer: consumer.into(),
            consumer_version: version.into(),
            contract_hash: hash.into(),
        });
        self
    }

    fn spec(mut self, provider: &str, version: &str, hash: &str) -> Q {
        self.0.specs.push(ProviderSpec {
            provider: provider.into(),
            provider_version: version.into(),
            spec_hash: hash.into(),
        });
        self
    }

    fn verification(
        mut self,
        provider: &str,
        version: &str,
        hash: &str,
        failed: &[Dimension],
    ) -> Q {
        self.0.verifications.push(Verification {
            provider: provider.into(),
            provider_version: version.into(),
            contract_hash: hash.into(),
            passed: failed.is_empty(),
            failed_dimensions: failed.to_vec(),
        });
        self
    }

    fn verified(self, provider: &str, version: &str, hash: &str) -> Q {
        self.verification(provider, version, hash, &[])
    }

    fn compatibility(mut self, spec: &str, hash: &str, failed: &[Dimension]) -> Q {
        self.0.compatibility.push(Compatibility {
            spec_hash: spec.into(),
            contract_hash: hash.into(),
            passed: failed.is_empty(),
            failed_dimensions: failed.to_vec(),
            errors: failed.len() as u32,
            warnings: 0,
        });
        self
    }

    fn deprecation(mut self, spec: &str, hash: &str, element: &str, kind: DeprecationKind) -> Q {
        self.0.deprecations.push(DeprecationFact {
            spec_hash: spec.into(),
            contract_hash: hash.into(),
            interaction: "get-cart".into(),
            element: element.into(),
            kind,
            stability: None,
        });
        self
    }

    fn sunset(self, spec: &str, hash: &str, element: &str, sunset: &str) -> Q {
        let kind = DeprecationKind::Sunset {
            sunset: date(sunset),
        };
        self.deprecation(spec, hash, element, kind)
    }

    fn removed(self, spec: &str, hash: &str, element: &str) -> Q {
        self.deprecation(spec, hash, element, DeprecationKind::Removed)
    }

    fn answer(&self) -> Answer {
        let answer = decide(&self.0).unwrap_or_else(|e| panic!("{e}"));
        check_invariants(&answer);
        answer
    }
}

/// Rows as one line each: `consumer@version -> provider@version hash: evidence outcome reason`.
fn table(answer: &Answer) -> Vec<String> {
    answer
        .rows
        .iter()
        .map(|r| {
            format!(
                "{}@{} -> {}@{} {}: {} {} {}",
                r.consumer,
                r.consumer_version,
                r.provider,
                r.provider_version.as_deref().unwrap_or("-"),
                r.contract_hash,
                json_str(&r.evidence),
                json_str(&r.outcome),
                json_str(&r.reason),
            )
        })
        .collect()
}

fn json_str<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .unwrap()
        .as_str()
        .unwrap()
        .to_owned()
}

/// What must hold of every answer: the verdict is the fold of the rows, a row's outcome is its
/// reason's, a pass always rests on evidence, and the JSON form reads back to the same answer.
fn check_invariants(answer: &Answer) {
    let any = |o: RowOutcome| answer.rows.iter().any(|r| r.outcome == o);
    let expected = if any(RowOutcome::Fail) {
        Verdict::No
    } else if any(RowOutcome::Unknown) {
        Verdict::Unknown
    } else {
        Verdict::Yes
    };
    assert_eq!(answer.verdict, expected, "{:#?}", answer.rows);
    for row in &answer.rows {
        assert_eq!(row.outcome, row.reason.outcome(), "{row:?}");
        if row.outcome == RowOutcome::Pass {
            assert_ne!(
                row.evidence,
                Evidence::None,
                "a pass without evidence: {row:?}"
            );
        }
    }
    let json = serde_json::to_string(answer).unwrap();
    let back: Answer = serde_json::from_str(&json).unwrap();
    assert_eq!(&back, answer);
}

const ALL_ERRORS: &[Dimension] = &[Dimension::Errors];

#[test]
fn every_released_and_supported_consumer_version_must_be_satisfied_not_just_the_latest() {
    // mobile-app 1.0, 1.1 and 1.2 are all released and supported; each has its own contract.
    let base = to_env("shop-api", "v2")
        .released("mobile-app", "1.0")
        .released("mobile-app", "1.1")
        .released("mobile-app", "1.2")
        .consumes("mobile-app", "1.0", "h-10")
        .consumes("mobile-app", "1.1", "h-11")
        .consumes("mobile-app", "1.2", "h-12")
        .verified("shop-api", "v2", "h-11")
        .verified("shop-api", "v2", "h-12");
    type Case = (&'static str, fn(Q) -> Q, Verdict, &'static str);
    let cases: [Case; 3] = [
        (
            "oldest unverified",
            |q| q,
            Verdict::Unknown,
            "unknown no-evidence",
        ),
        (
            "oldest failing",
            |q| q.verification("shop-api", "v2", "h-10", ALL_ERRORS),
            Verdict::No,
            "fail verification-failed",
        ),
        (
            "oldest verified",
            |q| q.verified("shop-api", "v2", "h-10"),
            Verdict::Yes,
            "pass verified",
        ),
    ];
    for (name, arrange, verdict, oldest) in cases {
        let answer = arrange(base.clone()).answer();
        assert_eq!(answer.verdict, verdict, "{name}");
        let rows = table(&answer);
        assert_eq!(rows.len(), 3, "{name}: {rows:#?}");
        assert!(
            rows[0].starts_with("mobile-app@1.0 -> shop-api@v2 h-10"),
            "{name}"
        );
        assert!(rows[0].ends_with(oldest), "{name}: {}", rows[0]);
        assert!(rows[1].ends_with("verified pass verified"), "{name}");
        assert!(rows[2].ends_with("verified pass verified"), "{name}");
    }
}

#[test]
fn several_application_instances_each_count_and_one_version_in_several_places_is_one_row() {
    let answer = to_env("checkout-web", "abc")
        .contract("shop-api", "h-1")
        .deployed_in("shop-api", "v1", "eu")
        .deployed_in("shop-api", "v2", "us")
        .released("shop-api", "v2")
        .verified("shop-api", "v2", "h-1")
        .answer();
    assert_eq!(
        table(&answer),
        [
            "checkout-web@abc -> shop-api@v1 h-1: none unknown no-evidence",
            "checkout-web@abc -> shop-api@v2 h-1: verified pass verified",
        ]
    );
    assert_eq!(
        answer.rows[1].presence,
        [
            Presence::Deployed {
                instance: Some("us".into())
            },
            Presence::Released
        ]
    );
    assert_eq!(answer.verdict, Verdict::Unknown);
}

#[test]
fn no_row_limit_hides_rows() {
    let n = 1_500;
    let mut q = to_env("shop-api", "v2")
        .contract("pricing", "h-p")
        .deployed("pricing", "p1");
    q = q.verified("pricing", "p1", "h-p");
    for i in 0..n {
        let consumer = format!("consumer-{i:05}");
        let hash = format!("h-{i}");
        q = q.deployed(&consumer, "1").consumes(&consumer, "1", &hash);
        // The very last consumer is the one that fails: an answer cut short would say yes.
        if i == n - 1 {
            q = q.verification("shop-api", "v2", &hash, ALL_ERRORS);
        } else {
            q = q.verified("shop-api", "v2", &hash);
        }
    }
    let answer = q.answer();
    assert_eq!(answer.rows.len(), n + 1);
    assert_eq!(answer.verdict, Verdict::No);
    let last = answer.rows.last().unwrap();
    assert_eq!(last.consumer, format!("consumer-{:05}", n - 1));
    assert_eq!(last.reason, Reason::VerificationFailed);
}

#[test]
fn a_service_with_no_contracts_at_all_can_deploy_with_a_notice() {
    // Other services are deployed, but none has a contract with batch-job and it names none.
    let answer = to_env("batch-job", "42")
        .deployed("shop-api", "v1")
        .deployed("checkout-web", "abc")
        .answer();
    assert_eq!(answer.verdict, Verdict::Yes);
    assert!(answer.rows.is_empty());
    assert_eq!(answer.notices, [Notice::NoContracts]);
}

#[test]
fn a_brand_new_provider_with_no_consumers_can_deploy_with_a_notice() {
    for (name, q) in [
        ("only a spec", to_env("loyalty-api", "v1")),
        (
            "and providers of its own, verified",
            to_env("loyalty-api", "v1")
                .contract("shop-api", "h-l")
                .deployed("shop-api", "v1")
                .verified("shop-api", "v1", "h-l"),
        ),
    ] {
        let answer = q.spec("loyalty-api", "v1", "s-loyalty").answer();
        assert_eq!(answer.verdict, Verdict::Yes, "{name}");
        assert_eq!(answer.notices, [Notice::NoConsumers], "{name}");
    }
}

#[test]
fn a_needed_provider_not_deployed_is_unknown_never_a_silent_yes() {
    let answer = to_env("checkout-web", "abc")
        .contract("shop-api", "h-1")
        .contract("payments", "h-2")
        .deployed("shop-api", "v1")
        .verified("shop-api", "v1", "h-1")
        // payments exists elsewhere (and is verified there), but not in production
        .verified("payments", "p9", "h-2")
        .answer();
    assert_eq!(answer.verdict, Verdict::Unknown);
    assert_eq!(
        table(&answer),
        [
            "checkout-web@abc -> payments@- h-2: none unknown provider-not-deployed",
            "checkout-web@abc -> shop-api@v1 h-1: verified pass verified",
        ]
    );
    assert!(answer.notices.is_empty());
}

#[test]
fn evidence_for_identical_contract_content_is_shared_across_consumer_versions() {
    let answer = to_env("shop-api", "v2")
        .released("mobile-app", "1.0")
        .released("mobile-app", "1.1")
        .deployed("checkout-web", "abc")
        .consumes("mobile-app", "1.0", "h-same")
        .consumes("mobile-app", "1.1", "h-same")
        .consumes("checkout-web", "abc", "h-web")
        // One verification, published for whichever version first carried the content.
        .verified("shop-api", "v2", "h-same")
        .spec("shop-api", "v2", "s-2")
        .compatibility("s-2", "h-web", &[])
        .answer();
    assert_eq!(
        table(&answer),
        [
            "checkout-web@abc -> shop-api@v2 h-web: compatible pass compatible",
            "mobile-app@1.0 -> shop-api@v2 h-same: verified pass verified",
            "mobile-app@1.1 -> shop-api@v2 h-same: verified pass verified",
        ]
    );
    assert_eq!(answer.verdict, Verdict::Yes);
}

#[test]
fn a_verification_of_an_older_provider_version_does_not_count_for_a_newer_one() {
    // The candidate as provider: checkout-web was verified against v1, not v2.
    let as_provider = to_env("shop-api", "v2")
        .deployed("checkout-web", "abc")
        .consumes("checkout-web", "abc", "h-1")
        .verified("shop-api", "v1", "h-1")
        .answer();
    // The candidate as consumer: production runs shop-api v2; the verification is of v1.
    let as_consumer = to_env("checkout-web", "abc")
        .contract("shop-api", "h-1")
        .deployed("shop-api", "v2")
        .verified("shop-api", "v1", "h-1")
        .answer();
    for answer in [as_provider, as_consumer] {
        assert_eq!(answer.verdict, Verdict::Unknown);
        assert_eq!(answer.rows.len(), 1);
        assert_eq!(answer.rows[0].provider_version.as_deref(), Some("v2"));
        assert_eq!(answer.rows[0].reason, Reason::NoEvidence);
    }
}

#[test]
fn the_evidence_decides_each_row_and_a_verification_beats_a_compatibility_check() {
    use Dimension::{Latency, Shape};
    // (verification, compatibility) -> (evidence, reason, failed dimensions)
    type Case = (Option<&'static [Dimension]>, Option<&'static [Dimension]>);
    let cases: [(Case, Evidence, Reason, &[Dimension]); 7] = [
        ((None, None), Evidence::None, Reason::NoEvidence, &[]),
        ((Some(&[]), None), Evidence::Verified, Reason::Verified, &[]),
        (
            (Some(&[Latency, Shape]), None),
            Evidence::Verified,
            Reason::VerificationFailed,
            &[Shape, Latency],
        ),
        (
            (None, Some(&[])),
            Evidence::Compatible,
            Reason::Compatible,
            &[],
        ),
        (
            (None, Some(&[Shape])),
            Evidence::Compatible,
            Reason::Incompatible,
            &[Shape],
        ),
        // A live run saw the real provider; the static check only reads its spec.
        (
            (Some(&[Latency]), Some(&[])),
            Evidence::Verified,
            Reason::VerificationFailed,
            &[Latency],
        ),
        (
            (Some(&[]), Some(&[Shape])),
            Evidence::Verified,
            Reason::Verified,
            &[],
        ),
    ];
    for ((verification, compatibility), evidence, reason, dimensions) in cases {
        for role in ["consumer", "provider"] {
            let mut q = if role == "consumer" {
                to_env("checkout-web", "abc")
                    .contract("shop-api", "h")
                    .deployed("shop-api", "v1")
            } else {
                to_env("shop-api", "v1")
                    .deployed("checkout-web", "abc")
                    .consumes("checkout-web", "abc", "h")
            };
            q = q.spec("shop-api", "v1", "s-1");
            if let Some(failed) = verification {
                q = q.verification("shop-api", "v1", "h", failed);
            }
            if let Some(failed) = compatibility {
                q = q.compatibility("s-1", "h", failed);
            }
            let answer = q.answer();
            let case = format!("{role}: {verification:?} {compatibility:?}");
            assert_eq!(answer.rows.len(), 1, "{case}");
            let row = &answer.rows[0];
            assert_eq!((row.evidence, row.reason), (evidence, reason), "{case}");
            assert_eq!(row.failed_dimensions, dimensions, "{case}");
            let verdict = match reason.outcome() {
                RowOutcome::Pass => Verdict::Yes,
                RowOutcome::Fail => Verdict::No,
                RowOutcome::Unknown => Verdict::Unknown,
            };
            assert_eq!(answer.verdict, verdict, "{case}");
        }
    }
}

#[test]
fn missing_evidence_is_unknown_and_a_failing_verification_is_no_whatever_else_passes() {
    let base = to_env("shop-api", "v2")
        .contract("pricing", "h-p")
        .deployed("pricing", "p1")
        .verified("pricing", "p1", "h-p")
        .deployed("checkout-web", "abc")
        .consumes("checkout-web", "abc", "h-c")
        .deployed("mobile-app", "1.0")
        .consumes("mobile-app", "1.0", "h-m")
        .verified("shop-api", "v2", "h-c");
    assert_eq!(
        base.answer().verdict,
        Verdict::Unknown,
        "mobile-app has no evidence"
    );
    let failing = base
        .clone()
        .verification("shop-api", "v2", "h-m", ALL_ERRORS);
    assert_eq!(failing.answer().verdict, Verdict::No);
    let passing = base.verified("shop-api", "v2", "h-m");
    assert_eq!(passing.answer().verdict, Verdict::Yes);
}

#[test]
fn a_consumer_using_an_element_past_its_sunset_is_blocked() {
    let cases = [
        ("2026-11-20", Verdict::No, Reason::SunsetPassed),
        ("2026-11-21", Verdict::No, Reason::SunsetPassed), // the sunset is the as-of day
        ("2026-11-22", Verdict::Yes, Reason::Verified),
    ];
    for (sunset, verdict, reason) in cases {
        let answer = to_env("checkout-web", "abc")
            .contract("shop-api", "h-1")
            .deployed("shop-api", "v1")
            .spec("shop-api", "v1", "s-1")
            .verified("shop-api", "v1", "h-1")
            .sunset("s-1", "h-1", "GET /carts/{id}", sunset)
            .answer();
        assert_eq!(answer.verdict, verdict, "sunset {sunset}");
        let row = &answer.rows[0];
        assert_eq!(row.reason, reason, "sunset {sunset}");
        assert_eq!(
            row.evidence,
            Evidence::Verified,
            "the evidence stays what it was"
        );
        assert_eq!(row.blocked_by.len(), usize::from(verdict == Verdict::No));
    }
}

#[test]
fn a_consumer_past_a_sunset_does_not_block_the_provider_but_is_noticed() {
    let answer = to_env("shop-api", "v2")
        .spec("shop-api", "v2", "s-2")
        .deployed("checkout-web", "abc")
        .consumes("checkout-web", "abc", "h-1")
        .verified("shop-api", "v2", "h-1")
        .sunset("s-2", "h-1", "GET /carts/{id}", "2026-10-01")
        .answer();
    assert_eq!(answer.verdict, Verdict::Yes);
    assert_eq!(answer.rows[0].reason, Reason::Verified);
    assert_eq!(
        answer.notices,
        [Notice::ConsumerPastSunset {
            consumer: "checkout-web".into(),
            consumer_version: "abc".into(),
            interaction: "get-cart".into(),
            element: "GET /carts/{id}".into(),
            sunset: date("2026-10-01"),
        }]
    );
}

#[test]
fn a_provider_version_removing_an_element_a_deployed_consumer_uses_is_blocked() {
    // Even with a passing verification (the implementation still answers), and before its sunset.
    let base = to_env("shop-api", "v3")
        .spec("shop-api", "v3", "s-3")
        .released("mobile-app", "1.0")
        .released("mobile-app", "2.0")
        .consumes("mobile-app", "1.0", "h-old")
        .consumes("mobile-app", "2.0", "h-new")
        .verified("shop-api", "v3", "h-old")
        .verified("shop-api", "v3", "h-new")
        .sunset("s-3", "h-old", "GET /carts/{id} 200 /total", "2027-06-01");
    assert_eq!(base.answer().verdict, Verdict::Yes);
    let answer = base
        .removed("s-3", "h-old", "GET /carts/{id} 200 /total")
        .answer();
    assert_eq!(answer.verdict, Verdict::No);
    assert_eq!(
        table(&answer),
        [
            "mobile-app@1.0 -> shop-api@v3 h-old: verified fail removes-used-element",
            "mobile-app@2.0 -> shop-api@v3 h-new: verified pass verified",
        ]
    );
    assert_eq!(
        answer.rows[0].blocked_by.len(),
        1,
        "a future sunset blocks nothing"
    );
    assert_eq!(answer.rows[0].blocked_by[0].kind, DeprecationKind::Removed);

    // The same fact blocks the consumer side: a consumer whose deployed provider dropped it.
    let consumer = to_env("mobile-app", "1.0")
        .contract("shop-api", "h-old")
        .deployed("shop-api", "v3")
        .spec("shop-api", "v3", "s-3")
        .compatibility("s-3", "h-old", &[])
        .removed("s-3", "h-old", "GET /carts/{id} 200 /total")
        .answer();
    assert_eq!(consumer.verdict, Verdict::No);
    assert_eq!(consumer.rows[0].reason, Reason::RemovesUsedElement);
}

#[test]
fn a_deprecation_rule_turns_missing_evidence_into_no() {
    let answer = to_env("checkout-web", "abc")
        .contract("shop-api", "h-1")
        .deployed("shop-api", "v1")
        .spec("shop-api", "v1", "s-1")
        .sunset("s-1", "h-1", "GET /carts/{id}", "2026-01-01")
        .answer();
    assert_eq!(
        table(&answer),
        ["checkout-web@abc -> shop-api@v1 h-1: none fail sunset-passed"]
    );
    assert_eq!(answer.verdict, Verdict::No);
}

#[test]
fn can_i_merge_asks_the_same_question_of_the_heads_of_a_branch() {
    let answer = to_branch("checkout-web", "feat-1", "main")
        .contract("shop-api", "h-1")
        .contract("payments", "h-2")
        .head("shop-api", "main-7")
        .head("pricing", "main-3")
        .verified("shop-api", "main-7", "h-1")
        .verified("shop-api", "main-6", "h-2")
        .answer();
    assert_eq!(
        table(&answer),
        [
            "checkout-web@feat-1 -> payments@- h-2: none unknown provider-not-on-branch",
            "checkout-web@feat-1 -> shop-api@main-7 h-1: verified pass verified",
        ]
    );
    assert_eq!(answer.rows[1].presence, [Presence::BranchHead]);
    assert_eq!(answer.verdict, Verdict::Unknown);

    let provider = to_branch("shop-api", "feat-2", "main")
        .head("shop-api", "main-7") // the candidate's own head is not a counterpart
        .head("checkout-web", "main-9")
        .consumes("checkout-web", "main-9", "h-1")
        .verification("shop-api", "feat-2", "h-1", &[Dimension::Auth])
        .answer();
    assert_eq!(
        table(&provider),
        ["checkout-web@main-9 -> shop-api@feat-2 h-1: verified fail verification-failed"]
    );
    assert_eq!(provider.verdict, Verdict::No);
}

#[test]
fn the_candidates_own_versions_are_not_counterparts_and_a_self_contract_uses_the_candidate() {
    let answer = to_env("shop-api", "v2")
        .deployed("shop-api", "v1")
        .consumes("shop-api", "v1", "h-self-old")
        .contract("shop-api", "h-self")
        .verified("shop-api", "v2", "h-self")
        .answer();
    assert_eq!(
        table(&answer),
        ["shop-api@v2 -> shop-api@v2 h-self: verified pass verified"]
    );
}

#[test]
fn conflicting_duplicates_fail_loudly_and_identical_ones_collapse() {
    let base = to_env("shop-api", "v2")
        .deployed("checkout-web", "abc")
        .deployed("checkout-web", "abc")
        .consumes("checkout-web", "abc", "h-1")
        .consumes("checkout-web", "abc", "h-1")
        .verified("shop-api", "v2", "h-1")
        .verified("shop-api", "v2", "h-1");
    assert_eq!(base.answer().rows.len(), 1);

    let conflicts = [
        base.clone()
            .verification("shop-api", "v2", "h-1", ALL_ERRORS),
        base.clone().consumes("checkout-web", "abc", "h-2"),
        base.clone()
            .spec("shop-api", "v2", "s-1")
            .spec("shop-api", "v2", "s-2"),
        base.clone()
            .compatibility("s", "h-1", &[])
            .compatibility("s", "h-1", ALL_ERRORS),
        base.contract("pricing", "h-a").contract("pricing", "h-b"),
    ];
    for q in conflicts {
        assert!(
            matches!(decide(&q.0), Err(QuestionError::Conflict { .. })),
            "{:?}",
            decide(&q.0)
        );
    }
}

#[test]
fn the_answer_serialises_to_camel_case_json_with_kebab_case_codes() {
    let answer = to_env("checkout-web", "abc")
        .contract("shop-api", "h-1")
        .deployed_in("shop-api", "v1", "eu")
        .verification("shop-api", "v1", "h-1", &[Dimension::Errors])
        .contract("payments", "h-2")
        .answer();
    let json = serde_json::to_value(&answer).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "formatVersion": 1,
            "candidate": {"service": "checkout-web", "version": "abc"},
            "target": {"kind": "environment", "name": "production"},
            "asOf": "2026-11-21",
            "verdict": "no",
            "rows": [
                {
                    "candidateRole": "consumer",
                    "consumer": "checkout-web",
                    "consumerVersion": "abc",
                    "provider": "payments",
                    "providerVersion": null,
                    "contractHash": "h-2",
                    "presence": [],
                    "evidence": "none",
                    "outcome": "unknown",
                    "reason": "provider-not-deployed",
                    "failedDimensions": [],
                    "blockedBy": [],
                },
                {
                    "candidateRole": "consumer",
                    "consumer": "checkout-web",
                    "consumerVersion": "abc",
                    "provider": "shop-api",
                    "providerVersion": "v1",
                    "contractHash": "h-1",
                    "presence": [{"kind": "deployed", "instance": "eu"}],
                    "evidence": "verified",
                    "outcome": "fail",
                    "reason": "verification-failed",
                    "failedDimensions": ["errors"],
                    "blockedBy": [],
                },
            ],
            "notices": [],
        })
    );

    let notices = to_env("shop-api", "v2")
        .spec("shop-api", "v2", "s-2")
        .deployed("web", "1")
        .consumes("web", "1", "h")
        .compatibility("s-2", "h", &[])
        .sunset("s-2", "h", "GET /x", "2026-01-02")
        .removed("s-2", "h", "GET /y")
        .answer();
    let json = serde_json::to_value(&notices).unwrap();
    assert_eq!(json["rows"][0]["reason"], "removes-used-element");
    assert_eq!(
        json["rows"][0]["blockedBy"],
        serde_json::json!([{"interaction": "get-cart", "element": "GET /y", "kind": "removed"}])
    );
    assert_eq!(
        json["notices"],
        serde_json::json!([{
            "code": "consumer-past-sunset",
            "consumer": "web",
            "consumerVersion": "1",
            "interaction": "get-cart",
            "element": "GET /x",
            "sunset": "2026-01-02",
        }])
    );
    let none = serde_json::to_value(to_env("x", "1").answer().notices).unwrap();
    assert_eq!(none, serde_json::json!([{"code": "no-contracts"}]));
}

/// A small deterministic generator (xorshift), so the property check needs no extra crate.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

#[test]
fn property_the_verdict_is_yes_only_if_every_row_passes() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut seen = [0usize; 3];
    for case in 0..2_000 {
        let mut q = if rng.chance(20) {
            to_branch("svc", "cand", "main")
        } else {
            to_env("svc", "cand")
        };
        let hashes = ["h-a", "h-b", "h-c"];
        let versions = ["1", "2", "3"];
        let pick =
            |rng: &mut Rng, items: &[&'static str]| items[rng.below(items.len() as u64) as usize];
        let mut expected_rows = 0;
        for provider in ["p-1", "p-2"] {
            if rng.chance(60) {
                q = q.contract(provider, pick(&mut rng, &hashes));
                let deployed: Vec<_> = versions.iter().filter(|_| rng.chance(40)).collect();
                expected_rows += deployed.len().max(1);
                for v in deployed {
                    q = q.deployed(provider, v);
                }
            }
        }
        for consumer in ["c-1", "c-2"] {
            for v in versions {
                if rng.chance(40) {
                    q = q.released(consumer, v);
                    if rng.chance(70) {
                        q = q.consumes(consumer, v, pick(&mut rng, &hashes));
                        expected_rows += 1;
                    }
                }
            }
        }
        for provider in ["svc", "p-1", "p-2"] {
            let provider_versions: &[&str] = if provider == "svc" {
                &["cand"]
            } else {
                &versions
            };
            for &v in provider_versions {
                let spec = format!("s-{provider}-{v}");
                if rng.chance(70) {
                    q = q.spec(provider, v, &spec);
                }
                for h in hashes {
                    if rng.chance(30) {
                        let failed: &[Dimension] = if rng.chance(20) { ALL_ERRORS } else { &[] };
                        q = q.verification(provider, v, h, failed);
                    }
                    if rng.chance(30) {
                        let failed: &[Dimension] = if rng.chance(20) {
                            &[Dimension::Shape]
                        } else {
                            &[]
                        };
                        q = q.compatibility(&spec, h, failed);
                    }
                    if rng.chance(5) {
                        q = q.removed(&spec, h, "GET /gone");
                    }
                    if rng.chance(10) {
                        q = q.sunset(
                            &spec,
                            h,
                            "GET /old",
                            ["2026-01-01", "2027-01-01"][rng.below(2) as usize],
                        );
                    }
                }
            }
        }
        let answer = q.answer(); // checks the fold, reasons and JSON round trip
        assert_eq!(answer.rows.len(), expected_rows, "case {case}");
        let all_pass = answer.rows.iter().all(|r| r.outcome == RowOutcome::Pass);
        assert_eq!(answer.verdict == Verdict::Yes, all_pass, "case {case}");
        seen[match answer.verdict {
            Verdict::Yes => 0,
            Verdict::No => 1,
            Verdict::Unknown => 2,
        }] += 1;
    }
    assert!(
        seen.iter().all(|&n| n > 100),
        "every verdict is exercised: {seen:?}"
    );
}
