//! Port publishing: `-p`/`--publish` specs, their expansion into single-port bindings, and the
//! host sockets that reserve published ports while a container runs. The traffic itself is
//! forwarded by kernel DNAT rules (`super::firewall`), not by these sockets: they only make a
//! second container, or a host process, fail to take the same port.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, UdpSocket};
use std::os::fd::{AsRawFd, OwnedFd};

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
    /// None: every address of the host (IPv4, and IPv6 when the container has an IPv6
    /// address); 0.0.0.0: every IPv4 address; `::`: every IPv6 address.
    pub host_ip: Option<IpAddr>,
    /// (first, last) host ports to choose from; (0, 0) for a random port.
    pub host_ports: (u16, u16),
    pub container_port: u16,
    pub proto: Proto,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum PortError {
    #[error("invalid publish spec {spec:?}: {why}")]
    Spec { spec: String, why: String },
    #[error("invalid range format for --expose: {spec}, error: {why}")]
    Expose { spec: String, why: String },
    #[error("invalid port format for --expose: {0}")]
    ExposeFormat(String),
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
    // Split off a bracketed (IPv6) or dotted host address.
    let (ip, rest) = if let Some(r) = rest.strip_prefix('[') {
        let (ip, r) = r
            .split_once(']')
            .ok_or_else(|| bad("missing ] after the IPv6 address"))?;
        let r = r
            .strip_prefix(':')
            .filter(|r| r.split(':').count() == 2)
            .ok_or_else(|| bad("expected [IPv6]:HOSTPORT:PORT or [IPv6]::PORT"))?;
        let v6: Ipv6Addr = ip.parse().map_err(|_| bad("bad IPv6 host address"))?;
        (Some(IpAddr::V6(v6)), r)
    } else {
        let parts: Vec<&str> = rest.split(':').collect();
        match parts.len() {
            1 | 2 => (None, rest),
            3 => {
                let ip = match parts[0] {
                    "" => None,
                    a => Some(
                        a.parse::<Ipv4Addr>()
                            .map_err(|_| bad("bad host IP address (IPv6 goes in brackets)"))?
                            .into(),
                    ),
                };
                (ip, &rest[parts[0].len() + 1..])
            }
            _ => {
                return Err(bad(
                    "too many colons (an IPv6 host address goes in brackets)",
                ));
            }
        }
    };
    if let Some(IpAddr::V6(v6)) = ip {
        if v6.is_loopback() {
            return Err(bad(
                "ports cannot be published on [::1]: the kernel does not forward IPv6 loopback \
                 traffic to containers (IPv6 has no route_localnet); use 127.0.0.1 or one of \
                 the host's IPv6 addresses",
            ));
        }
        if v6.to_ipv4_mapped().is_some() {
            return Err(bad(
                "use the IPv4 address rather than an IPv4-mapped IPv6 one",
            ));
        }
    }
    let host_ip = ip;
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

/// One `--expose` value, `PORT[-END][/PROTO]`, as the container config's `ExposedPorts` keys
/// (`"80/tcp"`), one per port of a range (Docker's CLI expands them the same way).
pub fn parse_expose(spec: &str) -> Result<Vec<String>, PortError> {
    if spec.contains(':') {
        return Err(PortError::ExposeFormat(spec.to_string()));
    }
    let bad = |why: String| PortError::Expose {
        spec: spec.to_string(),
        why,
    };
    let (ports, proto) = spec.split_once('/').unwrap_or((spec, "tcp"));
    let proto: Proto = proto.parse().map_err(bad)?;
    if ports.is_empty() {
        return Err(bad("empty string specified for ports".into()));
    }
    let (a, b) = ports.split_once('-').unwrap_or((ports, ports));
    let port = |p: &str| {
        p.parse::<u16>()
            .map_err(|_| bad(format!("invalid port {p:?}")))
    };
    let (a, b) = (port(a)?, port(b)?);
    if b < a {
        return Err(bad(format!(
            "invalid range specified for the port: {ports}"
        )));
    }
    Ok((a..=b).map(|p| format!("{p}/{proto}")).collect())
}

/// A binding with its host port decided, and the socket that holds the port. A binding
/// without an address on a dual-stack network gives two: `None` (every IPv4 address) and `::`.
#[derive(Debug)]
pub struct Reserved {
    pub host_ip: Option<IpAddr>,
    pub host_port: u16,
    pub container_port: u16,
    pub proto: Proto,
    pub socket: OwnedFd,
}

impl Reserved {
    /// Is this an IPv6 host address (the rules go to ip6tables, to the container's IPv6
    /// address)?
    pub fn is_v6(&self) -> bool {
        self.host_ip.is_some_and(|i| i.is_ipv6())
    }
}

/// Binds an IPv6 socket with IPV6_V6ONLY, so that `[::]:PORT` does not also take the IPv4
/// port (held by its own socket).
fn bind_v6(ip: Ipv6Addr, port: u16, proto: Proto) -> std::io::Result<(u16, OwnedFd)> {
    use nix::sys::socket::{
        AddressFamily, Backlog, SockFlag, SockType, SockaddrIn6, bind, getsockname, listen,
        setsockopt, socket, sockopt,
    };
    let ty = match proto {
        Proto::Tcp => SockType::Stream,
        Proto::Udp => SockType::Datagram,
    };
    let fd = socket(AddressFamily::Inet6, ty, SockFlag::SOCK_CLOEXEC, None)?;
    setsockopt(&fd, sockopt::Ipv6V6Only, &true)?;
    if proto == Proto::Tcp {
        // As std's TcpListener: a port in TIME_WAIT can be taken again.
        setsockopt(&fd, sockopt::ReuseAddr, &true)?;
    }
    let addr = SockaddrIn6::from(std::net::SocketAddrV6::new(ip, port, 0, 0));
    bind(fd.as_raw_fd(), &addr)?;
    if proto == Proto::Tcp {
        listen(&fd, Backlog::new(128).expect("a valid backlog"))?;
    }
    let bound: SockaddrIn6 = getsockname(fd.as_raw_fd())?;
    Ok((bound.port(), fd))
}

fn bind_one(ip: IpAddr, port: u16, proto: Proto) -> std::io::Result<(u16, OwnedFd)> {
    let ip = match ip {
        IpAddr::V6(v6) => return bind_v6(v6, port, proto),
        IpAddr::V4(v4) => v4,
    };
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

/// Binds every address in `addrs` on one port (0: a random one, decided by the first bind).
fn bind_all(addrs: &[IpAddr], port: u16, proto: Proto) -> std::io::Result<(u16, Vec<OwnedFd>)> {
    let mut port = port;
    let mut fds = Vec::new();
    for ip in addrs {
        let (p, fd) = bind_one(*ip, port, proto)?;
        port = p;
        fds.push(fd);
    }
    Ok((port, fds))
}

fn addr_text(ip: IpAddr, ports: (u16, u16)) -> String {
    let ip = match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => format!("[{v6}]"),
    };
    if ports.0 == ports.1 {
        format!("{ip}:{}", ports.0)
    } else {
        format!("{ip}:{}-{}", ports.0, ports.1)
    }
}

/// Takes the host ports of `bindings`: a random one for (0, 0), the first free one of a range.
/// `dual`: the container has an IPv6 address, so a binding without an address takes the port
/// on `0.0.0.0` and on `[::]` (the same port on both, as Docker).
pub fn reserve(bindings: &[Binding], dual: bool) -> Result<Vec<Reserved>, PortError> {
    let mut out = Vec::new();
    for b in bindings {
        // (address to bind, address recorded)
        let targets: Vec<(IpAddr, Option<IpAddr>)> = match b.host_ip {
            Some(ip) => vec![(ip, Some(ip))],
            None if dual => vec![
                (Ipv4Addr::UNSPECIFIED.into(), None),
                (
                    Ipv6Addr::UNSPECIFIED.into(),
                    Some(Ipv6Addr::UNSPECIFIED.into()),
                ),
            ],
            None => vec![(Ipv4Addr::UNSPECIFIED.into(), None)],
        };
        let addrs: Vec<IpAddr> = targets.iter().map(|t| t.0).collect();
        let mut last_err = None;
        let mut got = None;
        // A random port free on 0.0.0.0 may be taken on [::]: a few tries.
        let tries = if b.host_ports == (0, 0) && addrs.len() > 1 {
            vec![0; 8]
        } else {
            (b.host_ports.0..=b.host_ports.1).collect()
        };
        for port in tries {
            // Ports already taken by an earlier binding of this same container are skipped.
            if port != 0
                && out.iter().any(|r: &Reserved| {
                    r.host_port == port
                        && r.proto == b.proto
                        && (b.host_ip.is_none() || r.host_ip.is_none() || r.host_ip == b.host_ip)
                })
            {
                continue;
            }
            match bind_all(&addrs, port, b.proto) {
                Ok(x) => {
                    got = Some(x);
                    break;
                }
                Err(e) => last_err = Some(e),
            }
        }
        let (host_port, sockets) = match (got, last_err) {
            (Some(x), _) => x,
            (None, e) => {
                let addr = addr_text(addrs[addrs.len() - 1], b.host_ports);
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
        for ((_, host_ip), socket) in targets.into_iter().zip(sockets) {
            out.push(Reserved {
                host_ip,
                host_port,
                container_port: b.container_port,
                proto: b.proto,
                socket,
            });
        }
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
        assert_eq!(b.host_ip, Some(Ipv4Addr::LOCALHOST.into()));
        let b = one("127.0.0.1::80");
        assert_eq!(
            (b.host_ip, b.host_ports),
            (Some(Ipv4Addr::LOCALHOST.into()), (0, 0))
        );
        // An explicit 0.0.0.0 is IPv4 only (Docker); no address: both families.
        let b = one("0.0.0.0:81:80");
        assert_eq!(b.host_ip, Some(Ipv4Addr::UNSPECIFIED.into()));
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
    fn parses_ipv6_host_addresses() {
        let b = one("[fd00::2]:80:8080");
        assert_eq!(
            (b.host_ip, b.host_ports, b.container_port),
            (Some("fd00::2".parse().unwrap()), (80, 80), 8080)
        );
        let b = one("[fd00::2]::80/udp");
        assert_eq!(
            (b.host_ip, b.host_ports, b.proto),
            (Some("fd00::2".parse().unwrap()), (0, 0), Proto::Udp)
        );
        let b = one("[::]:9000-9001:80");
        assert_eq!(b.host_ip, Some(Ipv6Addr::UNSPECIFIED.into()));
        assert_eq!(parse("[fd00::2]:7000-7001:7000-7001").unwrap().len(), 2);
        let e = parse("[::1]:80:80").unwrap_err().to_string();
        assert!(e.contains("route_localnet"), "{e}");
        assert!(!e.contains('\n'));
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
            "[fd00::2]:80",
            "[fd00::2]80:80",
            "[fd00::2:80:80",
            "[fd00::zz]:80:80",
            "[10.0.0.1]:80:80",
            "[::ffff:10.0.0.1]:80:80",
            "fd00::2:80:80",
            "[fd00::2]:80:80:80",
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn expose_values() {
        assert_eq!(parse_expose("80").unwrap(), ["80/tcp"]);
        assert_eq!(
            parse_expose("7000-7002/udp").unwrap(),
            ["7000/udp", "7001/udp", "7002/udp"]
        );
        assert!(matches!(
            parse_expose("8080:80"),
            Err(PortError::ExposeFormat(_))
        ));
        for bad in ["", "x", "90-80", "80/icmp", "70000"] {
            assert!(parse_expose(bad).is_err(), "{bad}");
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
        assert!(matches!(reserve(&[b], false), Err(PortError::Taken { .. })));
        let r = reserve(&[one("127.0.0.1::80/udp")], false).unwrap();
        assert!(r[0].host_port > 0);
    }

    #[test]
    fn dual_stack_reserves_both_families_on_one_port() {
        let r = reserve(&[one("80")], true).unwrap();
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].host_port, r[1].host_port);
        assert!(!r[0].is_v6() && r[1].is_v6());
        // Each family's socket holds its own port (IPV6_V6ONLY): both taken now.
        assert!(TcpListener::bind(("0.0.0.0", r[0].host_port)).is_err());
        assert!(TcpListener::bind(("::", r[0].host_port)).is_err());
    }
}
