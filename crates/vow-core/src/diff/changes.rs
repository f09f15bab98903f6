//! Finding the changes between two specs, operation by operation and dimension by dimension.

use std::collections::{BTreeMap, BTreeSet};

use crate::rules;
use crate::spec::compare::{ChangeKind, Comparer, Direction, SchemaChange};
use crate::spec::{Operation, ParameterIn, SecurityRequirement, Spec};

use super::{Change, DiffOptions, Element, Side, SpecLocation, new_change};

/// Every change from `old` to `new` that can matter to a consumer, in a stable order: by operation
/// (as in the old spec, then operations only the new one has), then by dimension and place.
pub fn diff_specs(old: &Spec, new: &Spec, options: &DiffOptions) -> Vec<Change> {
    let mut differ = Differ {
        old,
        new,
        options,
        comparer: Comparer::new(&old.schemas, &new.schemas),
        out: Vec::new(),
    };
    let new_by_key: BTreeMap<(String, String), usize> = new
        .operations
        .iter()
        .enumerate()
        .map(|(i, op)| ((op.method.clone(), op.path_key()), i))
        .collect();
    for (oi, op) in old.operations.iter().enumerate() {
        match new_by_key.get(&(op.method.clone(), op.path_key())) {
            Some(&ni) => differ.operation(oi, ni),
            None => differ.removed(oi),
        }
    }
    differ.out
}

struct Differ<'a> {
    old: &'a Spec,
    new: &'a Spec,
    options: &'a DiffOptions,
    comparer: Comparer<'a>,
    out: Vec<Change>,
}

fn at(side: Side, pointer: &str) -> SpecLocation {
    SpecLocation {
        side,
        doc: 0,
        pointer: pointer.to_owned(),
    }
}

fn scopes_text(req: &SecurityRequirement) -> String {
    if req.is_empty() {
        return "anonymous access".to_owned();
    }
    req.iter()
        .map(|(scheme, scopes)| {
            if scopes.is_empty() {
                scheme.clone()
            } else {
                format!(
                    "{scheme} [{}]",
                    scopes.iter().cloned().collect::<Vec<_>>().join(", ")
                )
            }
        })
        .collect::<Vec<_>>()
        .join(" + ")
}

/// Whether holders of `held` can satisfy `needed`: every scheme needed is held with at least the
/// scopes needed.
pub(crate) fn satisfies(held: &SecurityRequirement, needed: &SecurityRequirement) -> bool {
    needed.iter().all(|(scheme, scopes)| {
        held.get(scheme)
            .is_some_and(|have| scopes.iter().all(|s| have.contains(s)))
    })
}

impl Differ<'_> {
    fn push(&mut self, mut change: Change, oi: Option<usize>, ni: Option<usize>) -> &mut Change {
        change.old_op = oi;
        change.new_op = ni;
        self.out.push(change);
        self.out.last_mut().expect("just pushed")
    }

    fn removed(&mut self, oi: usize) {
        let op = &self.old.operations[oi];
        let label = op.label();
        let as_of = self.options.as_of;
        let (rule, message) = match (op.deprecated, op.sunset) {
            (false, _) => (
                rules::REMOVED_WITHOUT_DEPRECATION,
                format!("{label} was removed without first being deprecated."),
            ),
            (true, Some(sunset)) if sunset <= as_of => (
                rules::REMOVED_AFTER_SUNSET,
                format!("{label} was removed after its sunset on {sunset}, as announced."),
            ),
            (true, Some(sunset)) => (
                rules::REMOVED_BEFORE_SUNSET,
                format!(
                    "{label} was removed {} days before its announced sunset on {sunset}.",
                    (sunset - as_of).num_days()
                ),
            ),
            (true, None) => (
                rules::REMOVED_BEFORE_SUNSET,
                format!("{label} was deprecated without a sunset date and then removed."),
            ),
        };
        let hint = match rule.id {
            "deprecation.removed-without-deprecation" => Some(
                "deprecate it first (deprecated: true, x-sunset: a date at least the notice period away), \
                 and remove it after the sunset",
            ),
            "deprecation.removed-before-sunset" => Some("keep it until the sunset date has passed"),
            _ => None,
        };
        let change = self.push(
            new_change(
                rule,
                label,
                Element::Operation,
                at(Side::Old, &op.pointer),
                message,
            ),
            Some(oi),
            None,
        );
        change.before = Some("present".to_owned());
        change.after = Some("removed".to_owned());
        change.hint = hint.map(str::to_owned);
    }

    fn operation(&mut self, oi: usize, ni: usize) {
        let (o, n) = (&self.old.operations[oi], &self.new.operations[ni]);
        self.parameters(oi, ni, o, n);
        self.request_body(oi, ni, o, n);
        self.responses(oi, ni, o, n);
        self.errors(oi, ni, o, n);
        self.security(oi, ni, o, n);
        self.latency(oi, ni, o, n);
        self.deprecation(oi, ni, o, n);
    }

    fn parameters(&mut self, oi: usize, ni: usize, o: &Operation, n: &Operation) {
        let label = n.label();
        // Path parameters are matched by position, so renaming one keeps its identity.
        let path_params = |op: &Operation| -> Vec<String> {
            op.path
                .split('{')
                .skip(1)
                .filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_owned()))
                .collect()
        };
        let (old_path, new_path) = (path_params(o), path_params(n));
        let counterpart = |p: &crate::spec::Parameter| -> Option<&crate::spec::Parameter> {
            if p.location == ParameterIn::Path {
                let index = new_path.iter().position(|x| *x == p.name)?;
                let old_name = old_path.get(index)?;
                o.parameter(ParameterIn::Path, old_name)
            } else {
                o.parameter(p.location, &p.name)
            }
        };
        for p in &n.parameters {
            let element = Element::Parameter {
                location: p.location,
                name: p.name.clone(),
                path: String::new(),
            };
            let what = format!("{} parameter `{}`", p.location.as_str(), p.name);
            match counterpart(p) {
                None if p.required && p.location != ParameterIn::Path => {
                    let change = self.push(
                        new_change(
                            rules::PARAMETER_ADDED_REQUIRED,
                            label.clone(),
                            element,
                            at(Side::New, &p.pointer),
                            format!(
                                "{label} now requires the {what}; requests without it are refused."
                            ),
                        ),
                        Some(oi),
                        Some(ni),
                    );
                    change.after = Some("required".to_owned());
                    change.hint = Some("make it optional with a default, or add it as optional first and require it once every consumer sends it".to_owned());
                }
                None => {}
                Some(old) => {
                    if p.required && !old.required {
                        let change = self.push(
                            new_change(
                                rules::PARAMETER_BECAME_REQUIRED,
                                label.clone(),
                                element.clone(),
                                at(Side::New, &p.pointer),
                                format!("The {what} of {label} became required."),
                            ),
                            Some(oi),
                            Some(ni),
                        );
                        change.before = Some("optional".to_owned());
                        change.after = Some("required".to_owned());
                    }
                    if p.style != old.style || p.explode != old.explode {
                        let change = self.push(
                            new_change(
                                rules::PARAMETER_STYLE_CHANGED,
                                label.clone(),
                                element.clone(),
                                at(Side::New, &p.pointer),
                                format!("The {what} of {label} is serialised differently."),
                            ),
                            Some(oi),
                            Some(ni),
                        );
                        change.before =
                            Some(format!("style {}, explode {}", old.style, old.explode));
                        change.after = Some(format!("style {}, explode {}", p.style, p.explode));
                    }
                    if let (Some(os), Some(ns)) = (old.schema, p.schema) {
                        let changes = self.comparer.compare(&[os], &[ns], Direction::Request);
                        for sc in changes.iter() {
                            let element = Element::Parameter {
                                location: p.location,
                                name: p.name.clone(),
                                path: sc.path.clone(),
                            };
                            self.schema_change(sc, &label, &what, element, oi, ni);
                        }
                    }
                }
            }
        }
    }

    fn request_body(&mut self, oi: usize, ni: usize, o: &Operation, n: &Operation) {
        let label = n.label();
        let Some(nb) = &n.request_body else { return };
        let old_required = o.request_body.as_ref().is_some_and(|b| b.required);
        if nb.required && !old_required {
            let change = self.push(
                new_change(
                    rules::REQUEST_BODY_BECAME_REQUIRED,
                    label.clone(),
                    Element::RequestBody {
                        media: None,
                        path: String::new(),
                    },
                    at(Side::New, &nb.pointer),
                    format!("{label} now requires a request body."),
                ),
                Some(oi),
                Some(ni),
            );
            change.before = Some("optional".to_owned());
            change.after = Some("required".to_owned());
        }
        let Some(ob) = &o.request_body else { return };
        for (media, old_schema) in &ob.content {
            match nb.content.get(media) {
                None => {
                    let change = self.push(
                        new_change(
                            rules::REQUEST_MEDIA_TYPE_REMOVED,
                            label.clone(),
                            Element::RequestBody {
                                media: Some(media.clone()),
                                path: String::new(),
                            },
                            at(Side::Old, &ob.pointer),
                            format!("{label} no longer accepts {media} request bodies."),
                        ),
                        Some(oi),
                        Some(ni),
                    );
                    change.before = Some(media.clone());
                    change.after = Some(nb.content.keys().cloned().collect::<Vec<_>>().join(", "));
                }
                Some(new_schema) => {
                    if let (Some(os), Some(ns)) = (old_schema, new_schema) {
                        let changes = self.comparer.compare(&[*os], &[*ns], Direction::Request);
                        for sc in changes.iter() {
                            let element = Element::RequestBody {
                                media: Some(media.clone()),
                                path: sc.path.clone(),
                            };
                            self.schema_change(sc, &label, "request body", element, oi, ni);
                        }
                    }
                }
            }
        }
    }

    fn responses(&mut self, oi: usize, ni: usize, o: &Operation, n: &Operation) {
        let label = n.label();
        for (status, old_response) in &o.responses {
            let success = status.starts_with('2');
            let new_response = n.responses.get(status).or_else(|| {
                status
                    .parse::<u16>()
                    .ok()
                    .and_then(|code| n.response_for(code))
                    .filter(|(key, _)| *key != "default" || !success)
                    .map(|(_, r)| r)
            });
            let Some(new_response) = new_response else {
                if success {
                    let change = self.push(
                        new_change(
                            rules::RESPONSE_STATUS_REMOVED,
                            label.clone(),
                            Element::Response {
                                status: status.clone(),
                                media: None,
                                path: String::new(),
                            },
                            at(Side::Old, &old_response.pointer),
                            format!("{label} no longer answers {status}."),
                        ),
                        Some(oi),
                        Some(ni),
                    );
                    change.before = Some(status.clone());
                    change.after = Some(n.responses.keys().cloned().collect::<Vec<_>>().join(", "));
                }
                continue;
            };
            for (media, old_schema) in &old_response.content {
                match new_response.content.get(media) {
                    None => {
                        let change = self.push(
                            new_change(
                                rules::RESPONSE_MEDIA_TYPE_REMOVED,
                                label.clone(),
                                Element::Response {
                                    status: status.clone(),
                                    media: Some(media.clone()),
                                    path: String::new(),
                                },
                                at(Side::Old, &old_response.pointer),
                                format!("{label} no longer answers {status} as {media}."),
                            ),
                            Some(oi),
                            Some(ni),
                        );
                        change.before = Some(media.clone());
                        change.after = Some(
                            new_response
                                .content
                                .keys()
                                .cloned()
                                .collect::<Vec<_>>()
                                .join(", "),
                        );
                    }
                    Some(new_schema) => {
                        if let (Some(os), Some(ns)) = (old_schema, new_schema) {
                            let changes =
                                self.comparer.compare(&[*os], &[*ns], Direction::Response);
                            for sc in changes.iter() {
                                let element = Element::Response {
                                    status: status.clone(),
                                    media: Some(media.clone()),
                                    path: sc.path.clone(),
                                };
                                let what = format!("{status} response");
                                self.schema_change(sc, &label, &what, element, oi, ni);
                            }
                        }
                    }
                }
            }
            for (name, header) in &old_response.headers {
                if !header.required {
                    continue;
                }
                let gone = match new_response.headers.get(name) {
                    None => Some("removed"),
                    Some(h) if !h.required => Some("optional"),
                    Some(_) => None,
                };
                if let Some(after) = gone {
                    let change = self.push(
                        new_change(
                            rules::RESPONSE_HEADER_REMOVED,
                            label.clone(),
                            Element::ResponseHeader {
                                status: status.clone(),
                                name: name.clone(),
                            },
                            at(Side::Old, &old_response.pointer),
                            format!("The {status} response of {label} no longer always carries the header {name} ({after})."),
                        ),
                        Some(oi),
                        Some(ni),
                    );
                    change.before = Some("required".to_owned());
                    change.after = Some(after.to_owned());
                }
            }
        }
    }

    /// Maps one schema change to its rule and records it.
    fn schema_change(
        &mut self,
        sc: &SchemaChange,
        label: &str,
        what: &str,
        element: Element,
        oi: usize,
        ni: usize,
    ) {
        let field = if sc.path.is_empty() {
            format!("the {what}")
        } else {
            format!("{} in the {what}", sc.path)
        };
        let as_of = self.options.as_of;
        let (rule, message, side) = match sc.kind {
            ChangeKind::FieldRemoved => match sc.deprecated {
                None => (
                    rules::RESPONSE_FIELD_REMOVED,
                    format!("The field {field} of {label} was removed."),
                    Side::Old,
                ),
                Some(Some(sunset)) if sunset <= as_of => (
                    rules::REMOVED_AFTER_SUNSET,
                    format!(
                        "The deprecated field {field} of {label} was removed after its sunset on {sunset}."
                    ),
                    Side::Old,
                ),
                Some(Some(sunset)) => (
                    rules::REMOVED_BEFORE_SUNSET,
                    format!(
                        "The deprecated field {field} of {label} was removed before its sunset on {sunset}."
                    ),
                    Side::Old,
                ),
                Some(None) => (
                    rules::REMOVED_BEFORE_SUNSET,
                    format!(
                        "The deprecated field {field} of {label} was removed; it had no sunset date."
                    ),
                    Side::Old,
                ),
            },
            ChangeKind::BecameOptional => (
                rules::RESPONSE_FIELD_BECAME_OPTIONAL,
                format!(
                    "The field {field} of {label} is no longer required: responses may omit it."
                ),
                Side::New,
            ),
            ChangeKind::BecameNullable => (
                rules::RESPONSE_BECAME_NULLABLE,
                format!("{} of {label} may now be null.", capitalise(&field)),
                Side::New,
            ),
            ChangeKind::TypeChanged => match element {
                Element::Response { .. } => (
                    rules::RESPONSE_TYPE_CHANGED,
                    format!(
                        "{} of {label} may now have another type.",
                        capitalise(&field)
                    ),
                    Side::New,
                ),
                _ => (
                    rules::REQUEST_TYPE_CHANGED,
                    format!(
                        "{} of {label} no longer accepts every type it did.",
                        capitalise(&field)
                    ),
                    Side::New,
                ),
            },
            ChangeKind::EnumWidened => (
                rules::RESPONSE_ENUM_WIDENED,
                format!(
                    "{} of {label} may now hold values it could not.",
                    capitalise(&field)
                ),
                Side::New,
            ),
            ChangeKind::EnumValueRemoved => (
                rules::REQUEST_ENUM_VALUE_REMOVED,
                format!(
                    "{} of {label} no longer accepts some values it did.",
                    capitalise(&field)
                ),
                Side::New,
            ),
            ChangeKind::FieldAddedRequired => (
                rules::REQUEST_FIELD_ADDED_REQUIRED,
                format!("{label} now requires the field {field}."),
                Side::New,
            ),
            ChangeKind::FieldBecameRequired => (
                rules::REQUEST_FIELD_BECAME_REQUIRED,
                format!("The field {field} of {label} became required."),
                Side::New,
            ),
            ChangeKind::ConstraintTightened => (
                rules::REQUEST_CONSTRAINT_TIGHTENED,
                format!(
                    "{} of {label} is constrained more tightly.",
                    capitalise(&field)
                ),
                Side::New,
            ),
            ChangeKind::BranchAdded => (
                rules::RESPONSE_BRANCH_ADDED,
                format!("{} of {label} has a new alternative.", capitalise(&field)),
                Side::New,
            ),
            ChangeKind::BranchRemoved => (
                rules::REQUEST_BRANCH_REMOVED,
                format!(
                    "{} of {label} lost an alternative it accepted.",
                    capitalise(&field)
                ),
                Side::Old,
            ),
        };
        let (pointer, doc) = match side {
            Side::Old => (&sc.old_pointer, sc.old_doc),
            Side::New => (&sc.new_pointer, sc.new_doc),
        };
        let location = SpecLocation {
            side,
            doc,
            pointer: pointer.clone(),
        };
        let change = self.push(
            new_change(rule, label.to_owned(), element, location, message),
            Some(oi),
            Some(ni),
        );
        change.before = sc.before.clone();
        change.after = sc.after.clone();
    }

    fn errors(&mut self, oi: usize, ni: usize, o: &Operation, n: &Operation) {
        let label = n.label();
        let old_codes: BTreeSet<&String> = o.errors.iter().collect();
        let new_codes: BTreeSet<&String> = n.errors.iter().collect();
        let element = |code: &str| Element::ErrorCode {
            code: code.to_owned(),
        };
        for code in new_codes.difference(&old_codes) {
            let entry = &self.new.errors[*code];
            let change = self.push(
                new_change(
                    rules::ERROR_CODE_ADDED,
                    label.clone(),
                    element(code),
                    at(Side::New, &format!("{}/x-vow-errors", n.pointer)),
                    format!(
                        "{label} may now answer with the error {code} ({}, {}).",
                        entry.status, entry.kind
                    ),
                ),
                Some(oi),
                Some(ni),
            );
            change.after = Some(code.to_string());
            change.hint =
                Some("consumers with an errors block should state how they handle it".to_owned());
        }
        for code in old_codes.difference(&new_codes) {
            let change = self.push(
                new_change(
                    rules::ERROR_CODE_REMOVED,
                    label.clone(),
                    element(code),
                    at(Side::Old, &format!("{}/x-vow-errors", o.pointer)),
                    format!("{label} no longer declares the error {code}; consumers that branch on it lose that branch."),
                ),
                Some(oi),
                Some(ni),
            );
            change.before = Some(code.to_string());
        }
        for code in old_codes.intersection(&new_codes) {
            let (Some(oe), Some(ne)) = (self.old.errors.get(*code), self.new.errors.get(*code))
            else {
                continue;
            };
            let pointer = ne.pointer.clone();
            use crate::spec::ErrorKind::Retryable;
            if (oe.kind == Retryable) != (ne.kind == Retryable) {
                let change = self.push(
                    new_change(
                        rules::RETRYABILITY_FLIPPED,
                        label.clone(),
                        element(code),
                        at(Side::New, &pointer),
                        format!(
                            "The error {code} of {label} is now {} (was {}).",
                            ne.kind, oe.kind
                        ),
                    ),
                    Some(oi),
                    Some(ni),
                );
                change.before = Some(oe.kind.to_string());
                change.after = Some(ne.kind.to_string());
            }
            if oe.status != ne.status {
                let change = self.push(
                    new_change(
                        rules::ERROR_STATUS_CHANGED,
                        label.clone(),
                        element(code),
                        at(Side::New, &format!("{pointer}/status")),
                        format!(
                            "The error {code} of {label} is now answered with {} (was {}).",
                            ne.status, oe.status
                        ),
                    ),
                    Some(oi),
                    Some(ni),
                );
                change.before = Some(oe.status.to_string());
                change.after = Some(ne.status.to_string());
            }
            if oe.retry_after && !ne.retry_after && ne.kind == Retryable {
                let change = self.push(
                    new_change(
                        rules::RETRY_AFTER_DROPPED,
                        label.clone(),
                        element(code),
                        at(Side::New, &pointer),
                        format!("The retryable error {code} of {label} no longer comes with Retry-After."),
                    ),
                    Some(oi),
                    Some(ni),
                );
                change.before = Some("Retry-After sent".to_owned());
                change.after = Some("no Retry-After".to_owned());
            }
        }
    }

    fn security(&mut self, oi: usize, ni: usize, o: &Operation, n: &Operation) {
        let label = n.label();
        let open =
            |op: &Operation| op.security.is_empty() || op.security.iter().any(|r| r.is_empty());
        let pointer = format!("{}/security", n.pointer);
        if open(o) {
            if !open(n) {
                let change = self.push(
                    new_change(
                        rules::SECURITY_ADDED,
                        label.clone(),
                        Element::Security,
                        at(Side::New, &pointer),
                        format!("{label} was open and now requires credentials."),
                    ),
                    Some(oi),
                    Some(ni),
                );
                change.before = Some("open".to_owned());
                change.after = Some(
                    n.security
                        .iter()
                        .map(scopes_text)
                        .collect::<Vec<_>>()
                        .join(" or "),
                );
            }
            return;
        }
        for alt in &o.security {
            if n.security.iter().any(|new_alt| satisfies(alt, new_alt)) {
                continue;
            }
            let same_schemes = n
                .security
                .iter()
                .find(|new_alt| new_alt.keys().eq(alt.keys()));
            let (rule, after, message) = match same_schemes {
                Some(new_alt) => {
                    let added: Vec<String> = new_alt
                        .iter()
                        .flat_map(|(scheme, scopes)| {
                            scopes
                                .iter()
                                .filter(|s| !alt.get(scheme).is_some_and(|have| have.contains(*s)))
                                .cloned()
                                .collect::<Vec<_>>()
                        })
                        .collect();
                    (
                        rules::SCOPE_ADDED,
                        scopes_text(new_alt),
                        format!(
                            "{label} now also requires the scope(s) {} where {} sufficed.",
                            added.join(", "),
                            scopes_text(alt)
                        ),
                    )
                }
                None => (
                    rules::ALTERNATIVE_REMOVED,
                    n.security
                        .iter()
                        .map(scopes_text)
                        .collect::<Vec<_>>()
                        .join(" or "),
                    format!("{label} no longer accepts {}.", scopes_text(alt)),
                ),
            };
            let change = self.push(
                new_change(
                    rule,
                    label.clone(),
                    Element::Security,
                    at(Side::New, &pointer),
                    message,
                ),
                Some(oi),
                Some(ni),
            );
            change.before = Some(scopes_text(alt));
            change.after = Some(after);
        }
    }

    fn latency(&mut self, oi: usize, ni: usize, o: &Operation, n: &Operation) {
        let (Some(oe), Some(ne)) = (o.latency, n.latency) else {
            return;
        };
        let label = n.label();
        let slower: Vec<(&str, std::time::Duration, std::time::Duration)> = [
            ("p50", oe.p50, ne.p50),
            ("p95", oe.p95, ne.p95),
            ("p99", oe.p99, ne.p99),
        ]
        .into_iter()
        .filter_map(|(name, b, a)| match (b, a) {
            (Some(b), Some(a)) if a > b => Some((name, b, a)),
            _ => None,
        })
        .collect();
        let Some((first, _, _)) = slower.first() else {
            return;
        };
        let text =
            |pick: fn(&(&str, std::time::Duration, std::time::Duration)) -> std::time::Duration| {
                slower
                    .iter()
                    .map(|entry| format!("{} {}", entry.0, ms(pick(entry))))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
        let (before, after) = (text(|e| e.1), text(|e| e.2));
        let change = self.push(
            new_change(
                rules::ENVELOPE_LOOSENED,
                label.clone(),
                Element::Latency,
                at(Side::New, &format!("{}/x-vow-latency/{first}", n.pointer)),
                format!("The latency envelope of {label} got slower: {before} became {after}."),
            ),
            Some(oi),
            Some(ni),
        );
        change.before = Some(before);
        change.after = Some(after);
        change.hint = Some(
            "a consumer whose timeout is below the new envelope times out more often; \
             tell its team, or keep the operation within the old envelope"
                .to_owned(),
        );
    }

    fn deprecation(&mut self, oi: usize, ni: usize, o: &Operation, n: &Operation) {
        let label = n.label();
        let as_of = self.options.as_of;
        let notice = i64::from(self.options.deprecation_days);
        if n.deprecated && !o.deprecated {
            let when = match n.sunset {
                Some(s) => format!(
                    " with sunset {s} ({} days after {as_of})",
                    (s - as_of).num_days()
                ),
                None => " without a sunset date".to_owned(),
            };
            self.push(
                new_change(
                    rules::NEWLY_DEPRECATED,
                    label.clone(),
                    Element::Operation,
                    at(Side::New, &n.pointer),
                    format!("{label} is now deprecated{when}."),
                ),
                Some(oi),
                Some(ni),
            );
        }
        match (o.sunset, n.sunset) {
            (Some(before), Some(after)) if after < before => {
                let change = self.push(
                    new_change(
                        rules::SUNSET_MOVED_EARLIER,
                        label.clone(),
                        Element::Operation,
                        at(Side::New, &format!("{}/x-sunset", n.pointer)),
                        format!(
                            "The sunset of {label} moved from {before} to {after} ({} days after {as_of}).",
                            (after - as_of).num_days()
                        ),
                    ),
                    Some(oi),
                    Some(ni),
                );
                change.before = Some(before.to_string());
                change.after = Some(after.to_string());
                change.hint = Some(
                    "keep the announced date; consumers plan their migration against it".to_owned(),
                );
            }
            (None, Some(after)) if (after - as_of).num_days() < notice => {
                let change = self.push(
                    new_change(
                        rules::SUNSET_TOO_CLOSE,
                        label.clone(),
                        Element::Operation,
                        at(Side::New, &format!("{}/x-sunset", n.pointer)),
                        format!(
                            "The new sunset of {label} on {after} is {} days after {as_of}; the required notice is {notice} days.",
                            (after - as_of).num_days()
                        ),
                    ),
                    Some(oi),
                    Some(ni),
                );
                change.after = Some(after.to_string());
                change.hint = Some(format!("set the sunset at least {notice} days ahead"));
            }
            (Some(before), None) if n.deprecated => {
                let change = self.push(
                    new_change(
                        rules::SUNSET_REMOVED,
                        label.clone(),
                        Element::Operation,
                        at(Side::New, &n.pointer),
                        format!(
                            "{label} is still deprecated but its sunset date ({before}) is gone."
                        ),
                    ),
                    Some(oi),
                    Some(ni),
                );
                change.before = Some(before.to_string());
            }
            _ => {}
        }
        if let (Some(before), Some(after)) = (o.stability, n.stability)
            && after < before
        {
            let change = self.push(
                new_change(
                    rules::STABILITY_DECREASED,
                    label.clone(),
                    Element::Operation,
                    at(Side::New, &format!("{}/x-stability-level", n.pointer)),
                    format!(
                        "The stability of {label} went down from {} to {}.",
                        before.as_str(),
                        after.as_str()
                    ),
                ),
                Some(oi),
                Some(ni),
            );
            change.before = Some(before.as_str().to_owned());
            change.after = Some(after.as_str().to_owned());
        }
    }
}

fn ms(d: std::time::Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms.fract() == 0.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{ms:.1} ms")
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().collect::<String>() + chars.as_str(),
        None => String::new(),
    }
}
