//! The guard that keeps webhook deliveries away from the broker's own network: a target whose
//! address is loopback, link-local, private, unique-local, shared (CGNAT), unspecified, multicast,
//! reserved or for documentation is refused unless private targets are allowed, and with a host
//! allowlist only the listed hosts are reached. Names are checked by the resolver the delivery
//! client connects through, so the address checked is the address connected to.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use reqwest::Url;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// What kind of address an IP address is, for the guard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressClass {
    /// Reachable on the internet.
    Public,
    /// 127.0.0.0/8, ::1.
    Loopback,
    /// 169.254.0.0/16 (cloud metadata lives here), fe80::/10.
    LinkLocal,
    /// RFC 1918: 10/8, 172.16/12, 192.168/16; and the deprecated site-local fec0::/10.
    Private,
    /// fc00::/7.
    UniqueLocal,
    /// 100.64.0.0/10, carrier-grade NAT.
    SharedCgnat,
    /// 0.0.0.0/8, ::.
    Unspecified,
    /// 224.0.0.0/4, 255.255.255.255, ff00::/8.
    Multicast,
    /// 192.0.2/24, 198.51.100/24, 203.0.113/24, 2001:db8::/32, 3fff::/20.
    Documentation,
    /// Other special-purpose ranges: 192.0.0/24, 198.18/15, 240/4, 100::/64, Teredo, and the
    /// deprecated IPv4-compatible ::/96.
    Reserved,
}

impl AddressClass {
    pub fn as_str(self) -> &'static str {
        match self {
            AddressClass::Public => "public",
            AddressClass::Loopback => "loopback",
            AddressClass::LinkLocal => "link-local",
            AddressClass::Private => "private",
            AddressClass::UniqueLocal => "unique-local",
            AddressClass::SharedCgnat => "shared (CGNAT)",
            AddressClass::Unspecified => "unspecified",
            AddressClass::Multicast => "multicast",
            AddressClass::Documentation => "documentation",
            AddressClass::Reserved => "reserved",
        }
    }
}

/// The class of `ip`. IPv4 addresses inside IPv6 (mapped, NAT64, 6to4) are classified as the
/// IPv4 address they carry.
pub fn classify(ip: IpAddr) -> AddressClass {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

fn classify_v4(ip: Ipv4Addr) -> AddressClass {
    let [a, b, c, _] = ip.octets();
    match (a, b, c) {
        (0, _, _) => AddressClass::Unspecified,
        (10, _, _) | (172, 16..=31, _) | (192, 168, _) => AddressClass::Private,
        (100, 64..=127, _) => AddressClass::SharedCgnat,
        (127, _, _) => AddressClass::Loopback,
        (169, 254, _) => AddressClass::LinkLocal,
        (192, 0, 2) | (198, 51, 100) | (203, 0, 113) => AddressClass::Documentation,
        (192, 0, 0) | (198, 18..=19, _) => AddressClass::Reserved,
        (224..=239, _, _) => AddressClass::Multicast,
        _ if ip == Ipv4Addr::BROADCAST => AddressClass::Multicast,
        (240..=255, _, _) => AddressClass::Reserved,
        _ => AddressClass::Public,
    }
}

fn classify_v6(ip: Ipv6Addr) -> AddressClass {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return classify_v4(v4);
    }
    let s = ip.segments();
    let embedded = |hi: u16, lo: u16| Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo));
    match s {
        [0, 0, 0, 0, 0, 0, 0, 0] => AddressClass::Unspecified,
        [0, 0, 0, 0, 0, 0, 0, 1] => AddressClass::Loopback,
        // IPv4-compatible (deprecated).
        [0, 0, 0, 0, 0, 0, _, _] => AddressClass::Reserved,
        // NAT64: the IPv4 address it translates to.
        [0x64, 0xff9b, 0, 0, 0, 0, hi, lo] => classify_v4(embedded(hi, lo)),
        // 6to4: the IPv4 address of the relay it names.
        [0x2002, hi, lo, ..] => classify_v4(embedded(hi, lo)),
        [0x100, 0, 0, 0, ..] => AddressClass::Reserved,
        [0x2001, 0, ..] => AddressClass::Reserved,
        [0x2001, 0xdb8, ..] => AddressClass::Documentation,
        [first, ..] if first & 0xfff0 == 0x3ff0 => AddressClass::Documentation,
        [first, ..] if first & 0xfe00 == 0xfc00 => AddressClass::UniqueLocal,
        [first, ..] if first & 0xffc0 == 0xfe80 => AddressClass::LinkLocal,
        [first, ..] if first & 0xffc0 == 0xfec0 => AddressClass::Private,
        [first, ..] if first & 0xff00 == 0xff00 => AddressClass::Multicast,
        _ => AddressClass::Public,
    }
}

/// Why a target was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The URL is not http(s), has no host, or carries credentials.
    #[error("{0}")]
    Url(String),
    /// The host is not on the allowlist.
    #[error("the host {host:?} is not on the webhook host allowlist (--webhook-allow-host)")]
    HostNotAllowed { host: String },
    /// The address is not a public one.
    #[error(
        "{} a {} address; webhooks reach only public addresses unless --webhook-allow-private is set",
        subject(host, address),
        class.as_str()
    )]
    Address {
        host: String,
        address: IpAddr,
        class: AddressClass,
    },
    /// The name resolved to no address at all.
    #[error("{host} did not resolve to any address")]
    NoAddress { host: String },
}

/// "10.0.0.1 is" for a literal address, "name is 10.0.0.1," for a name.
fn subject(host: &str, address: &IpAddr) -> String {
    if host.parse::<IpAddr>().ok().as_ref() == Some(address) {
        format!("{host} is")
    } else {
        format!("{host} is {address},")
    }
}

/// The rules a webhook target must meet.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct AddressGuard {
    /// Let deliveries reach non-public addresses (a receiver on the same network, tests).
    pub allow_private: bool,
    /// When not empty, the only hosts deliveries may reach (lowercase names or IP literals).
    pub allowed_hosts: Vec<String>,
}

impl fmt::Debug for AddressGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AddressGuard")
            .field("allow_private", &self.allow_private)
            .field("allowed_hosts", &self.allowed_hosts)
            .finish()
    }
}

impl AddressGuard {
    /// Checks what can be checked without resolving: the scheme, no credentials, the allowlist,
    /// and a literal IP address. A name's addresses are checked when it is resolved.
    pub fn check_url(&self, url: &Url) -> Result<(), Refusal> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(Refusal::Url(format!(
                "the URL must be http or https, not {:?}",
                url.scheme()
            )));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(Refusal::Url(
                "the URL must not carry credentials; send them in a header marked secret"
                    .to_owned(),
            ));
        }
        let Some(host) = url.host_str() else {
            return Err(Refusal::Url("the URL has no host".to_owned()));
        };
        let name = host.trim_matches(['[', ']']).to_ascii_lowercase();
        if !self.allowed_hosts.is_empty()
            && !self
                .allowed_hosts
                .iter()
                .any(|h| h.trim_matches(['[', ']']).eq_ignore_ascii_case(&name))
        {
            return Err(Refusal::HostNotAllowed { host: name });
        }
        let literal = name.parse::<IpAddr>().ok();
        match literal {
            Some(ip) => self.check_ip(&name, ip),
            None => Ok(()),
        }
    }

    /// Checks one address `host` stands for.
    pub fn check_ip(&self, host: &str, ip: IpAddr) -> Result<(), Refusal> {
        let class = classify(ip);
        if class == AddressClass::Public || self.allow_private {
            Ok(())
        } else {
            Err(Refusal::Address {
                host: host.to_owned(),
                address: ip,
                class,
            })
        }
    }
}

/// The delivery client's resolver: the system's, keeping only the addresses the guard allows, so
/// the client connects to an address that was checked (no second lookup to rebind).
#[derive(Debug, Clone)]
pub(crate) struct GuardedResolver {
    pub guard: Arc<AddressGuard>,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let guard = self.guard.clone();
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let mut refusal = None;
            let allowed: Vec<SocketAddr> = found
                .into_iter()
                .filter(|a| match guard.check_ip(&host, a.ip()) {
                    Ok(()) => true,
                    Err(e) => {
                        refusal.get_or_insert(e);
                        false
                    }
                })
                .collect();
            if allowed.is_empty() {
                let refusal = refusal.unwrap_or(Refusal::NoAddress { host });
                return Err(Box::new(refusal) as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(allowed.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_classification_table() {
        let table: &[(&str, AddressClass)] = &[
            ("8.8.8.8", AddressClass::Public),
            ("1.1.1.1", AddressClass::Public),
            ("0.0.0.0", AddressClass::Unspecified),
            ("0.1.2.3", AddressClass::Unspecified),
            ("10.0.0.1", AddressClass::Private),
            ("172.16.0.1", AddressClass::Private),
            ("172.31.255.255", AddressClass::Private),
            ("172.32.0.1", AddressClass::Public),
            ("192.168.1.1", AddressClass::Private),
            ("100.64.0.1", AddressClass::SharedCgnat),
            ("100.127.255.255", AddressClass::SharedCgnat),
            ("100.128.0.1", AddressClass::Public),
            ("127.0.0.1", AddressClass::Loopback),
            ("127.255.0.9", AddressClass::Loopback),
            ("169.254.169.254", AddressClass::LinkLocal),
            ("192.0.2.1", AddressClass::Documentation),
            ("198.51.100.7", AddressClass::Documentation),
            ("203.0.113.9", AddressClass::Documentation),
            ("192.0.0.8", AddressClass::Reserved),
            ("198.18.0.1", AddressClass::Reserved),
            ("224.0.0.1", AddressClass::Multicast),
            ("239.255.255.250", AddressClass::Multicast),
            ("255.255.255.255", AddressClass::Multicast),
            ("240.0.0.1", AddressClass::Reserved),
            ("::", AddressClass::Unspecified),
            ("::1", AddressClass::Loopback),
            ("::ffff:127.0.0.1", AddressClass::Loopback),
            ("::ffff:169.254.169.254", AddressClass::LinkLocal),
            ("::ffff:10.1.2.3", AddressClass::Private),
            ("::ffff:8.8.8.8", AddressClass::Public),
            ("::127.0.0.1", AddressClass::Reserved),
            ("64:ff9b::a9fe:a9fe", AddressClass::LinkLocal),
            ("64:ff9b::808:808", AddressClass::Public),
            ("2002:7f00:1::", AddressClass::Loopback),
            ("2002:0808:0808::1", AddressClass::Public),
            ("fc00::1", AddressClass::UniqueLocal),
            ("fd12:3456::1", AddressClass::UniqueLocal),
            ("fe80::1", AddressClass::LinkLocal),
            ("febf::1", AddressClass::LinkLocal),
            ("fec0::1", AddressClass::Private),
            ("ff02::1", AddressClass::Multicast),
            ("2001:db8::1", AddressClass::Documentation),
            ("3fff::1", AddressClass::Documentation),
            ("2001::1", AddressClass::Reserved),
            ("100::1", AddressClass::Reserved),
            ("2606:4700:4700::1111", AddressClass::Public),
            ("2a00:1450::1", AddressClass::Public),
        ];
        let wrong: Vec<String> = table
            .iter()
            .filter_map(|(text, expected)| {
                let got = classify(text.parse().expect("an IP address"));
                (got != *expected).then(|| format!("{text}: {got:?}, expected {expected:?}"))
            })
            .collect();
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    fn url(text: &str) -> Url {
        Url::parse(text).expect("URL")
    }

    #[test]
    fn literal_targets_are_checked_before_any_lookup() {
        let guard = AddressGuard::default();
        assert!(guard.check_url(&url("https://hooks.example.com/x")).is_ok());
        assert!(guard.check_url(&url("https://8.8.8.8/x")).is_ok());
        for private in [
            "http://127.0.0.1:9/",
            "http://169.254.169.254/latest/meta-data",
            "http://[::1]/",
            "http://[::ffff:10.0.0.1]/",
            "http://0.0.0.0/",
        ] {
            assert!(
                matches!(guard.check_url(&url(private)), Err(Refusal::Address { .. })),
                "{private}"
            );
        }
        let open = AddressGuard {
            allow_private: true,
            ..AddressGuard::default()
        };
        assert!(open.check_url(&url("http://127.0.0.1:9/")).is_ok());
        assert!(matches!(
            guard.check_url(&url("ftp://example.com/")),
            Err(Refusal::Url(_))
        ));
        assert!(matches!(
            guard.check_url(&url("https://user:pw@example.com/")),
            Err(Refusal::Url(_))
        ));
    }

    #[test]
    fn with_an_allowlist_only_listed_hosts_pass() {
        let guard = AddressGuard {
            allow_private: false,
            allowed_hosts: vec!["hooks.slack.com".to_owned(), "api.github.com".to_owned()],
        };
        assert!(
            guard
                .check_url(&url("https://API.github.com/repos"))
                .is_ok()
        );
        assert!(matches!(
            guard.check_url(&url("https://evil.example.com/")),
            Err(Refusal::HostNotAllowed { .. })
        ));
    }
}
