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

use hickory_proto::op::{Message, MessageType, OpCode, Query, ResponseCode};
use hickory_proto::rr::rdata::{A, AAAA};
use hickory_proto::rr::{DNSClass, RData, Record, RecordType};

/// The address containers use, as Docker's.
pub const ADDRESS: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 11);
const TTL: u32 = 600;
/// The largest query served (and relayed): what a UDP datagram on the loopback can carry
/// without EDNS buffer sizes above 4096 is not expected from a stub resolver.
const MAX_PACKET: usize = 4096;

/// What to do with one packet received on 127.0.0.11:53.
#[derive(Debug, PartialEq)]
pub enum Action {
    /// Send this answer back.
    Reply(Vec<u8>),
    /// Not one of berth's names: relay the packet upstream.
    Relay,
    /// Not a query one can answer (too short for a header, a response): drop it.
    Drop,
}

/// The name a question asks for, lower case, without the root's dot.
fn question_name(q: &Query) -> String {
    q.name()
        .to_ascii()
        .trim_end_matches('.')
        .to_ascii_lowercase()
}

/// An empty answer to the packet's header with `rcode` (FORMERR for what does not parse,
/// SERVFAIL when nobody upstream can answer). None for packets without a query header.
fn error_reply(p: &[u8], rcode: ResponseCode) -> Option<Vec<u8>> {
    if p.len() < 12 || p[2] & 0x80 != 0 {
        return None;
    }
    let id = u16::from_be_bytes([p[0], p[1]]);
    let op = OpCode::from_u8((p[2] >> 3) & 0x0f);
    let mut m = Message::error_msg(id, op, rcode);
    m.metadata.recursion_desired = p[2] & 0x01 != 0;
    m.metadata.recursion_available = true;
    // A query that parsed keeps its question in the answer.
    if let Ok(q) = Message::from_vec(p) {
        m.add_queries(q.queries.into_iter().take(1));
    }
    m.to_vec().ok()
}

/// Decides what to do with packet `p`: answer it from `lookup` (A, AAAA and ANY questions of
/// class IN for names on the container's networks), have it relayed, or refuse it.
pub fn handle(p: &[u8], lookup: &dyn Fn(&str) -> Option<Vec<IpAddr>>) -> Action {
    if p.len() > MAX_PACKET {
        return Action::Drop;
    }
    let q = match Message::from_vec(p) {
        Ok(m) if m.metadata.message_type == MessageType::Query => m,
        Ok(_) => return Action::Drop,
        Err(_) => {
            return error_reply(p, ResponseCode::FormErr).map_or(Action::Drop, Action::Reply);
        }
    };
    if q.metadata.op_code != OpCode::Query {
        return error_reply(p, ResponseCode::NotImp).map_or(Action::Drop, Action::Reply);
    }
    if q.queries.len() != 1 {
        return error_reply(p, ResponseCode::FormErr).map_or(Action::Drop, Action::Reply);
    }
    let question = &q.queries[0];
    let local = question.query_class() == DNSClass::IN
        && matches!(
            question.query_type(),
            RecordType::A | RecordType::AAAA | RecordType::ANY
        );
    match local.then(|| lookup(&question_name(question))).flatten() {
        Some(addrs) => answer(&q, &addrs).map_or(Action::Drop, Action::Reply),
        None => Action::Relay,
    }
}

/// The answer to query `q` with the IPv4 `addrs` as A records and the IPv6 ones as AAAA
/// records, those the query asks for (a name with no address of the asked family gets NOERROR
/// without answers, which stops the client from asking elsewhere).
pub fn answer(q: &Message, addrs: &[IpAddr]) -> Option<Vec<u8>> {
    let question = q.queries.first()?;
    let qtype = question.query_type();
    let mut m = Message::response(q.metadata.id, q.metadata.op_code);
    m.metadata.authoritative = true;
    m.metadata.recursion_desired = q.metadata.recursion_desired;
    m.metadata.recursion_available = true;
    m.metadata.checking_disabled = q.metadata.checking_disabled;
    m.add_query(question.clone());
    let name = question.name().clone();
    for a in addrs {
        let rdata = match a {
            IpAddr::V4(v4) if matches!(qtype, RecordType::A | RecordType::ANY) => RData::A(A(*v4)),
            IpAddr::V6(v6) if matches!(qtype, RecordType::AAAA | RecordType::ANY) => {
                RData::AAAA(AAAA(*v6))
            }
            _ => continue,
        };
        m.add_answer(Record::from_rdata(name.clone(), TTL, rdata));
    }
    m.to_vec().ok()
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
        // One byte more than the largest query served, to see oversized ones.
        let mut buf = [0u8; MAX_PACKET + 1];
        while let Ok((n, from)) = self.socket.recv_from(&mut buf) {
            let p = &buf[..n];
            match handle(p, lookup) {
                Action::Reply(a) => {
                    let _ = self.socket.send_to(&a, from);
                }
                Action::Relay => self.relay_query(p, from),
                Action::Drop => {}
            }
        }
        self.relay_answers();
    }

    fn relay_query(&mut self, p: &[u8], from: SocketAddr) {
        let now = Instant::now();
        self.pending
            .retain(|_, (_, _, t)| now.duration_since(*t) < Duration::from_secs(10));
        if self.upstream.is_empty() || self.pending.len() > 1024 {
            if let Some(a) = error_reply(p, ResponseCode::ServFail) {
                let _ = self.socket.send_to(&a, from);
            }
            return;
        }
        self.next_id = self.next_id.wrapping_add(1);
        let id = self.next_id;
        let client_id = u16::from_be_bytes([p[0], p[1]]);
        let mut fwd = p.to_vec();
        fwd[..2].copy_from_slice(&id.to_be_bytes());
        self.pending.insert(id, (client_id, from, now));
        for up in &self.upstream {
            let _ = self.relay.send_to(&fwd, up);
        }
    }

    /// Sends the upstream answers waiting on the relay socket back to their clients.
    pub fn relay_answers(&mut self) {
        let mut buf = [0u8; 65536];
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

    const TYPE_A: u16 = 1;
    const TYPE_AAAA: u16 = 28;
    const TYPE_ANY: u16 = 255;

    fn query(name: &str, qtype: u16) -> Vec<u8> {
        let mut p = vec![0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
        for l in name.split('.') {
            p.push(l.len() as u8);
            p.extend_from_slice(l.as_bytes());
        }
        p.push(0);
        p.extend_from_slice(&qtype.to_be_bytes());
        p.extend_from_slice(&1u16.to_be_bytes());
        p
    }

    fn v4() -> IpAddr {
        IpAddr::V4(Ipv4Addr::new(10, 89, 0, 2))
    }
    fn v6() -> IpAddr {
        "fd12:3456:789a::2".parse().unwrap()
    }

    /// The containers' names: `web` (dual-stack), nothing else.
    fn names(n: &str) -> Option<Vec<IpAddr>> {
        (n == "web.example" || n == "web").then(|| vec![v4(), v6()])
    }

    fn reply(p: &[u8]) -> Message {
        match handle(p, &names) {
            Action::Reply(a) => Message::from_vec(&a).unwrap(),
            other => panic!("expected a reply, got {other:?}"),
        }
    }

    #[test]
    fn answers_the_containers_names() {
        let m = reply(&query("Web.Example", TYPE_A));
        assert_eq!(m.metadata.id, 0x1234);
        assert_eq!(m.metadata.message_type, MessageType::Response);
        assert_eq!(m.metadata.response_code, ResponseCode::NoError);
        assert!(m.metadata.recursion_desired && m.metadata.authoritative);
        assert_eq!(m.queries.len(), 1);
        let data: Vec<_> = m.answers.iter().map(|r| r.data.clone()).collect();
        assert_eq!(data, vec![RData::A(A(Ipv4Addr::new(10, 89, 0, 2)))]);
        // AAAA on a dual-stack network: the IPv6 address.
        let m = reply(&query("web", TYPE_AAAA));
        let data: Vec<_> = m.answers.iter().map(|r| r.data.clone()).collect();
        assert_eq!(
            data,
            vec![RData::AAAA(AAAA("fd12:3456:789a::2".parse().unwrap()))]
        );
        // ANY: both.
        assert_eq!(reply(&query("web", TYPE_ANY)).answers.len(), 2);
        // AAAA for a name with only an IPv4 address: NOERROR without answers.
        let only4 = |n: &str| (n == "db").then(|| vec![v4()]);
        let Action::Reply(a) = handle(&query("db", TYPE_AAAA), &only4) else {
            panic!("no reply")
        };
        let m = Message::from_vec(&a).unwrap();
        assert_eq!(m.metadata.response_code, ResponseCode::NoError);
        assert!(m.answers.is_empty());
    }

    #[test]
    fn relays_other_names_and_types() {
        assert_eq!(handle(&query("example.org", TYPE_A), &names), Action::Relay);
        // MX of a container name: not ours to answer.
        assert_eq!(handle(&query("web", 15), &names), Action::Relay);
    }

    #[test]
    fn refuses_garbage() {
        // Too short for a header: nothing to answer to.
        assert_eq!(handle(&[0; 5], &names), Action::Drop);
        assert_eq!(handle(&[], &names), Action::Drop);
        // A response, not a query.
        let mut p = query("web", TYPE_A);
        p[2] |= 0x80;
        assert_eq!(handle(&p, &names), Action::Drop);
        // Truncated question: FORMERR with the query's ID.
        let p = query("web", TYPE_A);
        let m = reply(&p[..p.len() - 2]);
        assert_eq!(m.metadata.id, 0x1234);
        assert_eq!(m.metadata.response_code, ResponseCode::FormErr);
        // No question at all.
        let mut p = query("web", TYPE_A);
        p[5] = 0;
        assert_eq!(
            reply(&p[..12]).metadata.response_code,
            ResponseCode::FormErr
        );
        // A label pointing at itself.
        let mut p = vec![
            0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1,
        ];
        assert_eq!(reply(&p).metadata.response_code, ResponseCode::FormErr);
        // Counts that promise more than the packet holds.
        p = query("web", TYPE_A);
        p[7] = 9;
        assert_eq!(reply(&p).metadata.response_code, ResponseCode::FormErr);
        // An UPDATE: not implemented.
        let mut p = query("web", TYPE_A);
        p[2] = 5 << 3;
        assert_eq!(reply(&p).metadata.response_code, ResponseCode::NotImp);
        // Oversized: dropped.
        let mut p = query("web", TYPE_A);
        p.resize(MAX_PACKET + 1, 0);
        assert_eq!(handle(&p, &names), Action::Drop);
    }

    /// Random and mutated packets: every one gets an answer that parses, a relay or a drop,
    /// and none panics.
    #[test]
    fn survives_random_packets() {
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let base = query("web.example", TYPE_A);
        for i in 0..20_000 {
            let p: Vec<u8> = if i % 2 == 0 {
                let len = (next() % 600) as usize;
                (0..len).map(|_| next() as u8).collect()
            } else {
                let mut p = base.clone();
                for _ in 0..1 + next() % 4 {
                    let at = (next() as usize) % p.len();
                    p[at] = next() as u8;
                }
                p.truncate(1 + (next() as usize) % (p.len() + 8));
                p
            };
            if let Action::Reply(a) = handle(&p, &names) {
                let m = Message::from_vec(&a).expect("our answers parse");
                assert_eq!(m.metadata.id, u16::from_be_bytes([p[0], p[1]]));
            }
        }
    }

    #[test]
    fn servers_from_resolv_conf() {
        let s = host_servers("# c\nnameserver 127.0.0.53\nsearch x\nnameserver 10.0.0.1\n");
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].to_string(), "127.0.0.53:53");
    }
}
