//! The DNS server a container on a user-defined network talks to: like Docker's embedded DNS,
//! it listens on 127.0.0.11:53 inside the container's network namespace (the socket is made
//! there by the monitor, which then serves it from the host's namespace). It answers the names
//! and aliases of the containers on the same networks with A records, and AAAA records on
//! dual-stack networks (looked up on every query, so containers that start later resolve too),
//! and relays every other query to the host's resolvers, which may be on 127.x: the relay
//! socket lives in the host's namespace.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

/// The address containers use, as Docker's.
pub const ADDRESS: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 11);
const TTL: u32 = 600;
const TYPE_A: u16 = 1;
const TYPE_AAAA: u16 = 28;
const TYPE_ANY: u16 = 255;
const CLASS_IN: u16 = 1;

/// A parsed query: its header fields and the first question.
#[derive(Debug, PartialEq)]
pub struct Query {
    pub id: u16,
    pub flags: u16,
    pub name: String,
    pub qtype: u16,
    pub qclass: u16,
    /// The end of the question section in the packet.
    pub question_end: usize,
}

/// Parses a query's header and first question (no compression is allowed in questions).
pub fn parse_query(p: &[u8]) -> Option<Query> {
    if p.len() < 12 {
        return None;
    }
    let be = |i: usize| u16::from_be_bytes([p[i], p[i + 1]]);
    let (id, flags, qdcount) = (be(0), be(2), be(4));
    if flags & 0x8000 != 0 || qdcount == 0 {
        return None;
    }
    let mut i = 12;
    let mut labels = Vec::new();
    loop {
        let len = *p.get(i)? as usize;
        i += 1;
        if len == 0 {
            break;
        }
        if len > 63 {
            return None;
        }
        let label = p.get(i..i + len)?;
        labels.push(String::from_utf8_lossy(label).to_ascii_lowercase());
        i += len;
    }
    if i + 4 > p.len() {
        return None;
    }
    Some(Query {
        id,
        flags,
        name: labels.join("."),
        qtype: be(i),
        qclass: be(i + 2),
        question_end: i + 4,
    })
}

/// The answer to `q` (from the packet `p`) with the IPv4 `addrs` as A records and the IPv6 ones
/// as AAAA records, those the query asks for (a name with no address of the asked family gets
/// NOERROR without answers, which stops the client from asking elsewhere). `rcode` 3 is
/// NXDOMAIN, 2 SERVFAIL.
pub fn answer(p: &[u8], q: &Query, addrs: &[IpAddr], rcode: u8) -> Vec<u8> {
    let records: Vec<&IpAddr> = addrs
        .iter()
        .filter(|a| match a {
            IpAddr::V4(_) => q.qtype == TYPE_A || q.qtype == TYPE_ANY,
            IpAddr::V6(_) => q.qtype == TYPE_AAAA || q.qtype == TYPE_ANY,
        })
        .collect();
    let mut out = Vec::with_capacity(q.question_end + records.len() * 16);
    out.extend_from_slice(&q.id.to_be_bytes());
    // QR, the query's opcode and RD, AA, RA.
    let flags = 0x8000 | (q.flags & 0x7900) | 0x0400 | 0x0080 | rcode as u16;
    out.extend_from_slice(&flags.to_be_bytes());
    out.extend_from_slice(&1u16.to_be_bytes());
    out.extend_from_slice(&(records.len() as u16).to_be_bytes());
    out.extend_from_slice(&[0, 0, 0, 0]);
    out.extend_from_slice(&p[12..q.question_end]);
    for a in records {
        let (ty, data) = match a {
            IpAddr::V4(v4) => (TYPE_A, v4.octets().to_vec()),
            IpAddr::V6(v6) => (TYPE_AAAA, v6.octets().to_vec()),
        };
        out.extend_from_slice(&[0xc0, 0x0c]);
        out.extend_from_slice(&ty.to_be_bytes());
        out.extend_from_slice(&CLASS_IN.to_be_bytes());
        out.extend_from_slice(&TTL.to_be_bytes());
        out.extend_from_slice(&(data.len() as u16).to_be_bytes());
        out.extend_from_slice(&data);
    }
    out
}

/// One container's DNS server.
pub struct Server {
    /// 127.0.0.11:53 in the container's namespace.
    pub socket: UdpSocket,
    /// For relayed queries, in the host's namespace.
    pub relay: UdpSocket,
    upstream: Vec<SocketAddr>,
    /// Relayed query ID → (the client's ID, the client, when).
    pending: HashMap<u16, (u16, SocketAddr, Instant)>,
    next_id: u16,
}

impl Server {
    pub fn new(socket: UdpSocket, upstream: Vec<SocketAddr>) -> std::io::Result<Server> {
        let relay = UdpSocket::bind((Ipv4Addr::UNSPECIFIED, 0))?;
        socket.set_nonblocking(true)?;
        relay.set_nonblocking(true)?;
        Ok(Server {
            socket,
            relay,
            upstream,
            pending: HashMap::new(),
            next_id: std::process::id() as u16,
        })
    }

    /// Serves the queries waiting on the socket. `lookup` gives the addresses of a name on the
    /// container's networks (None: not one of berth's names).
    pub fn serve(&mut self, lookup: &dyn Fn(&str) -> Option<Vec<IpAddr>>) {
        let mut buf = [0u8; 4096];
        while let Ok((n, from)) = self.socket.recv_from(&mut buf) {
            let p = &buf[..n];
            let Some(q) = parse_query(p) else { continue };
            let local = (q.qclass == CLASS_IN && matches!(q.qtype, TYPE_A | TYPE_AAAA | TYPE_ANY))
                .then(|| lookup(&q.name))
                .flatten();
            if let Some(addrs) = local {
                let _ = self.socket.send_to(&answer(p, &q, &addrs, 0), from);
                continue;
            }
            self.relay_query(p, &q, from);
        }
        self.relay_answers();
    }

    fn relay_query(&mut self, p: &[u8], q: &Query, from: SocketAddr) {
        let now = Instant::now();
        self.pending
            .retain(|_, (_, _, t)| now.duration_since(*t) < Duration::from_secs(10));
        if self.upstream.is_empty() || self.pending.len() > 1024 {
            let _ = self.socket.send_to(&answer(p, q, &[], 2), from);
            return;
        }
        self.next_id = self.next_id.wrapping_add(1);
        let id = self.next_id;
        let mut fwd = p.to_vec();
        fwd[..2].copy_from_slice(&id.to_be_bytes());
        self.pending.insert(id, (q.id, from, now));
        for up in &self.upstream {
            let _ = self.relay.send_to(&fwd, up);
        }
    }

    /// Sends the upstream answers waiting on the relay socket back to their clients.
    pub fn relay_answers(&mut self) {
        let mut buf = [0u8; 4096];
        while let Ok((n, from)) = self.relay.recv_from(&mut buf) {
            if n < 12 || !self.upstream.contains(&from) {
                continue;
            }
            let id = u16::from_be_bytes([buf[0], buf[1]]);
            // The first answer wins; later ones (from other servers) find no entry.
            if let Some((orig, client, _)) = self.pending.remove(&id) {
                buf[..2].copy_from_slice(&orig.to_be_bytes());
                let _ = self.socket.send_to(&buf[..n], client);
            }
        }
    }
}

/// The name servers of the host's /etc/resolv.conf (loopback ones included: the relay runs in
/// the host's namespace).
pub fn host_servers(resolv_conf: &str) -> Vec<SocketAddr> {
    resolv_conf
        .lines()
        .filter_map(|l| l.trim().strip_prefix("nameserver"))
        .filter_map(|ip| ip.trim().parse::<std::net::IpAddr>().ok())
        .map(|ip| SocketAddr::new(ip, 53))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(name: &str, qtype: u16) -> Vec<u8> {
        let mut p = vec![0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
        for l in name.split('.') {
            p.push(l.len() as u8);
            p.extend_from_slice(l.as_bytes());
        }
        p.push(0);
        p.extend_from_slice(&qtype.to_be_bytes());
        p.extend_from_slice(&CLASS_IN.to_be_bytes());
        p
    }

    #[test]
    fn parses_and_answers() {
        let p = query("Web.Example", TYPE_A);
        let q = parse_query(&p).unwrap();
        assert_eq!(
            (q.id, q.name.as_str(), q.qtype),
            (0x1234, "web.example", TYPE_A)
        );
        let v4 = IpAddr::V4(Ipv4Addr::new(10, 89, 0, 2));
        let v6: IpAddr = "fd12:3456:789a::2".parse().unwrap();
        let a = answer(&p, &q, &[v4, v6], 0);
        assert_eq!(&a[..2], &[0x12, 0x34]);
        assert_eq!(a[2] & 0x80, 0x80, "QR set");
        assert_eq!(a[3] & 0x0f, 0, "NOERROR");
        assert_eq!(u16::from_be_bytes([a[6], a[7]]), 1, "one answer");
        assert_eq!(&a[a.len() - 4..], &[10, 89, 0, 2]);
        // AAAA for a name with only an IPv4 address: no answers, NOERROR.
        let p6 = query("web", TYPE_AAAA);
        let q6 = parse_query(&p6).unwrap();
        let a6 = answer(&p6, &q6, &[v4], 0);
        assert_eq!(u16::from_be_bytes([a6[6], a6[7]]), 0);
        assert_eq!(a6.len(), p6.len());
        // AAAA on a dual-stack network: the IPv6 address, 16 bytes.
        let a6 = answer(&p6, &q6, &[v4, v6], 0);
        assert_eq!(u16::from_be_bytes([a6[6], a6[7]]), 1);
        assert_eq!(&a6[a6.len() - 18..a6.len() - 16], &[0, 16]);
        assert_eq!(
            &a6[a6.len() - 16..],
            &"fd12:3456:789a::2"
                .parse::<std::net::Ipv6Addr>()
                .unwrap()
                .octets()
        );
        // ANY: both.
        let pa = query("web", TYPE_ANY);
        let qa = parse_query(&pa).unwrap();
        assert_eq!(
            u16::from_be_bytes({
                let a = answer(&pa, &qa, &[v4, v6], 0);
                [a[6], a[7]]
            }),
            2
        );
    }

    #[test]
    fn refuses_garbage() {
        assert!(parse_query(&[0; 5]).is_none());
        let mut p = query("x", TYPE_A);
        p[2] |= 0x80; // a response, not a query
        assert!(parse_query(&p).is_none());
        let p = query("x", TYPE_A);
        assert!(parse_query(&p[..p.len() - 2]).is_none());
    }

    #[test]
    fn servers_from_resolv_conf() {
        let s = host_servers("# c\nnameserver 127.0.0.53\nsearch x\nnameserver 10.0.0.1\n");
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].to_string(), "127.0.0.53:53");
    }
}
