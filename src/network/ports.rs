//! Port publishing: `-p`/`--publish` specs, their expansion into single-port bindings, and the
//! host sockets that reserve published ports while a container runs. The traffic itself is
//! forwarded by kernel DNAT rules (`super::firewall`), not by these sockets: they only make a
//! second container, or a host process, fail to take the same port.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener, UdpSocket};
use std::os::fd::OwnedFd;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Proto {
    Tcp,
    Udp,
}

impl fmt::Display for Proto {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Proto::Tcp => "tcp",
            Proto::Udp => "udp",
        })
    }
}

impl std::str::FromStr for Proto {
    type Err = String;
    fn from_str(s: &str) -> Result<Proto, String> {
        match s.to_ascii_lowercase().as_str() {
            "tcp" | "" => Ok(Proto::Tcp),
            "udp" => Ok(Proto::Udp),
            other => Err(format!("unsupported protocol {other:?} (tcp or udp)")),
        }
    }
}

/// One requested binding: a container port, and where on the host it is published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Binding {
    /// None: every IPv4 address of the host.
    pub host_ip: Option<Ipv4Addr>,
    /// (first, last) host ports to choose from; (0, 0) for a random port.
    pub host_ports: (u16, u16),
    pub container_port: u16,
    pub proto: Proto,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum PortError {
    #[error("invalid publish spec {spec:?}: {why}")]
    Spec { spec: String, why: String },
    #[error("Bind for {addr}/{proto} failed: port is already allocated")]
    Taken { addr: String, proto: Proto },
    #[error("publishing {addr}/{proto}: {why}")]
    Bind {
        addr: String,
        proto: Proto,
        why: String,
    },
}

fn range(s: &str) -> Option<(u16, u16)> {
    let (a, b) = s.split_once('-').unwrap_or((s, s));
    let (a, b): (u16, u16) = (a.parse().ok()?, b.parse().ok()?);
    (a > 0 && a <= b).then_some((a, b))
}

/// Parses one `-p` value: `[[IP:][HOSTPORT[-END]]:]CPORT[-END][/PROTO]`, IPv6 host addresses in
/// brackets. Returns one binding per container port.
pub fn parse(spec: &str) -> Result<Vec<Binding>, PortError> {
    let bad = |why: &str| PortError::Spec {
        spec: spec.to_string(),
        why: why.to_string(),
    };
    let (rest, proto) = match spec.rsplit_once('/') {
        Some((r, p)) => (r, p.parse::<Proto>().map_err(|e| bad(&e))?),
        None => (spec, Proto::Tcp),
    };
    // Split off a bracketed or dotted host address.
    let (ip, rest) = if rest.starts_with('[') {
        return Err(bad(
            "IPv6 host addresses are not supported: berth's networks are IPv4",
        ));
    } else {
        let parts: Vec<&str> = rest.split(':').collect();
        match parts.len() {
            1 | 2 => (None, rest),
            3 => (Some(parts[0]), &rest[parts[0].len() + 1..]),
            _ => return Err(bad("too many colons")),
        }
    };
    let host_ip = match ip {
        None | Some("") => None,
        Some(ip) => match ip.parse::<IpAddr>() {
            Ok(IpAddr::V4(v4)) if v4.is_unspecified() => None,
            Ok(IpAddr::V4(v4)) => Some(v4),
            Ok(IpAddr::V6(_)) => {
                return Err(bad(
                    "IPv6 host addresses are not supported: berth's networks are IPv4",
                ));
            }
            Err(_) => return Err(bad("bad host IP address")),
        },
    };
    let (host, ctr) = match rest.split_once(':') {
        Some((h, c)) => (h, c),
        None => ("", rest),
    };
    let ctr = range(ctr).ok_or_else(|| bad("bad container port"))?;
    let host = if host.is_empty() {
        None
    } else {
        Some(range(host).ok_or_else(|| bad("bad host port"))?)
    };
    let n = ctr.1 - ctr.0;
    let mut out = Vec::new();
    for i in 0..=n {
        let host_ports = match host {
            None => (0, 0),
            // A host range for one container port: any free port of the range.
            Some(h) if n == 0 => h,
            Some(h) if h.1 - h.0 == n => (h.0 + i, h.0 + i),
            Some(_) => {
                return Err(bad(
                    "the host and container port ranges must have the same size",
                ));
            }
        };
        out.push(Binding {
            host_ip,
            host_ports,
            container_port: ctr.0 + i,
            proto,
        });
    }
    Ok(out)
}

/// An `EXPOSE` entry of an image ("6379/tcp") published to a random host port (`-P`).
pub fn exposed(key: &str) -> Option<Binding> {
    let (port, proto) = key.split_once('/').unwrap_or((key, "tcp"));
    Some(Binding {
        host_ip: None,
        host_ports: (0, 0),
        container_port: port.parse().ok().filter(|p| *p > 0)?,
        proto: proto.parse().ok()?,
    })
}

/// A binding with its host port decided, and the socket that holds the port.
#[derive(Debug)]
pub struct Reserved {
    pub host_ip: Option<Ipv4Addr>,
    pub host_port: u16,
    pub container_port: u16,
    pub proto: Proto,
    pub socket: OwnedFd,
}

fn bind_one(ip: Ipv4Addr, port: u16, proto: Proto) -> std::io::Result<(u16, OwnedFd)> {
    let addr = SocketAddr::from((ip, port));
    match proto {
        Proto::Tcp => {
            let l = TcpListener::bind(addr)?;
            let port = l.local_addr()?.port();
            Ok((port, OwnedFd::from(l)))
        }
        Proto::Udp => {
            let s = UdpSocket::bind(addr)?;
            let port = s.local_addr()?.port();
            Ok((port, OwnedFd::from(s)))
        }
    }
}

/// Takes the host ports of `bindings`: a random one for (0, 0), the first free one of a range.
pub fn reserve(bindings: &[Binding]) -> Result<Vec<Reserved>, PortError> {
    let mut out = Vec::new();
    for b in bindings {
        let ip = b.host_ip.unwrap_or(Ipv4Addr::UNSPECIFIED);
        let mut last_err = None;
        let mut got = None;
        for port in b.host_ports.0..=b.host_ports.1 {
            // Ports already taken by an earlier binding of this same container are skipped.
            if port != 0
                && out
                    .iter()
                    .any(|r: &Reserved| r.host_port == port && r.proto == b.proto)
            {
                continue;
            }
            match bind_one(ip, port, b.proto) {
                Ok(x) => {
                    got = Some(x);
                    break;
                }
                Err(e) => last_err = Some(e),
            }
        }
        let (host_port, socket) = match (got, last_err) {
            (Some(x), _) => x,
            (None, e) => {
                let addr = if b.host_ports.0 == b.host_ports.1 {
                    format!("{ip}:{}", b.host_ports.0)
                } else {
                    format!("{ip}:{}-{}", b.host_ports.0, b.host_ports.1)
                };
                return Err(match e {
                    Some(e) if e.kind() == std::io::ErrorKind::AddrInUse => PortError::Taken {
                        addr,
                        proto: b.proto,
                    },
                    Some(e) => PortError::Bind {
                        addr,
                        proto: b.proto,
                        why: e.to_string(),
                    },
                    None => PortError::Taken {
                        addr,
                        proto: b.proto,
                    },
                });
            }
        };
        out.push(Reserved {
            host_ip: b.host_ip,
            host_port,
            container_port: b.container_port,
            proto: b.proto,
            socket,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(spec: &str) -> Binding {
        let mut v = parse(spec).unwrap();
        assert_eq!(v.len(), 1, "{spec}");
        v.remove(0)
    }

    #[test]
    fn parses_docker_forms() {
        let b = one("80");
        assert_eq!(
            (b.host_ip, b.host_ports, b.container_port, b.proto),
            (None, (0, 0), 80, Proto::Tcp)
        );
        let b = one("8080:80/udp");
        assert_eq!(
            (b.host_ports, b.container_port, b.proto),
            ((8080, 8080), 80, Proto::Udp)
        );
        let b = one("127.0.0.1:8080:80");
        assert_eq!(b.host_ip, Some(Ipv4Addr::LOCALHOST));
        let b = one("127.0.0.1::80");
        assert_eq!(
            (b.host_ip, b.host_ports),
            (Some(Ipv4Addr::LOCALHOST), (0, 0))
        );
        let b = one("0.0.0.0:81:80");
        assert_eq!(b.host_ip, None);
        let b = one("9000-9010:80");
        assert_eq!(b.host_ports, (9000, 9010));
        let v = parse("8000-8002:9000-9002/udp").unwrap();
        assert_eq!(v.len(), 3);
        assert_eq!((v[2].host_ports, v[2].container_port), ((8002, 8002), 9002));
        let v = parse("7000-7001").unwrap();
        assert_eq!(
            v.iter().map(|b| b.host_ports).collect::<Vec<_>>(),
            [(0, 0), (0, 0)]
        );
    }

    #[test]
    fn refuses_bad_specs() {
        for bad in [
            "",
            "0",
            "abc",
            "80/sctp",
            "1:2:3:4",
            "70000",
            "8000-8001:80-82",
            "x.y:80:80",
            "[::1]:80:80",
            "::1:80:80",
            "90-80",
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn exposed_keys() {
        assert_eq!(exposed("6379/tcp").unwrap().container_port, 6379);
        assert_eq!(exposed("53/udp").unwrap().proto, Proto::Udp);
        assert!(exposed("x/tcp").is_none());
    }

    #[test]
    fn reserve_refuses_a_taken_port() {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        let b = one(&format!("127.0.0.1:{port}:80"));
        assert!(matches!(reserve(&[b]), Err(PortError::Taken { .. })));
        let r = reserve(&[one("127.0.0.1::80/udp")]).unwrap();
        assert!(r[0].host_port > 0);
    }
}
