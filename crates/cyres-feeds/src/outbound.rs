//! The outbound-request policy: where the server may send HTTP requests on a user's behalf
//! (issue #13, point 3: no server-side request forgery).
//!
//! Webhook targets and notice subscribers are URLs that ordinary accounts type in, and the
//! server then POSTs to them. Without a policy that turns the server into a proxy into its own
//! network: the cloud metadata service (`169.254.169.254`), an admin port on `127.0.0.1`, a
//! database on `10.0.0.5`. The policy refuses every address that is not globally reachable
//! unicast, in both families and in every spelling a URL parser or resolver accepts, and it is
//! applied twice:
//!
//! 1. **when a target is registered**: [`Outbound::check_target`] parses the URL the way the
//!    WHATWG URL parser does (so `http://2130706433/`, `http://0x7f.1/` and `http://127.1/` are
//!    all `127.0.0.1`), refuses a forbidden literal address, refuses `localhost`, and resolves a
//!    host name to refuse names that point inside;
//! 2. **when a request connects**: the HTTP clients built here resolve names through
//!    [`PolicyResolver`], which checks every address a name resolves to and refuses the whole
//!    connection if one is forbidden. A name that was public at registration and points at
//!    `127.0.0.1` later (DNS rebinding) is refused then. Literal addresses never reach a
//!    resolver, so the clients check them before sending ([`WebhookClient`](crate::webhook::WebhookClient)) or on each
//!    redirect hop ([`http_client`]).
//!
//! Deliberate internal targets (a SIEM on the operator's network) are the operator's call: the
//! allowlist ([`OutboundPolicy::new`]) takes CIDRs (`10.1.2.0/24`) and exact host names
//! (`hooks.internal`), and nothing else widens the policy.
//!
//! Address classes follow the IANA special-purpose address registries (RFC 6890 and its
//! updates): for IPv4 `0/8`, `10/8`, `100.64/10` (RFC 6598), `127/8`, `169.254/16`, `172.16/12`,
//! `192.0.0/24`, `192.0.2/24`, `192.88.99/24`, `192.168/16`, `198.18/15`, `198.51.100/24`,
//! `203.0.113/24`, `224/4`, `240/4`; for IPv6 everything outside `2000::/3` plus the
//! documentation (`2001:db8::/32`, `3fff::/20`, RFC 9637), benchmarking (`2001:2::/48`) and
//! ORCHID ranges, and the forms that embed an IPv4 address (mapped `::ffff:0:0/96`, compatible
//! `::/96`, NAT64 `64:ff9b::/96` (RFC 6052), 6to4 `2002::/16` (RFC 3056), Teredo `2001::/32`
//! (RFC 4380)), which are judged by the address they embed.

use std::fmt;
use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use reqwest::Url;

/// Why an address is not a public unicast address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AddressClass {
    /// `0.0.0.0`, `::`.
    Unspecified,
    /// `127/8`, `::1`.
    Loopback,
    /// `169.254/16`, `fe80::/10` (the cloud metadata service lives here).
    LinkLocal,
    /// `10/8`, `172.16/12`, `192.168/16`, deprecated site-local `fec0::/10`, local-use NAT64.
    Private,
    /// `fc00::/7` (RFC 4193).
    UniqueLocal,
    /// `100.64/10`, carrier-grade NAT (RFC 6598).
    SharedAddressSpace,
    /// `224/4`, `ff00::/8`.
    Multicast,
    /// `255.255.255.255`.
    Broadcast,
    /// `192.0.2/24`, `198.51.100/24`, `203.0.113/24`, `2001:db8::/32`, `3fff::/20`.
    Documentation,
    /// `198.18/15`, `2001:2::/48`.
    Benchmarking,
    /// Any other special-purpose or unallocated range (`0/8`, `240/4`, `192.0.0/24`, IPv6
    /// outside `2000::/3`, ORCHID, …).
    Reserved,
}

impl fmt::Display for AddressClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Unspecified => "an unspecified address",
            Self::Loopback => "a loopback address",
            Self::LinkLocal => "a link-local address",
            Self::Private => "a private address",
            Self::UniqueLocal => "a unique-local address",
            Self::SharedAddressSpace => "a carrier-grade NAT (shared) address",
            Self::Multicast => "a multicast address",
            Self::Broadcast => "the broadcast address",
            Self::Documentation => "a documentation address",
            Self::Benchmarking => "a benchmarking address",
            Self::Reserved => "a reserved address",
        })
    }
}

/// The class of a non-public address; `None` for a globally reachable unicast address.
pub fn classify(ip: IpAddr) -> Option<AddressClass> {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

fn in_v4(ip: Ipv4Addr, net: [u8; 4], prefix: u32) -> bool {
    prefix_match(
        u32::from(ip).into(),
        u32::from(Ipv4Addr::from(net)).into(),
        prefix,
        32,
    )
}

fn prefix_match(a: u128, b: u128, prefix: u32, bits: u32) -> bool {
    if prefix == 0 {
        return true;
    }
    let shift = bits - prefix;
    (a >> shift) == (b >> shift)
}

fn classify_v4(ip: Ipv4Addr) -> Option<AddressClass> {
    use AddressClass::*;
    let table: &[([u8; 4], u32, AddressClass)] = &[
        ([0, 0, 0, 0], 32, Unspecified),
        ([255, 255, 255, 255], 32, Broadcast),
        ([0, 0, 0, 0], 8, Reserved),
        ([10, 0, 0, 0], 8, Private),
        ([100, 64, 0, 0], 10, SharedAddressSpace),
        ([127, 0, 0, 0], 8, Loopback),
        ([169, 254, 0, 0], 16, LinkLocal),
        ([172, 16, 0, 0], 12, Private),
        ([192, 0, 0, 0], 24, Reserved),
        ([192, 0, 2, 0], 24, Documentation),
        ([192, 88, 99, 0], 24, Reserved),
        ([192, 168, 0, 0], 16, Private),
        ([198, 18, 0, 0], 15, Benchmarking),
        ([198, 51, 100, 0], 24, Documentation),
        ([203, 0, 113, 0], 24, Documentation),
        ([224, 0, 0, 0], 4, Multicast),
        ([240, 0, 0, 0], 4, Reserved),
    ];
    table
        .iter()
        .find(|(net, prefix, _)| in_v4(ip, *net, *prefix))
        .map(|(_, _, class)| *class)
}

fn in_v6(ip: Ipv6Addr, net: &str, prefix: u32) -> bool {
    let net: Ipv6Addr = net.parse().unwrap_or(Ipv6Addr::UNSPECIFIED);
    prefix_match(u128::from(ip), u128::from(net), prefix, 128)
}

/// The IPv4 address an IPv6 address stands for, when it is one of the translation or
/// tunnelling forms a connection would end up at that IPv4 address through.
pub fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let bits = u128::from(ip);
    let low32 = Ipv4Addr::from(bits as u32);
    if in_v6(ip, "::ffff:0:0", 96) || in_v6(ip, "::ffff:0:0:0", 96) || in_v6(ip, "64:ff9b::", 96) {
        // Mapped (RFC 4291 §2.5.5.2), SIIT-translated (RFC 2765), well-known NAT64 (RFC 6052).
        return Some(low32);
    }
    if in_v6(ip, "::", 96) && bits > 1 {
        // IPv4-compatible (RFC 4291 §2.5.5.1, deprecated but still routed by some stacks).
        return Some(low32);
    }
    if in_v6(ip, "2002::", 16) {
        // 6to4 (RFC 3056 §2): 2002:WWXX:YYZZ::/48.
        return Some(Ipv4Addr::from((bits >> 80) as u32));
    }
    if in_v6(ip, "2001::", 32) {
        // Teredo (RFC 4380 §4): the client's address, obfuscated, in the last 32 bits.
        return Some(Ipv4Addr::from(!(bits as u32)));
    }
    None
}

fn classify_v6(ip: Ipv6Addr) -> Option<AddressClass> {
    use AddressClass::*;
    if ip.is_unspecified() {
        return Some(Unspecified);
    }
    if ip.is_loopback() {
        return Some(Loopback);
    }
    if let Some(v4) = embedded_v4(ip) {
        return classify_v4(v4);
    }
    let table: &[(&str, u32, AddressClass)] = &[
        ("64:ff9b:1::", 48, Private),
        ("fc00::", 7, UniqueLocal),
        ("fe80::", 10, LinkLocal),
        ("fec0::", 10, Private),
        ("ff00::", 8, Multicast),
        ("2001:db8::", 32, Documentation),
        ("3fff::", 20, Documentation),
        ("2001:2::", 48, Benchmarking),
        ("2001:10::", 28, Reserved),
        ("2001:20::", 28, Reserved),
    ];
    if let Some((_, _, class)) = table.iter().find(|(net, p, _)| in_v6(ip, net, *p)) {
        return Some(*class);
    }
    // Only 2000::/3 is allocated for global unicast; everything else is special or unused.
    (!in_v6(ip, "2000::", 3)).then_some(Reserved)
}

/// Parses a host the way the WHATWG URL standard's IPv4 parser (§3.5) and `inet_aton` do:
/// one to four dot-separated numbers, each decimal, octal (leading `0`) or hexadecimal (`0x`),
/// the last one filling the remaining bytes, a trailing dot allowed. `127.1`, `2130706433`,
/// `0x7f.1` and `0177.0.0.1` are all `127.0.0.1`. Also takes `[v6]` and bare IPv6 text.
pub fn parse_ip_host(host: &str) -> Option<IpAddr> {
    let host = host.trim_end_matches('.');
    if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return inner.parse::<Ipv6Addr>().ok().map(IpAddr::V6);
    }
    if let Ok(v6) = host.parse::<Ipv6Addr>() {
        return Some(IpAddr::V6(v6));
    }
    let parts: Vec<&str> = host.split('.').collect();
    if parts.is_empty() || parts.len() > 4 {
        return None;
    }
    let numbers: Vec<u64> = parts
        .iter()
        .map(|p| parse_ipv4_number(p))
        .collect::<Option<_>>()?;
    let (last, init) = numbers.split_last()?;
    if init.iter().any(|n| *n > 255) || *last >= 1u64 << (8 * (5 - numbers.len())) {
        return None;
    }
    let mut value = *last;
    for (i, n) in init.iter().enumerate() {
        value += n << (8 * (3 - i));
    }
    Some(IpAddr::V4(Ipv4Addr::from(value as u32)))
}

fn parse_ipv4_number(part: &str) -> Option<u64> {
    if part.is_empty() {
        return None;
    }
    let (digits, radix) =
        if let Some(hex) = part.strip_prefix("0x").or_else(|| part.strip_prefix("0X")) {
            (hex, 16)
        } else if part.len() > 1 && part.starts_with('0') {
            (&part[1..], 8)
        } else {
            (part, 10)
        };
    if digits.is_empty() {
        return Some(0);
    }
    // Any number of leading zeros is allowed; a value past 32 bits only has to stay too big.
    let mut value = 0u64;
    for c in digits.chars() {
        let digit = c.to_digit(radix)?;
        value = value
            .saturating_mul(u64::from(radix))
            .saturating_add(u64::from(digit));
    }
    Some(value)
}

/// Why an outbound request is refused. The text names the problem for the person who typed the
/// URL; it never carries the URL's path, query or credentials.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OutboundRefusal {
    /// The URL cannot be a target at all.
    #[error("{0}")]
    Url(String),
    /// The host is (or spells) an address of a forbidden class.
    #[error(
        "{host} is {class}; outbound requests to it are refused (an operator can allow deliberate internal targets with outbound_allow)"
    )]
    Address {
        /// The host as the URL parser reads it.
        host: String,
        /// Why it is refused.
        class: AddressClass,
    },
    /// The host name resolves to a forbidden address.
    #[error(
        "{host} resolves to {class}; outbound requests to it are refused (an operator can allow deliberate internal targets with outbound_allow)"
    )]
    Resolved {
        /// The host name.
        host: String,
        /// Why the address it resolved to is refused.
        class: AddressClass,
    },
}

/// The operator's allowlist over the default policy (refuse every non-public address).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OutboundPolicy {
    nets: Vec<(IpAddr, u32)>,
    hosts: Vec<String>,
}

impl OutboundPolicy {
    /// A policy allowing the given entries on top of the default: CIDRs (`10.1.2.0/24`,
    /// `fd00:1::/64`), single addresses (`10.1.2.3`) and exact host names (`hooks.internal`).
    /// An entry that is none of these is an error naming it.
    pub fn new<S: AsRef<str>>(allow: &[S]) -> Result<Self, String> {
        let mut policy = Self::default();
        for entry in allow {
            let entry = entry.as_ref().trim();
            if let Some((addr, prefix)) = entry.split_once('/') {
                let ip: IpAddr = addr.parse().map_err(|_| {
                    format!("outbound_allow: {entry:?} is not a CIDR (like 10.1.2.0/24)")
                })?;
                let max = if ip.is_ipv4() { 32 } else { 128 };
                let prefix: u32 =
                    prefix.parse().ok().filter(|p| *p <= max).ok_or_else(|| {
                        format!("outbound_allow: {entry:?} has no prefix 0–{max}")
                    })?;
                policy.nets.push((ip, prefix));
            } else if let Ok(ip) = entry.parse::<IpAddr>() {
                policy.nets.push((ip, if ip.is_ipv4() { 32 } else { 128 }));
            } else if is_host_name(entry) && parse_ip_host(entry).is_none() {
                policy.hosts.push(normal_host(entry));
            } else {
                return Err(format!(
                    "outbound_allow: {entry:?} is neither a CIDR, an IP address nor a host name"
                ));
            }
        }
        Ok(policy)
    }

    fn allows_host(&self, host: &str) -> bool {
        let host = normal_host(host);
        self.hosts.contains(&host)
    }

    fn allows_ip(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        self.nets.iter().any(|(net, prefix)| match (ip, net) {
            (IpAddr::V4(a), IpAddr::V4(n)) => {
                prefix_match(u32::from(a).into(), u32::from(*n).into(), *prefix, 32)
            }
            (IpAddr::V6(a), IpAddr::V6(n)) => {
                prefix_match(u128::from(a), u128::from(*n), *prefix, 128)
            }
            _ => false,
        })
    }

    /// Refuses `ip` unless it is public or allowed.
    pub fn check_ip(&self, ip: IpAddr) -> Result<(), AddressClass> {
        match classify(ip) {
            Some(class) if !self.allows_ip(ip) => Err(class),
            _ => Ok(()),
        }
    }

    /// What can be decided from the URL alone: an http(s) URL with a host; a literal address
    /// (in any spelling) of an allowed class; not `localhost` (RFC 6761 §6.3). Returns the
    /// host name still to resolve, or `None` when the host is a literal address or allowed by
    /// name.
    pub fn check_url(&self, url: &str) -> Result<Option<String>, OutboundRefusal> {
        let parsed = Url::parse(url.trim())
            .map_err(|_| OutboundRefusal::Url("not a valid URL".to_string()))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(OutboundRefusal::Url(
                "must be an http:// or https:// URL".to_string(),
            ));
        }
        let Some(host) = parsed.host_str() else {
            return Err(OutboundRefusal::Url("the URL has no host".to_string()));
        };
        if self.allows_host(host) {
            return Ok(None);
        }
        // The URL parser has already turned numeric IPv4 spellings into dotted quads; the
        // second parse catches what it leaves as a name but a resolver would read as a number.
        if let Some(ip) = parse_ip_host(host) {
            return self.check_literal(ip).map(|()| None);
        }
        let normal = normal_host(host);
        if normal == "localhost" || normal.ends_with(".localhost") {
            return Err(OutboundRefusal::Address {
                host: normal,
                class: AddressClass::Loopback,
            });
        }
        Ok(Some(normal))
    }

    fn check_literal(&self, ip: IpAddr) -> Result<(), OutboundRefusal> {
        self.check_ip(ip).map_err(|class| OutboundRefusal::Address {
            host: ip.to_string(),
            class,
        })
    }

    /// Checks every address `host` resolved to; one forbidden address refuses them all (a
    /// client would otherwise try it after the public ones fail).
    pub fn check_resolved(&self, host: &str, addrs: &[IpAddr]) -> Result<(), OutboundRefusal> {
        if self.allows_host(host) {
            return Ok(());
        }
        for ip in addrs {
            self.check_ip(*ip)
                .map_err(|class| OutboundRefusal::Resolved {
                    host: normal_host(host),
                    class,
                })?;
        }
        Ok(())
    }
}

fn normal_host(host: &str) -> String {
    host.trim_end_matches('.').to_ascii_lowercase()
}

fn is_host_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        })
}

/// The future a [`NameLookup`] answers with.
pub type LookupFuture = Pin<Box<dyn Future<Output = std::io::Result<Vec<IpAddr>>> + Send>>;

/// Turns a host name into addresses. The system resolver ([`SystemLookup`]) in production;
/// tests use [`StaticLookup`] so that no test asks a real DNS server.
pub trait NameLookup: Send + Sync + fmt::Debug {
    /// The addresses of `host` (no port).
    fn lookup(&self, host: &str) -> LookupFuture;
}

/// The operating system's resolver (`getaddrinfo`, through tokio).
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemLookup;

impl NameLookup for SystemLookup {
    fn lookup(&self, host: &str) -> LookupFuture {
        let host = host.to_string();
        Box::pin(async move {
            Ok(tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .map(|a| a.ip())
                .collect())
        })
    }
}

/// A fixed table of names, for tests: a name not in it does not resolve.
#[derive(Clone, Debug, Default)]
pub struct StaticLookup {
    names: Vec<(String, Vec<IpAddr>)>,
}

impl StaticLookup {
    /// Adds `name` resolving to `addrs`.
    pub fn with(mut self, name: &str, addrs: &[IpAddr]) -> Self {
        self.names.push((normal_host(name), addrs.to_vec()));
        self
    }
}

impl NameLookup for StaticLookup {
    fn lookup(&self, host: &str) -> LookupFuture {
        let host = normal_host(host);
        let found = self
            .names
            .iter()
            .find(|(name, _)| *name == host)
            .map(|(_, addrs)| addrs.clone());
        Box::pin(async move {
            found.ok_or_else(|| {
                std::io::Error::new(std::io::ErrorKind::NotFound, "name does not resolve")
            })
        })
    }
}

/// How long a registration waits for a name to resolve.
const REGISTRATION_LOOKUP_TIMEOUT: Duration = Duration::from_secs(5);

/// The delivery log's text for a request the policy stopped.
pub const REFUSED_BY_POLICY: &str = "refused by policy";

/// The policy together with the resolver it checks: what the server keeps to check targets
/// when they are registered and to build its HTTP clients.
#[derive(Clone, Debug)]
pub struct Outbound {
    policy: Arc<OutboundPolicy>,
    lookup: Arc<dyn NameLookup>,
}

impl Outbound {
    /// The policy, resolving names with `lookup`.
    pub fn new(policy: OutboundPolicy, lookup: Arc<dyn NameLookup>) -> Self {
        Self {
            policy: Arc::new(policy),
            lookup,
        }
    }

    /// The policy, resolving names with the system resolver.
    pub fn system(policy: OutboundPolicy) -> Self {
        Self::new(policy, Arc::new(SystemLookup))
    }

    /// The policy.
    pub fn policy(&self) -> &OutboundPolicy {
        &self.policy
    }

    /// The resolver for an HTTP client: every name checked at connect time.
    pub fn resolver(&self) -> Arc<PolicyResolver> {
        Arc::new(PolicyResolver {
            policy: self.policy.clone(),
            lookup: self.lookup.clone(),
        })
    }

    /// The check when a target is registered: [`OutboundPolicy::check_url`], then the host
    /// name resolved and every address checked. A name that does not resolve now is accepted
    /// (receivers are often set up after their URL is registered); the connect-time check
    /// still applies to whatever it resolves to later.
    pub async fn check_target(&self, url: &str) -> Result<(), OutboundRefusal> {
        let Some(host) = self.policy.check_url(url)? else {
            return Ok(());
        };
        // A slow resolver must not hold the request up: the connect-time check remains.
        match tokio::time::timeout(REGISTRATION_LOOKUP_TIMEOUT, self.lookup.lookup(&host)).await {
            Ok(Ok(addrs)) => self.policy.check_resolved(&host, &addrs),
            Ok(Err(_)) | Err(_) => Ok(()),
        }
    }
}

/// A `reqwest` resolver that applies the policy to every address a name resolves to.
#[derive(Debug)]
pub struct PolicyResolver {
    policy: Arc<OutboundPolicy>,
    lookup: Arc<dyn NameLookup>,
}

impl reqwest::dns::Resolve for PolicyResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_string();
        let policy = self.policy.clone();
        let lookup = self.lookup.clone();
        Box::pin(async move {
            // A name that spells a number is that address, whatever a resolver would say.
            let addrs = match parse_ip_host(&host) {
                Some(ip) => vec![ip],
                None => lookup.lookup(&host).await?,
            };
            policy.check_resolved(&host, &addrs)?;
            let addrs: reqwest::dns::Addrs =
                Box::new(addrs.into_iter().map(|ip| SocketAddr::new(ip, 0)));
            Ok(addrs)
        })
    }
}

/// The refusal inside a request error, if the policy refused it.
pub fn refusal_of<'a>(err: &'a (dyn std::error::Error + 'static)) -> Option<&'a OutboundRefusal> {
    let mut cause = Some(err);
    while let Some(e) = cause {
        if let Some(refusal) = e.downcast_ref::<OutboundRefusal>() {
            return Some(refusal);
        }
        cause = e.source();
    }
    None
}

/// What a delivery log says about a failed request: its class only ("refused by policy",
/// "timed out", "connection failed", "request failed"), never the remote port's state, the URL
/// or the path, so the log cannot be used to scan the network behind the server.
pub fn failure_class(err: &reqwest::Error) -> &'static str {
    if refusal_of(err).is_some() {
        REFUSED_BY_POLICY
    } else if err.is_timeout() {
        "timed out"
    } else if err.is_connect() {
        "connection failed"
    } else if err.is_redirect() {
        "redirect refused"
    } else {
        "request failed"
    }
}

/// An HTTP client for advisory sync and other operator-configured endpoints: names resolved
/// through the policy, no proxy from the environment (it would see the target instead of the
/// policy), at most five redirects, each one's target checked against the policy (literal
/// addresses never reach the resolver), and the cyres `User-Agent`.
pub fn http_client(outbound: &Outbound) -> Result<reqwest::Client, crate::FeedError> {
    let policy = outbound.policy.clone();
    let redirects = reqwest::redirect::Policy::custom(move |attempt| {
        if attempt.previous().len() >= 5 {
            return attempt.error("too many redirects");
        }
        match policy.check_url(attempt.url().as_str()) {
            Ok(_) => attempt.follow(),
            Err(refusal) => attempt.error(refusal),
        }
    });
    reqwest::Client::builder()
        .user_agent(crate::USER_AGENT)
        .connect_timeout(Duration::from_secs(30))
        .no_proxy()
        .redirect(redirects)
        .dns_resolver(outbound.resolver())
        .build()
        .map_err(|e| crate::FeedError::Config(format!("cannot build the HTTP client: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::dns::Resolve;
    use std::str::FromStr;

    fn ip(s: &str) -> IpAddr {
        parse_ip_host(s).unwrap_or_else(|| panic!("{s} should parse"))
    }

    #[test]
    fn spellings_parse_as_a_url_parser_reads_them() {
        let cases = [
            ("127.0.0.1", "127.0.0.1"),
            ("127.1", "127.0.0.1"),
            ("127.0.1", "127.0.0.1"),
            ("2130706433", "127.0.0.1"),
            ("0x7f.1", "127.0.0.1"),
            ("0x7F000001", "127.0.0.1"),
            ("0177.0.0.1", "127.0.0.1"),
            ("017700000001", "127.0.0.1"),
            ("127.0.0.1.", "127.0.0.1"),
            ("0", "0.0.0.0"),
            ("0.0.0.0", "0.0.0.0"),
            ("0x", "0.0.0.0"),
            ("169.254.169.254", "169.254.169.254"),
            ("0xa9fea9fe", "169.254.169.254"),
            ("10.0x10.1", "10.16.0.1"),
            ("[::1]", "::1"),
            ("::1", "::1"),
            ("[::ffff:127.0.0.1]", "::ffff:127.0.0.1"),
            ("[fd00::1]", "fd00::1"),
        ];
        for (spelling, expected) in cases {
            assert_eq!(
                ip(spelling),
                expected.parse::<IpAddr>().unwrap(),
                "{spelling}"
            );
        }
        for not_ip in [
            "example.org",
            "1.2.3.4.5",
            "256.1.1.1",
            "1.2.3.256x",
            "08.1.1.1",
            "0x1g.1",
            "4294967296",
            "1.16777216",
            "",
            "[::1",
        ] {
            assert_eq!(parse_ip_host(not_ip), None, "{not_ip}");
        }
    }

    #[test]
    fn address_classes() {
        use AddressClass::*;
        let cases: &[(&str, Option<AddressClass>)] = &[
            ("0.0.0.0", Some(Unspecified)),
            ("0.1.2.3", Some(Reserved)),
            ("127.0.0.1", Some(Loopback)),
            ("127.255.1.2", Some(Loopback)),
            ("10.1.2.3", Some(Private)),
            ("172.16.0.1", Some(Private)),
            ("172.31.255.255", Some(Private)),
            ("172.32.0.1", None),
            ("192.168.1.1", Some(Private)),
            ("100.64.0.1", Some(SharedAddressSpace)),
            ("100.127.255.255", Some(SharedAddressSpace)),
            ("100.128.0.1", None),
            ("169.254.169.254", Some(LinkLocal)),
            ("192.0.0.170", Some(Reserved)),
            ("192.0.2.1", Some(Documentation)),
            ("198.51.100.7", Some(Documentation)),
            ("203.0.113.9", Some(Documentation)),
            ("198.18.0.1", Some(Benchmarking)),
            ("198.19.255.1", Some(Benchmarking)),
            ("192.88.99.1", Some(Reserved)),
            ("224.0.0.1", Some(Multicast)),
            ("239.255.255.250", Some(Multicast)),
            ("240.0.0.1", Some(Reserved)),
            ("255.255.255.255", Some(Broadcast)),
            ("8.8.8.8", None),
            ("93.184.216.34", None),
            ("::", Some(Unspecified)),
            ("::1", Some(Loopback)),
            ("::ffff:127.0.0.1", Some(Loopback)),
            ("::ffff:10.0.0.1", Some(Private)),
            ("::ffff:8.8.8.8", None),
            ("::127.0.0.1", Some(Loopback)),
            ("::ffff:0:169.254.169.254", Some(LinkLocal)),
            ("64:ff9b::7f00:1", Some(Loopback)),
            ("64:ff9b::a9fe:a9fe", Some(LinkLocal)),
            ("64:ff9b::808:808", None),
            ("64:ff9b:1::1", Some(Private)),
            ("2002:7f00:1::1", Some(Loopback)),
            ("2002:c0a8:101::1", Some(Private)),
            ("2002:808:808::1", None),
            // Teredo: client 127.0.0.1 obfuscated (bit-inverted) in the last 32 bits.
            ("2001:0:4136:e378:8000:63bf:80ff:fffe", Some(Loopback)),
            ("fc00::1", Some(UniqueLocal)),
            ("fd00::1", Some(UniqueLocal)),
            ("fdff:ffff::1", Some(UniqueLocal)),
            ("fe80::1", Some(LinkLocal)),
            ("fec0::1", Some(Private)),
            ("ff02::1", Some(Multicast)),
            ("2001:db8::1", Some(Documentation)),
            ("3fff:0:1::1", Some(Documentation)),
            ("2001:2::1", Some(Benchmarking)),
            ("2001:10::1", Some(Reserved)),
            ("100::1", Some(Reserved)),
            ("4000::1", Some(Reserved)),
            ("2606:4700::1111", None),
            ("2a00:1450:4001::1", None),
        ];
        for (text, class) in cases {
            let addr: IpAddr = text.parse().unwrap();
            assert_eq!(classify(addr), *class, "{text}");
        }
    }

    #[test]
    fn urls_are_refused_in_every_spelling() {
        let policy = OutboundPolicy::default();
        for url in [
            "http://127.0.0.1/x",
            "http://127.1/",
            "http://2130706433/",
            "http://0x7f.1/",
            "http://0177.0.0.1:8080/",
            "http://0.0.0.0/",
            "http://0/",
            "http://[::1]/",
            "http://[::]/",
            "http://[::ffff:127.0.0.1]/",
            "http://[::ffff:7f00:1]/",
            "http://[fd00::1]/",
            "http://[fe80::1%25eth0]/",
            "http://169.254.169.254/latest/meta-data/",
            "https://10.0.0.5/",
            "http://100.64.1.1/",
            "http://192.0.2.10/",
            "http://localhost/",
            "http://LOCALHOST./",
            "http://api.localhost/",
            "http://user:pw@127.0.0.1/",
            "http://public.test@127.0.0.1/",
            "http://127.0.0.1#@public.test/",
            "http://127.0.0.1\\@public.test/",
            "http://0000000177.0.0.1/",
        ] {
            match policy.check_url(url) {
                Err(OutboundRefusal::Address { .. } | OutboundRefusal::Url(_)) => {}
                other => panic!("{url}: {other:?}"),
            }
        }
        let refusal = policy.check_url("http://0x7f.1/secret-path").unwrap_err();
        let text = refusal.to_string();
        assert!(
            text.starts_with("127.0.0.1 is a loopback address"),
            "{text}"
        );
        assert!(!text.contains("secret-path"));
        assert!(matches!(
            policy.check_url("ftp://example.org/"),
            Err(OutboundRefusal::Url(_))
        ));
        assert!(matches!(
            policy.check_url("not a url"),
            Err(OutboundRefusal::Url(_))
        ));
        assert_eq!(
            policy.check_url("https://hooks.example.org/x").unwrap(),
            Some("hooks.example.org".to_string())
        );
        assert_eq!(policy.check_url("https://8.8.8.8/").unwrap(), None);
    }

    #[test]
    fn the_allowlist_opens_exactly_what_it_names() {
        let policy =
            OutboundPolicy::new(&["10.1.2.0/24", "hooks.internal", "fd00:1::/64", "127.0.0.1"])
                .unwrap();
        assert_eq!(policy.check_url("http://10.1.2.77/").unwrap(), None);
        assert!(policy.check_url("http://10.1.3.1/").is_err());
        assert_eq!(policy.check_url("http://[::ffff:10.1.2.9]/").unwrap(), None);
        assert_eq!(policy.check_url("http://HOOKS.internal./x").unwrap(), None);
        assert_eq!(policy.check_url("http://[fd00:1::5]/").unwrap(), None);
        assert!(policy.check_url("http://[fd00:2::5]/").is_err());
        assert_eq!(policy.check_url("http://127.1/").unwrap(), None);
        assert!(policy.check_url("http://127.0.0.2/").is_err());
        assert!(
            policy
                .check_resolved("hooks.internal", &[ip("192.168.0.1")])
                .is_ok()
        );
        assert!(
            policy
                .check_resolved("other.internal", &[ip("192.168.0.1")])
                .is_err()
        );
        for bad in [
            "10.1.2.0/33",
            "10.1.2.0/x",
            "not a host",
            "fd00::/129",
            "*.internal",
        ] {
            let e = OutboundPolicy::new(&[bad]).unwrap_err();
            assert!(e.contains(bad), "{e}");
        }
    }

    fn stub() -> Outbound {
        let lookup = StaticLookup::default()
            .with("public.test", &[ip("93.184.216.34")])
            .with("internal.test", &[ip("10.0.0.5")])
            .with("metadata.test", &[ip("169.254.169.254")])
            .with("rebind.test", &[ip("93.184.216.34"), ip("127.0.0.1")])
            .with("v6.test", &[ip("fd00::1")])
            .with("hooks.internal", &[ip("10.1.2.3")]);
        Outbound::new(
            OutboundPolicy::new(&["hooks.internal"]).unwrap(),
            Arc::new(lookup),
        )
    }

    #[tokio::test]
    async fn registration_resolves_names() {
        let outbound = stub();
        outbound
            .check_target("https://public.test/h")
            .await
            .unwrap();
        outbound
            .check_target("https://unknown.test/h")
            .await
            .unwrap();
        outbound
            .check_target("https://hooks.internal/h")
            .await
            .unwrap();
        for (url, class) in [
            ("https://internal.test/h", AddressClass::Private),
            ("https://metadata.test/", AddressClass::LinkLocal),
            ("https://rebind.test/", AddressClass::Loopback),
            ("https://v6.test/", AddressClass::UniqueLocal),
        ] {
            let e = outbound.check_target(url).await.unwrap_err();
            assert!(
                matches!(&e, OutboundRefusal::Resolved { class: c, .. } if *c == class),
                "{url}: {e:?}"
            );
        }
    }

    #[tokio::test]
    async fn the_resolver_refuses_by_policy_at_connect_time() {
        let resolver = stub().resolver();
        let resolve = |name: &str| resolver.resolve(reqwest::dns::Name::from_str(name).unwrap());
        let addrs: Vec<SocketAddr> = resolve("public.test").await.unwrap().collect();
        assert_eq!(addrs, [SocketAddr::new(ip("93.184.216.34"), 0)]);
        let addrs: Vec<SocketAddr> = resolve("hooks.internal").await.unwrap().collect();
        assert_eq!(addrs, [SocketAddr::new(ip("10.1.2.3"), 0)]);
        for refused in [
            "internal.test",
            "rebind.test",
            "metadata.test",
            "0x7f.1",
            "2130706433",
        ] {
            let err = resolve(refused).await.err().expect(refused);
            assert!(refusal_of(err.as_ref()).is_some(), "{refused}: {err}");
        }
        let err = resolve("unknown.test").await.err().unwrap();
        assert!(refusal_of(err.as_ref()).is_none());
    }
}
