//! Rows for networks, container endpoints (membership and address leases) and published ports.

use std::collections::BTreeMap;

use rusqlite::{Connection, OptionalExtension, params};

use super::Result;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct NetworkRow {
    pub id: String,
    pub name: String,
    pub driver: String,
    pub subnet: String,
    pub gateway: String,
    pub bridge: String,
    pub internal: bool,
    pub mtu: u32,
    pub labels: BTreeMap<String, String>,
    pub options: BTreeMap<String, String>,
    pub created: i64,
    /// The IPv6 subnet and gateway of a dual-stack network.
    pub subnet6: Option<String>,
    pub gateway6: Option<String>,
}

const NET_COLS: &str = "id, name, driver, subnet, gateway, bridge, internal, mtu, labels, options, \
                        created, subnet6, gateway6";

fn net_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<NetworkRow> {
    let labels: String = r.get(8)?;
    let options: String = r.get(9)?;
    Ok(NetworkRow {
        id: r.get(0)?,
        name: r.get(1)?,
        driver: r.get(2)?,
        subnet: r.get(3)?,
        gateway: r.get(4)?,
        bridge: r.get(5)?,
        internal: r.get(6)?,
        mtu: r.get(7)?,
        labels: serde_json::from_str(&labels).unwrap_or_default(),
        options: serde_json::from_str(&options).unwrap_or_default(),
        created: r.get(10)?,
        subnet6: r.get(11)?,
        gateway6: r.get(12)?,
    })
}

pub fn insert_network(c: &Connection, n: &NetworkRow) -> Result<()> {
    c.execute(
        &format!(
            "INSERT INTO networks ({NET_COLS}) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13)"
        ),
        params![
            n.id,
            n.name,
            n.driver,
            n.subnet,
            n.gateway,
            n.bridge,
            n.internal,
            n.mtu,
            serde_json::to_string(&n.labels).expect("serializable"),
            serde_json::to_string(&n.options).expect("serializable"),
            n.created,
            n.subnet6,
            n.gateway6
        ],
    )?;
    Ok(())
}

pub fn delete_network(c: &Connection, id: &str) -> Result<()> {
    c.execute("DELETE FROM networks WHERE id = ?1", [id])?;
    Ok(())
}

pub fn networks(c: &Connection) -> Result<Vec<NetworkRow>> {
    let mut st = c.prepare_cached(&format!("SELECT {NET_COLS} FROM networks ORDER BY created"))?;
    let rows = st.query_map([], net_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn network_by_name(c: &Connection, name: &str) -> Result<Option<NetworkRow>> {
    Ok(
        c.prepare_cached(&format!("SELECT {NET_COLS} FROM networks WHERE name = ?1"))?
            .query_row([name], net_from_row)
            .optional()?,
    )
}

pub fn network(c: &Connection, id: &str) -> Result<Option<NetworkRow>> {
    Ok(
        c.prepare_cached(&format!("SELECT {NET_COLS} FROM networks WHERE id = ?1"))?
            .query_row([id], net_from_row)
            .optional()?,
    )
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct EndpointRow {
    pub container_id: String,
    pub network_id: String,
    pub idx: i64,
    pub aliases: Vec<String>,
    pub static_ip: Option<String>,
    pub ip: Option<String>,
    pub mac: Option<String>,
    pub ifname: Option<String>,
    pub host_ifname: Option<String>,
    /// The IPv6 address leased while the container runs (dual-stack networks).
    pub ip6: Option<String>,
    /// `--ip6`
    pub static_ip6: Option<String>,
    /// `--mac-address` (None: derived from the leased address at each start).
    pub static_mac: Option<String>,
}

const EP_COLS: &str = "container_id, network_id, idx, aliases, static_ip, ip, mac, ifname, host_ifname, ip6, \
     static_ip6, static_mac";

fn ep_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<EndpointRow> {
    let aliases: String = r.get(3)?;
    Ok(EndpointRow {
        container_id: r.get(0)?,
        network_id: r.get(1)?,
        idx: r.get(2)?,
        aliases: serde_json::from_str(&aliases).unwrap_or_default(),
        static_ip: r.get(4)?,
        ip: r.get(5)?,
        mac: r.get(6)?,
        ifname: r.get(7)?,
        host_ifname: r.get(8)?,
        ip6: r.get(9)?,
        static_ip6: r.get(10)?,
        static_mac: r.get(11)?,
    })
}

pub fn insert_endpoint(c: &Connection, e: &EndpointRow) -> Result<()> {
    c.execute(
        &format!(
            "INSERT INTO endpoints ({EP_COLS}) VALUES (?1,?2,?3,?4,?5,NULL,NULL,NULL,NULL,NULL,?6,?7)"
        ),
        params![
            e.container_id,
            e.network_id,
            e.idx,
            serde_json::to_string(&e.aliases).expect("serializable"),
            e.static_ip,
            e.static_ip6,
            e.static_mac
        ],
    )?;
    Ok(())
}

pub fn delete_endpoint(c: &Connection, container_id: &str, network_id: &str) -> Result<()> {
    c.execute(
        "DELETE FROM endpoints WHERE container_id = ?1 AND network_id = ?2",
        [container_id, network_id],
    )?;
    Ok(())
}

/// A container's endpoints in attachment order.
pub fn endpoints_of(c: &Connection, container_id: &str) -> Result<Vec<EndpointRow>> {
    let mut st = c.prepare_cached(&format!(
        "SELECT {EP_COLS} FROM endpoints WHERE container_id = ?1 ORDER BY idx"
    ))?;
    let rows = st.query_map([container_id], ep_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A network's endpoints (every member container, running or not).
pub fn endpoints_in(c: &Connection, network_id: &str) -> Result<Vec<EndpointRow>> {
    let mut st = c.prepare_cached(&format!(
        "SELECT {EP_COLS} FROM endpoints WHERE network_id = ?1 ORDER BY container_id"
    ))?;
    let rows = st.query_map([network_id], ep_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Addresses leased (or reserved with --ip) in a network.
pub fn used_ips(c: &Connection, network_id: &str) -> Result<Vec<String>> {
    let mut st = c.prepare_cached(
        "SELECT ip FROM endpoints WHERE network_id = ?1 AND ip IS NOT NULL \
         UNION SELECT static_ip FROM endpoints WHERE network_id = ?1 AND static_ip IS NOT NULL",
    )?;
    let rows = st.query_map([network_id], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// IPv6 addresses leased (or reserved with --ip6) in a network.
pub fn used_ips6(c: &Connection, network_id: &str) -> Result<Vec<String>> {
    let mut st = c.prepare_cached(
        "SELECT ip6 FROM endpoints WHERE network_id = ?1 AND ip6 IS NOT NULL \
         UNION SELECT static_ip6 FROM endpoints WHERE network_id = ?1 AND static_ip6 IS NOT NULL",
    )?;
    let rows = st.query_map([network_id], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Records (or, with None, drops) a container's IPv6 lease on a network.
pub fn set_lease6(c: &Connection, e: &EndpointRow, ip6: Option<&str>) -> Result<()> {
    c.execute(
        "UPDATE endpoints SET ip6 = ?3 WHERE container_id = ?1 AND network_id = ?2",
        params![e.container_id, e.network_id, ip6],
    )?;
    Ok(())
}

pub fn set_lease(
    c: &Connection,
    e: &EndpointRow,
    ip: Option<&str>,
    mac: Option<&str>,
    ifname: Option<&str>,
    host_ifname: Option<&str>,
) -> Result<()> {
    c.execute(
        // Dropping the IPv4 lease (ip None) drops the IPv6 one too.
        "UPDATE endpoints SET ip = ?3, mac = ?4, ifname = ?5, host_ifname = ?6, \
         ip6 = CASE WHEN ?3 IS NULL THEN NULL ELSE ip6 END \
         WHERE container_id = ?1 AND network_id = ?2",
        params![e.container_id, e.network_id, ip, mac, ifname, host_ifname],
    )?;
    Ok(())
}

/// One DNS record: a container's name, its short ID and aliases on a network, with its address.
#[derive(Debug, Clone, PartialEq)]
pub struct NameRow {
    pub name: String,
    pub id: String,
    pub aliases: Vec<String>,
    pub ip: String,
    pub ip6: Option<String>,
}

/// The running members (with an address) of the networks `container_id` is on, except the
/// networks named in `skip_network` (the default network has no name resolution).
pub fn names_near(c: &Connection, container_id: &str, skip_network: &str) -> Result<Vec<NameRow>> {
    let mut st = c.prepare_cached(
        "SELECT c.name, c.id, e.aliases, e.ip, e.ip6 FROM endpoints e \
         JOIN containers c ON c.id = e.container_id \
         JOIN networks n ON n.id = e.network_id \
         WHERE e.ip IS NOT NULL AND n.name != ?2 AND e.network_id IN \
           (SELECT network_id FROM endpoints WHERE container_id = ?1 AND ip IS NOT NULL)",
    )?;
    let rows = st.query_map([container_id, skip_network], |r| {
        let aliases: String = r.get(2)?;
        Ok(NameRow {
            name: r.get(0)?,
            id: r.get(1)?,
            aliases: serde_json::from_str(&aliases).unwrap_or_default(),
            ip: r.get(3)?,
            ip6: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

#[derive(Debug, Clone, PartialEq)]
pub struct PortRow {
    pub container_id: String,
    pub proto: String,
    pub host_ip: String,
    pub host_port: u16,
    pub container_port: u16,
    pub container_ip: String,
    pub network_id: String,
}

pub fn insert_port(c: &Connection, p: &PortRow) -> Result<()> {
    c.execute(
        "INSERT INTO ports (container_id, proto, host_ip, host_port, container_port, \
         container_ip, network_id) VALUES (?1,?2,?3,?4,?5,?6,?7)",
        params![
            p.container_id,
            p.proto,
            p.host_ip,
            p.host_port,
            p.container_port,
            p.container_ip,
            p.network_id
        ],
    )?;
    Ok(())
}

pub fn ports_of(c: &Connection, container_id: &str) -> Result<Vec<PortRow>> {
    let mut st = c.prepare_cached(
        "SELECT container_id, proto, host_ip, host_port, container_port, container_ip, network_id \
         FROM ports WHERE container_id = ?1 ORDER BY container_port, proto, host_ip",
    )?;
    let rows = st.query_map([container_id], |r| {
        Ok(PortRow {
            container_id: r.get(0)?,
            proto: r.get(1)?,
            host_ip: r.get(2)?,
            host_port: r.get(3)?,
            container_port: r.get(4)?,
            container_ip: r.get(5)?,
            network_id: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn delete_ports(c: &Connection, container_id: &str) -> Result<()> {
    c.execute("DELETE FROM ports WHERE container_id = ?1", [container_id])?;
    Ok(())
}
