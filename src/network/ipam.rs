//! Subnets and address assignment: parsing `--subnet` (IPv4 `Subnet`, IPv6 `Subnet6`), choosing
//! a free subnet for a new network (IPv6: a ULA /64 derived from the network's ID), and the
//! lowest free address in a network (the leases themselves are rows in SQLite, see
//! `crate::state::networks`).

use std::collections::HashSet;
use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

/// An IPv4 network: address with the host bits zero, and a prefix length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Subnet {
    pub addr: Ipv4Addr,
    pub prefix: u8,
}

/// What a gateway check needs of a subnet of either family.
pub trait Hosts: fmt::Display {
    type Addr: std::str::FromStr + fmt::Display + Copy;
    /// The first usable address (the default gateway).
    fn first_host(&self) -> Self::Addr;
    /// Can `ip` be given to a host of the subnet?
    fn is_host(&self, ip: Self::Addr) -> bool;
}

impl Hosts for Subnet {
    type Addr = Ipv4Addr;
    fn first_host(&self) -> Ipv4Addr {
        Subnet::first_host(self)
    }
    fn is_host(&self, ip: Ipv4Addr) -> bool {
        Subnet::is_host(self, ip)
    }
}

impl Hosts for Subnet6 {
    type Addr = Ipv6Addr;
    fn first_host(&self) -> Ipv6Addr {
        Subnet6::first_host(self)
    }
    fn is_host(&self, ip: Ipv6Addr) -> bool {
        Subnet6::is_host(self, ip)
    }
}

impl Subnet {
    pub fn new(addr: Ipv4Addr, prefix: u8) -> Subnet {
        let s = Subnet { addr, prefix };
        Subnet {
            addr: Ipv4Addr::from(u32::from(addr) & s.mask()),
            prefix,
        }
    }

    pub fn mask(&self) -> u32 {
        if self.prefix == 0 {
            0
        } else {
            u32::MAX << (32 - self.prefix as u32)
        }
    }

    pub fn contains(&self, ip: Ipv4Addr) -> bool {
        u32::from(ip) & self.mask() == u32::from(self.addr)
    }

    pub fn overlaps(&self, other: &Subnet) -> bool {
        self.contains(other.addr) || other.contains(self.addr)
    }

    pub fn broadcast(&self) -> Ipv4Addr {
        Ipv4Addr::from(u32::from(self.addr) | !self.mask())
    }

    /// The first usable address: the default gateway (the bridge's address).
    pub fn first_host(&self) -> Ipv4Addr {
        Ipv4Addr::from(u32::from(self.addr) + 1)
    }

    /// Can `ip` be given to a container (inside, not the network or broadcast address)?
    pub fn is_host(&self, ip: Ipv4Addr) -> bool {
        self.contains(ip) && ip != self.addr && ip != self.broadcast()
    }

    /// The lowest address that is neither the gateway nor in `used`.
    pub fn first_free(&self, gateway: Ipv4Addr, used: &HashSet<Ipv4Addr>) -> Option<Ipv4Addr> {
        let (lo, hi) = (u32::from(self.addr) + 1, u32::from(self.broadcast()));
        (lo..hi)
            .map(Ipv4Addr::from)
            .find(|ip| *ip != gateway && !used.contains(ip))
    }
}

impl fmt::Display for Subnet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum SubnetError {
    #[error(
        "invalid subnet {0:?}: expected an IPv4 CIDR such as 10.1.0.0/16 (IPv6 networks are not supported)"
    )]
    Syntax(String),
    #[error("invalid subnet {given}: it has host bits set, did you mean {fixed}?")]
    HostBits { given: String, fixed: Subnet },
    #[error("invalid subnet {0}: the prefix must be between 8 and 30")]
    Size(String),
}

impl FromStr for Subnet {
    type Err = SubnetError;
    fn from_str(s: &str) -> Result<Subnet, SubnetError> {
        let syntax = || SubnetError::Syntax(s.to_string());
        let (a, p) = s.split_once('/').ok_or_else(syntax)?;
        let addr: Ipv4Addr = a.parse().map_err(|_| syntax())?;
        let prefix: u8 = p.parse().map_err(|_| syntax())?;
        if prefix > 32 {
            return Err(syntax());
        }
        if !(8..=30).contains(&prefix) {
            return Err(SubnetError::Size(s.to_string()));
        }
        let net = Subnet::new(addr, prefix);
        if net.addr != addr {
            return Err(SubnetError::HostBits {
                given: s.to_string(),
                fixed: net,
            });
        }
        Ok(net)
    }
}

/// The subnets berth chooses from when none is given: 10.117.0.0/16 for the default network,
/// then 10.118.0.0/24 … 10.118.255.0/24, 10.119.0.0/24 … up to 10.127.255.0/24. Docker's
/// (172.17–31.0.0/16, 192.168.0.0/20 …) and Podman's (10.88.0.0/16, 10.89.N.0/24) defaults are
/// avoided: their bridges appear only when their first container starts, so a route check
/// alone would not see them.
pub fn candidates(default_network: bool) -> impl Iterator<Item = Subnet> {
    let first = default_network.then(|| Subnet::new(Ipv4Addr::new(10, 117, 0, 0), 16));
    let rest = (118u8..=127)
        .flat_map(|b| (0u8..=255).map(move |c| Subnet::new(Ipv4Addr::new(10, b, c, 0), 24)));
    first.into_iter().chain(rest)
}

/// The first candidate that overlaps none of `taken` (host routes and other networks).
pub fn pick(default_network: bool, taken: &[Subnet]) -> Option<Subnet> {
    candidates(default_network).find(|c| !taken.iter().any(|t| t.overlaps(c)))
}

/// An IPv6 network: address with the host bits zero, and a prefix length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Subnet6 {
    pub addr: Ipv6Addr,
    pub prefix: u8,
}

impl Subnet6 {
    pub fn new(addr: Ipv6Addr, prefix: u8) -> Subnet6 {
        let s = Subnet6 { addr, prefix };
        Subnet6 {
            addr: Ipv6Addr::from(u128::from(addr) & s.mask()),
            prefix,
        }
    }

    pub fn mask(&self) -> u128 {
        if self.prefix == 0 {
            0
        } else {
            u128::MAX << (128 - self.prefix as u32)
        }
    }

    pub fn contains(&self, ip: Ipv6Addr) -> bool {
        u128::from(ip) & self.mask() == u128::from(self.addr)
    }

    pub fn overlaps(&self, other: &Subnet6) -> bool {
        self.contains(other.addr) || other.contains(self.addr)
    }

    /// The default gateway (the bridge's address): `…::1`.
    pub fn first_host(&self) -> Ipv6Addr {
        Ipv6Addr::from(u128::from(self.addr) + 1)
    }

    /// Can `ip` be given to a container (inside, not the subnet-router anycast address)?
    pub fn is_host(&self, ip: Ipv6Addr) -> bool {
        self.contains(ip) && ip != self.addr
    }

    /// The lowest address that is neither the gateway nor in `used` (the first 2^20 are
    /// searched: more containers than that on one network are not expected).
    pub fn first_free(&self, gateway: Ipv6Addr, used: &HashSet<Ipv6Addr>) -> Option<Ipv6Addr> {
        let lo = u128::from(self.addr) + 1;
        let span = (!self.mask()).min(1 << 20);
        (lo..lo + span)
            .map(Ipv6Addr::from)
            .find(|ip| *ip != gateway && !used.contains(ip) && self.contains(*ip))
    }
}

impl fmt::Display for Subnet6 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum Subnet6Error {
    #[error("invalid subnet {0:?}: expected an IPv6 CIDR such as fd12:3456:789a::/64")]
    Syntax(String),
    #[error("invalid subnet {given}: it has host bits set, did you mean {fixed}?")]
    HostBits { given: String, fixed: Subnet6 },
    #[error("invalid subnet {0}: the prefix must be between 48 and 120")]
    Size(String),
}

impl FromStr for Subnet6 {
    type Err = Subnet6Error;
    fn from_str(s: &str) -> Result<Subnet6, Subnet6Error> {
        let syntax = || Subnet6Error::Syntax(s.to_string());
        let (a, p) = s.split_once('/').ok_or_else(syntax)?;
        let addr: Ipv6Addr = a.parse().map_err(|_| syntax())?;
        let prefix: u8 = p.parse().map_err(|_| syntax())?;
        if prefix > 128 {
            return Err(syntax());
        }
        if !(48..=120).contains(&prefix) {
            return Err(Subnet6Error::Size(s.to_string()));
        }
        let net = Subnet6::new(addr, prefix);
        if net.addr != addr {
            return Err(Subnet6Error::HostBits {
                given: s.to_string(),
                fixed: net,
            });
        }
        Ok(net)
    }
}

/// Is `s` an IPv6 CIDR (as opposed to an IPv4 one)? Decides which family a `--subnet` is.
pub fn is_v6(s: &str) -> bool {
    s.split('/').next().is_some_and(|a| a.contains(':'))
}

/// The ULA /64s a network may get when `--ipv6` is given without a subnet: `fdXX:XXXX:XXXX::/64`
/// with the 40-bit global ID (RFC 4193) taken from the network's ID, then from its next hex
/// digits, so two networks (or two hosts) rarely pick the same prefix.
pub fn candidates6(network_id: &str) -> impl Iterator<Item = Subnet6> + '_ {
    (0..network_id.len().saturating_sub(9)).filter_map(move |i| {
        let g = u64::from_str_radix(network_id.get(i..i + 10)?, 16).ok()?;
        let addr = (0xfdu128 << 120) | ((g as u128) << 80);
        Some(Subnet6::new(Ipv6Addr::from(addr), 64))
    })
}

/// The first ULA candidate for `network_id` that overlaps none of `taken`.
pub fn pick6(network_id: &str, taken: &[Subnet6]) -> Option<Subnet6> {
    candidates6(network_id).find(|c| !taken.iter().any(|t| t.overlaps(c)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_subnets() {
        let s: Subnet6 = "fd12:3456:789a:1::/64".parse().unwrap();
        assert_eq!(s.to_string(), "fd12:3456:789a:1::/64");
        assert_eq!(
            s.first_host(),
            "fd12:3456:789a:1::1".parse::<Ipv6Addr>().unwrap()
        );
        assert!(s.contains("fd12:3456:789a:1::abcd".parse().unwrap()));
        assert!(!s.contains("fd12:3456:789a:2::1".parse().unwrap()));
        assert!(matches!(
            "fd00::1/64".parse::<Subnet6>(),
            Err(Subnet6Error::HostBits { .. })
        ));
        assert!("10.0.0.0/24".parse::<Subnet6>().is_err());
        assert!("fd00::/8".parse::<Subnet6>().is_err());
        assert!("fd00::/129".parse::<Subnet6>().is_err());
        assert!(is_v6("fd00::/64") && !is_v6("10.0.0.0/8"));
        let gw = s.first_host();
        let mut used = HashSet::new();
        let a = s.first_free(gw, &used).unwrap();
        assert_eq!(a, "fd12:3456:789a:1::2".parse::<Ipv6Addr>().unwrap());
        used.insert(a);
        assert_eq!(
            s.first_free(gw, &used).unwrap(),
            "fd12:3456:789a:1::3".parse::<Ipv6Addr>().unwrap()
        );
        let tiny: Subnet6 = "fd00::/120".parse().unwrap();
        let all: HashSet<Ipv6Addr> = (2..256u128)
            .map(|i| Ipv6Addr::from(u128::from(tiny.addr) + i))
            .collect();
        assert_eq!(tiny.first_free(tiny.first_host(), &all), None);
    }

    #[test]
    fn ula_from_the_network_id() {
        let id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        let first = pick6(id, &[]).unwrap();
        assert_eq!(first.to_string(), "fd01:2345:6789::/64");
        let second = pick6(id, &[first]).unwrap();
        assert_eq!(second.to_string(), "fd12:3456:789a::/64");
        // A host route that covers the first candidate moves the pick along.
        let host = Subnet6::new("fd01:2345:6789::".parse().unwrap(), 48);
        assert_eq!(pick6(id, &[host]), Some(second));
        let all_ula = Subnet6::new("fd00::".parse().unwrap(), 8);
        assert_eq!(pick6(id, &[all_ula]), None);
    }

    #[test]
    fn parses_and_checks() {
        let s: Subnet = "10.1.0.0/16".parse().unwrap();
        assert_eq!(s.to_string(), "10.1.0.0/16");
        assert_eq!(s.first_host(), Ipv4Addr::new(10, 1, 0, 1));
        assert_eq!(s.broadcast(), Ipv4Addr::new(10, 1, 255, 255));
        assert!(s.contains(Ipv4Addr::new(10, 1, 3, 4)));
        assert!(!s.contains(Ipv4Addr::new(10, 2, 0, 1)));
        assert!(matches!(
            "10.1.2.3/16".parse::<Subnet>(),
            Err(SubnetError::HostBits { .. })
        ));
        assert!("10.1.0.0".parse::<Subnet>().is_err());
        assert!("fd00::/64".parse::<Subnet>().is_err());
        assert!("10.0.0.0/31".parse::<Subnet>().is_err());
        assert!("10.0.0.0/33".parse::<Subnet>().is_err());
    }

    #[test]
    fn overlap_and_pick() {
        let a: Subnet = "10.117.0.0/16".parse().unwrap();
        let b: Subnet = "10.117.5.0/24".parse().unwrap();
        let c: Subnet = "10.118.0.0/24".parse().unwrap();
        assert!(a.overlaps(&b) && b.overlaps(&a));
        assert!(!a.overlaps(&c));
        assert_eq!(pick(true, &[]), Some(a));
        assert_eq!(pick(true, &[b]), Some(c));
        assert_eq!(pick(false, &[]), Some(c));
        let default_route = Subnet::new(Ipv4Addr::UNSPECIFIED, 0);
        // A default route is not a collision: callers leave it out; everything overlaps it.
        assert!(default_route.overlaps(&c));
    }

    #[test]
    fn first_free_skips_gateway_and_used() {
        let s: Subnet = "10.9.0.0/30".parse().unwrap();
        let gw = s.first_host();
        let mut used = HashSet::new();
        assert_eq!(s.first_free(gw, &used), Some(Ipv4Addr::new(10, 9, 0, 2)));
        used.insert(Ipv4Addr::new(10, 9, 0, 2));
        assert_eq!(s.first_free(gw, &used), None);
        assert!(!s.is_host(s.broadcast()) && !s.is_host(s.addr) && s.is_host(gw));
    }
}
