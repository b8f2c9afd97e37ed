//! What every handler shares: [`AppState`], cheap handles only, and the `Host` names the
//! admin API answers ([`AllowedHosts`]).

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use wa_contract::GraphVersion;

use crate::store::Store;
use crate::webhooks::Webhooks;

/// What every handler shares: cheap handles only.
#[derive(Clone)]
pub(crate) struct AppState {
    /// The state.
    pub(crate) store: Store,
    /// Whether the admin API answers non-loopback peers.
    pub(crate) admin_any_peer: bool,
    /// The `Host` names the admin API answers.
    pub(crate) allowed_hosts: Arc<AllowedHosts>,
    /// Webhook delivery.
    pub(crate) webhooks: Webhooks,
    /// What unversioned Graph paths are answered as.
    pub(crate) default_version: GraphVersion,
    /// Turns `true` when the server shuts down, so that long-lived answers (the inbox's live
    /// stream) end and let it finish.
    pub(crate) closing: tokio::sync::watch::Receiver<bool>,
}

/// Which `Host` (and `Origin`) names the admin API answers.
#[derive(Clone, Debug)]
pub(crate) struct AllowedHosts {
    /// The address the server listens on: its IP is accepted, and when it is unspecified
    /// (`0.0.0.0`) every IP is, since the server answers on all of them.
    listen: IpAddr,
    /// `--allowed-host` names, lower-case, with or without a port.
    extra: Vec<String>,
}

impl AllowedHosts {
    pub(crate) fn new(listen: SocketAddr, extra: &[String]) -> Self {
        Self {
            listen: listen.ip(),
            extra: extra
                .iter()
                .map(|h| h.trim().to_ascii_lowercase())
                .collect(),
        }
    }

    /// Whether `host` (a `Host` header value: a name or IP, maybe with a port) names this server:
    /// loopback, the listen address, or an allowed name. DNS rebinding needs a name that the
    /// attacker controls, so it is names, not addresses, that must be known.
    pub(crate) fn allows(&self, host: &str) -> bool {
        let host = host.trim().to_ascii_lowercase();
        if self.extra.contains(&host) {
            return true;
        }
        let name = strip_port(&host).trim_end_matches('.');
        if name == "localhost" || name.ends_with(".localhost") {
            return true;
        }
        if let Ok(ip) = name
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
        {
            let ip = ip.to_canonical();
            return ip.is_loopback() || self.listen.is_unspecified() || ip == self.listen;
        }
        self.extra.iter().any(|h| h == name)
    }
}

/// `name` of `name:port`, `[v6]` of `[v6]:port`; a bare IPv6 address stays whole.
fn strip_port(host: &str) -> &str {
    if host.starts_with('[') {
        return host.find(']').map_or(host, |end| &host[..=end]);
    }
    match host.rsplit_once(':') {
        Some((name, port)) if !name.contains(':') && port.bytes().all(|b| b.is_ascii_digit()) => {
            name
        }
        _ => host,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_names_and_the_listen_address_are_allowed_and_nothing_else() {
        let hosts = AllowedHosts::new(
            "192.168.1.5:8089".parse().unwrap(),
            &["wa-mock".to_owned(), "mock.test:9000".to_owned()],
        );
        for ok in [
            "127.0.0.1:8089",
            "127.9.9.9",
            "localhost",
            "LOCALHOST:1",
            "app.localhost:80",
            "[::1]:8089",
            "[::ffff:127.0.0.1]:8089",
            "192.168.1.5:8089",
            "wa-mock",
            "wa-mock:8089",
            "mock.test:9000",
        ] {
            assert!(hosts.allows(ok), "{ok}");
        }
        for bad in [
            "evil.com",
            "localhost.evil.com",
            "127.0.0.1.evil.com",
            "10.0.0.1:8089",
            "mock.test:9001",
            "",
        ] {
            assert!(!hosts.allows(bad), "{bad}");
        }
        let any = AllowedHosts::new("0.0.0.0:8089".parse().unwrap(), &[]);
        assert!(any.allows("10.0.0.1:8089"));
        assert!(any.allows("localhost:8089"));
        assert!(!any.allows("evil.com:8089"));
    }
}
