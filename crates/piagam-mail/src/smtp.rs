//! Where messages go: an SMTP server named by address. `smtps://` is TLS
//! from the first byte; `smtp://` must switch to TLS (STARTTLS) before a
//! password or a document crosses the network, except to this computer
//! itself (a test server, a local relay), where plaintext is allowed.
//! Plaintext to another computer is refused before connecting.

use std::net::IpAddr;
use std::time::Duration;

use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{Message, SmtpTransport, Transport};

use crate::MailError;

/// How to reach the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// TLS from the start (`smtps://host`, port 465).
    Tls { host: String, port: u16 },
    /// STARTTLS required (`smtp://host`, port 587).
    StartTls { host: String, port: u16 },
    /// Plaintext, to this computer only.
    Loopback { host: String, port: u16 },
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

impl Endpoint {
    /// `smtps://host[:port]`, `smtp://host[:port]`, or `smtp+plain://` to
    /// this computer.
    pub fn parse(url: &str) -> Result<Endpoint, MailError> {
        let bad = |why: &str| MailError::Endpoint(format!("'{url}': {why}"));
        let (scheme, rest) = url
            .split_once("://")
            .ok_or_else(|| bad("write it as smtps://host or smtp://host:587"))?;
        let rest = rest.trim_end_matches('/');
        if rest.is_empty() || rest.contains(['/', '@', '?', '#']) {
            return Err(bad(
                "only a host and a port (the user goes in its own option)",
            ));
        }
        let (host, port) = match rest.rsplit_once(':') {
            Some((host, port)) if !host.ends_with(':') && !port.is_empty() => (
                host.to_owned(),
                Some(
                    port.parse::<u16>()
                        .map_err(|_| bad("the port is not a number"))?,
                ),
            ),
            _ => (rest.to_owned(), None),
        };
        if host.is_empty() {
            return Err(bad("no host"));
        }
        match scheme {
            "smtps" => Ok(Endpoint::Tls {
                host,
                port: port.unwrap_or(465),
            }),
            "smtp" if is_loopback(&host) => Ok(Endpoint::Loopback {
                host,
                port: port.unwrap_or(587),
            }),
            "smtp" => Ok(Endpoint::StartTls {
                host,
                port: port.unwrap_or(587),
            }),
            "smtp+plain" if is_loopback(&host) => Ok(Endpoint::Loopback {
                host,
                port: port.unwrap_or(25),
            }),
            "smtp+plain" => Err(bad(
                "plaintext SMTP is allowed only to this computer (localhost); a password and the documents would cross the network unencrypted: use smtps:// or smtp:// (STARTTLS)",
            )),
            _ => Err(bad("the scheme is smtps:// or smtp://")),
        }
    }
}

/// What the server said of one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Accepted(String),
    /// 4xx, or the network: worth trying again.
    Temporary(String),
    /// 5xx, or a message the server will never take.
    Permanent(String),
    /// Not for this message: the connection itself (no TLS offered, a
    /// certificate refused, a login failed). Not tried again in this run.
    Unreachable(String),
}

/// Hands messages to a server (or, in tests, anywhere).
pub trait Deliver {
    fn deliver(&self, message: &Message) -> Answer;
}

/// An SMTP server.
pub struct Smtp {
    transport: SmtpTransport,
}

impl Smtp {
    pub fn connect(
        endpoint: &Endpoint,
        login: Option<(String, String)>,
    ) -> Result<Smtp, MailError> {
        let tls_for = |host: &str| {
            TlsParameters::new(host.to_owned()).map_err(|e| MailError::Endpoint(e.to_string()))
        };
        let builder = match endpoint {
            Endpoint::Tls { host, port } => SmtpTransport::builder_dangerous(host)
                .port(*port)
                .tls(Tls::Wrapper(tls_for(host)?)),
            Endpoint::StartTls { host, port } => SmtpTransport::builder_dangerous(host)
                .port(*port)
                .tls(Tls::Required(tls_for(host)?)),
            Endpoint::Loopback { host, port } => SmtpTransport::builder_dangerous(host)
                .port(*port)
                .tls(Tls::None),
        };
        let builder = builder.timeout(Some(Duration::from_secs(60)));
        let builder = match login {
            Some((user, password)) => builder.credentials(Credentials::new(user, password)),
            None => builder,
        };
        Ok(Smtp {
            transport: builder.build(),
        })
    }
}

impl Deliver for Smtp {
    fn deliver(&self, message: &Message) -> Answer {
        match self.transport.send(message) {
            Ok(response) => Answer::Accepted(
                format!(
                    "{} {}",
                    response.code(),
                    response.message().collect::<Vec<_>>().join(" ")
                )
                .trim()
                .to_owned(),
            ),
            Err(e) if e.is_permanent() => Answer::Permanent(e.to_string()),
            Err(e) if e.is_tls() || e.is_client() => Answer::Unreachable(e.to_string()),
            Err(e) => Answer::Temporary(e.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_say_how_to_reach_the_server() {
        assert_eq!(
            Endpoint::parse("smtps://mail.jatengprov.go.id").unwrap(),
            Endpoint::Tls {
                host: "mail.jatengprov.go.id".into(),
                port: 465
            }
        );
        assert_eq!(
            Endpoint::parse("smtp://mail.jatengprov.go.id:587").unwrap(),
            Endpoint::StartTls {
                host: "mail.jatengprov.go.id".into(),
                port: 587
            }
        );
        assert_eq!(
            Endpoint::parse("smtp://127.0.0.1:2525").unwrap(),
            Endpoint::Loopback {
                host: "127.0.0.1".into(),
                port: 2525
            }
        );
        assert!(matches!(
            Endpoint::parse("smtp://[::1]:2525").unwrap(),
            Endpoint::Loopback { .. }
        ));
        // Plaintext to another computer: refused, before any connection.
        let err = Endpoint::parse("smtp+plain://mail.jatengprov.go.id:25")
            .unwrap_err()
            .to_string();
        assert!(err.contains("only to this computer"), "{err}");
        for bad in [
            "mail.example",
            "http://mail.example",
            "smtp://user@mail.example",
            "smtp://mail.example:x",
            "smtp://",
        ] {
            assert!(Endpoint::parse(bad).is_err(), "{bad}");
        }
    }
}
