//! IPv4 subnets and address assignment: parsing `--subnet`, choosing a free subnet for a new
//! network, and the lowest free address in a network (the leases themselves are rows in SQLite,
//! see `crate::state::networks`).

use std::collections::HashSet;
use std::fmt;
use std::net::Ipv4Addr;
use std::str::FromStr;

/// An IPv4 network: address with the host bits zero, and a prefix length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Subnet {
    pub addr: Ipv4Addr,
    pub prefix: u8,
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

#[cfg(test)]
mod tests {
    use super::*;

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
