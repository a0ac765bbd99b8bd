//! Links, addresses and routes through rtnetlink: the bridge of a network, a container's veth
//! pair, and the configuration inside the container's namespace. Each `Netlink` owns a
//! current-thread tokio runtime (no extra threads: the monitor must stay single-threaded for
//! libcontainer) and a netlink socket bound to one network namespace.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::os::fd::RawFd;
use std::path::Path;

use futures_util::TryStreamExt;
use rtnetlink::packet_route::address::{AddressAttribute, AddressFlags, AddressHeaderFlags};
use rtnetlink::packet_route::link::{InfoData, InfoKind, InfoVeth, LinkAttribute, LinkMessage};
use rtnetlink::packet_route::route::{RouteAddress, RouteAttribute};
use rtnetlink::{Handle, LinkBridge, LinkMessageBuilder, LinkUnspec, RouteMessageBuilder};

use super::ipam::{Subnet, Subnet6};

pub struct Netlink {
    rt: tokio::runtime::Runtime,
    handle: Handle,
}

fn nl_err(e: rtnetlink::Error) -> io::Error {
    match e {
        rtnetlink::Error::NetlinkError(m) => match m.code {
            Some(c) => io::Error::from_raw_os_error(-c.get()),
            None => io::Error::other("netlink error"),
        },
        other => io::Error::other(other.to_string()),
    }
}

impl Netlink {
    /// A netlink socket in the calling thread's network namespace.
    pub fn here() -> io::Result<Netlink> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .build()?;
        let handle = {
            let _g = rt.enter();
            let (conn, handle, _) = rtnetlink::new_connection()?;
            rt.spawn(conn);
            handle
        };
        Ok(Netlink { rt, handle })
    }

    /// A netlink socket in the namespace bound at `path`.
    pub fn in_netns(path: &Path) -> io::Result<Netlink> {
        super::netns::enter(path, Netlink::here)
    }

    pub fn index(&self, name: &str) -> io::Result<Option<u32>> {
        let h = self.handle.clone();
        let name = name.to_string();
        self.rt.block_on(async move {
            let mut s = h.link().get().match_name(name).execute();
            match s.try_next().await {
                Ok(Some(m)) => Ok(Some(m.header.index)),
                Ok(None) => Ok(None),
                Err(rtnetlink::Error::NetlinkError(m))
                    if m.code.map(|c| -c.get()) == Some(libc::ENODEV) =>
                {
                    Ok(None)
                }
                Err(e) => Err(nl_err(e)),
            }
        })
    }

    fn add_link(&self, msg: LinkMessage) -> io::Result<()> {
        let h = self.handle.clone();
        self.rt
            .block_on(async move { h.link().add(msg).execute().await })
            .map_err(nl_err)
    }

    fn set_link(&self, msg: LinkMessage) -> io::Result<()> {
        let h = self.handle.clone();
        self.rt
            .block_on(async move { h.link().set(msg).execute().await })
            .map_err(nl_err)
    }

    /// Adds `ip/prefix` to a link; an address already there is fine. IPv6 addresses are added
    /// without duplicate address detection (IFA_F_NODAD): usable at once, not "tentative".
    fn add_address(&self, index: u32, ip: IpAddr, prefix: u8) -> io::Result<()> {
        let h = self.handle.clone();
        let r = self.rt.block_on(async move {
            let mut req = h.address().add(index, ip, prefix);
            if ip.is_ipv6() {
                let m = req.message_mut();
                m.header.flags |= AddressHeaderFlags::Nodad;
                m.attributes
                    .push(AddressAttribute::Flags(AddressFlags::Nodad));
            }
            req.execute().await
        });
        match r.map_err(nl_err) {
            Err(e) if e.raw_os_error() == Some(libc::EEXIST) => Ok(()),
            other => other,
        }
    }

    /// Creates the bridge of a network (or finds it), with its gateway address (and IPv6
    /// gateway address on a dual-stack network), and sets it up.
    pub fn ensure_bridge(
        &self,
        name: &str,
        gateway: Ipv4Addr,
        subnet: Subnet,
        v6: Option<(Ipv6Addr, Subnet6)>,
        mtu: u32,
    ) -> io::Result<u32> {
        let index = match self.index(name)? {
            Some(i) => i,
            None => {
                let msg = LinkBridge::new(name).mtu(mtu).build();
                match self.add_link(msg) {
                    Err(e) if e.raw_os_error() != Some(libc::EEXIST) => return Err(e),
                    _ => {}
                }
                self.index(name)?
                    .ok_or_else(|| io::Error::other(format!("bridge {name} vanished")))?
            }
        };
        self.add_address(index, IpAddr::V4(gateway), subnet.prefix)?;
        if let Some((gw6, subnet6)) = v6 {
            self.add_address(index, IpAddr::V6(gw6), subnet6.prefix)?;
        }
        self.set_link(LinkUnspec::new_with_index(index).up().build())?;
        Ok(index)
    }

    /// Deletes a link by name; a missing link is fine.
    pub fn delete(&self, name: &str) -> io::Result<()> {
        let Some(index) = self.index(name)? else {
            return Ok(());
        };
        let h = self.handle.clone();
        match self
            .rt
            .block_on(async move { h.link().del(index).execute().await })
            .map_err(nl_err)
        {
            Err(e) if e.raw_os_error() == Some(libc::ENODEV) => Ok(()),
            other => other,
        }
    }

    /// Creates a veth pair: `host` on this side, enslaved to the bridge `bridge_index` and up;
    /// `peer` directly in the namespace `netns_fd`, with `mac`.
    pub fn add_veth(
        &self,
        host: &str,
        bridge_index: u32,
        peer: &str,
        netns_fd: RawFd,
        mac: [u8; 6],
        mtu: u32,
    ) -> io::Result<()> {
        let peer_msg = LinkMessageBuilder::<LinkUnspec>::new()
            .name(peer.to_string())
            .mtu(mtu)
            .address(mac.to_vec())
            .setns_by_fd(netns_fd)
            .build();
        let msg = LinkMessageBuilder::<LinkUnspec>::new_with_info_kind(InfoKind::Veth)
            .name(host.to_string())
            .mtu(mtu)
            .controller(bridge_index)
            .up()
            .set_info_data(InfoData::Veth(InfoVeth::Peer(peer_msg)))
            .build();
        self.add_link(msg)
    }

    /// Inside a container's namespace: `lo` up; `ifname` with its address (and IPv6 address),
    /// up; and the default routes via `gateway` and `v6.gateway` when given.
    pub fn configure_inside(
        &self,
        ifname: &str,
        ip: Ipv4Addr,
        prefix: u8,
        gateway: Option<Ipv4Addr>,
        v6: Option<Inside6>,
    ) -> io::Result<()> {
        if let Some(lo) = self.index("lo")? {
            self.set_link(LinkUnspec::new_with_index(lo).up().build())?;
        }
        let index = self
            .index(ifname)?
            .ok_or_else(|| io::Error::other(format!("no {ifname} in the container")))?;
        self.add_address(index, IpAddr::V4(ip), prefix)?;
        if let Some(v6) = &v6 {
            self.add_address(index, IpAddr::V6(v6.ip), v6.prefix)?;
        }
        self.set_link(LinkUnspec::new_with_index(index).up().build())?;
        if let Some(gw) = v6.and_then(|v| v.gateway) {
            let h = self.handle.clone();
            let route = RouteMessageBuilder::<Ipv6Addr>::new()
                .gateway(gw)
                .output_interface(index)
                .build();
            self.rt
                .block_on(async move { h.route().add(route).execute().await })
                .map_err(nl_err)?;
        }
        if let Some(gw) = gateway {
            let h = self.handle.clone();
            let route = RouteMessageBuilder::<Ipv4Addr>::new()
                .gateway(gw)
                .output_interface(index)
                .build();
            self.rt
                .block_on(async move { h.route().add(route).execute().await })
                .map_err(nl_err)?;
        }
        Ok(())
    }

    /// The IPv4 destinations of the main routing table (default routes left out), with the
    /// name of their output interface.
    pub fn routes(&self) -> io::Result<Vec<(Subnet, String)>> {
        Ok(self
            .routes_of(RouteMessageBuilder::<Ipv4Addr>::new().build())?
            .into_iter()
            .filter_map(|(ip, prefix, dev)| match ip {
                IpAddr::V4(ip) => Some((Subnet::new(ip, prefix), dev)),
                IpAddr::V6(_) => None,
            })
            .collect())
    }

    /// The IPv6 destinations of the main routing table (default routes left out), with the
    /// name of their output interface.
    pub fn routes6(&self) -> io::Result<Vec<(Subnet6, String)>> {
        Ok(self
            .routes_of(RouteMessageBuilder::<Ipv6Addr>::new().build())?
            .into_iter()
            .filter_map(|(ip, prefix, dev)| match ip {
                IpAddr::V6(ip) => Some((Subnet6::new(ip, prefix), dev)),
                IpAddr::V4(_) => None,
            })
            .collect())
    }

    fn routes_of(
        &self,
        query: rtnetlink::packet_route::route::RouteMessage,
    ) -> io::Result<Vec<(IpAddr, u8, String)>> {
        let h = self.handle.clone();
        let msgs: Vec<_> = self
            .rt
            .block_on(async move { h.route().get(query).execute().try_collect().await })
            .map_err(nl_err)?;
        let h = self.handle.clone();
        let links: Vec<LinkMessage> = self
            .rt
            .block_on(async move { h.link().get().execute().try_collect().await })
            .map_err(nl_err)?;
        let name_of = |index: u32| {
            links
                .iter()
                .find(|l| l.header.index == index)
                .and_then(|l| {
                    l.attributes.iter().find_map(|a| match a {
                        LinkAttribute::IfName(n) => Some(n.clone()),
                        _ => None,
                    })
                })
                .unwrap_or_default()
        };
        let mut out = Vec::new();
        for m in msgs {
            if m.header.destination_prefix_length == 0 || m.header.table != 254 {
                continue;
            }
            let mut dst = None;
            let mut oif = 0;
            for a in &m.attributes {
                match a {
                    RouteAttribute::Destination(RouteAddress::Inet(ip)) => {
                        dst = Some(IpAddr::V4(*ip))
                    }
                    RouteAttribute::Destination(RouteAddress::Inet6(ip)) => {
                        dst = Some(IpAddr::V6(*ip))
                    }
                    RouteAttribute::Oif(i) => oif = *i,
                    _ => {}
                }
            }
            if let Some(ip) = dst {
                out.push((ip, m.header.destination_prefix_length, name_of(oif)));
            }
        }
        Ok(out)
    }
}

/// A container interface's IPv6 configuration.
#[derive(Debug, Clone, Copy)]
pub struct Inside6 {
    pub ip: Ipv6Addr,
    pub prefix: u8,
    /// The default route's next hop (the first network's bridge), if any.
    pub gateway: Option<Ipv6Addr>,
}

/// Writes a sysctl under /proc/sys/net (e.g. "ipv4/conf/berth0/route_localnet").
pub fn sysctl(key: &str, value: &str) -> io::Result<()> {
    let path = format!("/proc/sys/net/{key}");
    if std::fs::read_to_string(&path).is_ok_and(|v| v.trim() == value) {
        return Ok(());
    }
    std::fs::write(&path, value)
}

/// Docker's MAC address for a container address: 02:42 and the four address bytes.
pub fn mac_for(ip: Ipv4Addr) -> [u8; 6] {
    let o = ip.octets();
    [0x02, 0x42, o[0], o[1], o[2], o[3]]
}

/// A MAC address as `net.ParseMAC` reads a 48-bit one: six hex pairs separated by `:` or
/// `-`, or three groups of four hex digits separated by `.`.
pub fn parse_mac(s: &str) -> Option<[u8; 6]> {
    let s = s.trim();
    let hex: String = if s.contains('.') {
        let groups: Vec<&str> = s.split('.').collect();
        if groups.len() != 3 || groups.iter().any(|g| g.len() != 4) {
            return None;
        }
        groups.concat()
    } else {
        let sep = if s.contains('-') { '-' } else { ':' };
        let pairs: Vec<&str> = s.split(sep).collect();
        if pairs.len() != 6 || pairs.iter().any(|p| p.len() != 2) {
            return None;
        }
        pairs.concat()
    };
    let mut mac = [0u8; 6];
    for (i, b) in mac.iter_mut().enumerate() {
        *b = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(mac)
}

pub fn mac_string(mac: [u8; 6]) -> String {
    mac.iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}
