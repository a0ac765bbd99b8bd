//! `version` and `info` (also `system info`): the engine's data as Docker prints it, or through
//! `--format`.

use clap::Args;
use serde_json::{Value, json};

use super::GlobalOpts;
use super::format;
use crate::engine::system::{API_VERSION, VERSION, go_arch};

#[derive(Debug, Args)]
pub struct VersionArgs {
    /// Format output using a custom template: 'json', or a Go template
    #[arg(short, long)]
    pub format: Option<String>,
}

#[derive(Debug, Args)]
pub struct InfoArgs {
    /// Format output using a custom template: 'json', or a Go template
    #[arg(short, long)]
    pub format: Option<String>,
}

/// The client half of `version`: berth is its own client.
fn client_version() -> Value {
    json!({
        "Platform": { "Name": "" },
        "Version": VERSION,
        "ApiVersion": API_VERSION,
        "DefaultAPIVersion": API_VERSION,
        "GitCommit": "",
        "GoVersion": "",
        "Os": "linux",
        "Arch": go_arch(),
        "BuildTime": "",
        "Context": "default",
    })
}

pub fn version(g: &GlobalOpts, a: VersionArgs) -> anyhow::Result<i32> {
    let server = g.engine().system_version();
    let data = json!({ "Client": client_version(), "Server": server });
    if a.format.is_some() {
        format::print_inspected(a.format.as_deref(), vec![data])?;
        return Ok(0);
    }
    print!("{}", version_text(&server));
    Ok(0)
}

/// Docker's `version` layout.
fn version_text(server: &bollard_stubs::models::SystemVersion) -> String {
    let s = |o: &Option<String>| o.clone().unwrap_or_default();
    let os_arch = format!("{}/{}", s(&server.os), s(&server.arch));
    let platform = server
        .platform
        .as_ref()
        .map(|p| p.name.clone())
        .unwrap_or_default();
    let mut out = String::new();
    out.push_str("Client:\n");
    out.push_str(&format!(" {:<19}{VERSION}\n", "Version:"));
    out.push_str(&format!(" {:<19}{API_VERSION}\n", "API version:"));
    out.push_str(&format!(" {:<19}linux/{}\n", "OS/Arch:", go_arch()));
    out.push_str(&format!(" {:<19}default\n", "Context:"));
    out.push('\n');
    out.push_str(&format!("Server: {platform}\n"));
    out.push_str(" Engine:\n");
    out.push_str(&format!("  {:<18}{}\n", "Version:", s(&server.version)));
    out.push_str(&format!(
        "  {:<18}{} (minimum version {})\n",
        "API version:",
        s(&server.api_version),
        s(&server.min_api_version)
    ));
    out.push_str(&format!("  {:<18}{os_arch}\n", "OS/Arch:"));
    out.push_str(&format!(
        "  {:<18}{}\n",
        "Kernel Version:",
        s(&server.kernel_version)
    ));
    out.push_str(&format!("  {:<18}false\n", "Experimental:"));
    out
}

pub fn info(g: &GlobalOpts, a: InfoArgs) -> anyhow::Result<i32> {
    let info = g.engine().system_info()?;
    let mut data = serde_json::to_value(&info)?;
    data["ClientInfo"] = json!({
        "Debug": false,
        "Version": VERSION,
        "Context": "default",
        "Plugins": [],
        "Warnings": null,
    });
    if a.format.is_some() {
        format::print_inspected(a.format.as_deref(), vec![data])?;
        return Ok(0);
    }
    print!("{}", info_text(&data));
    Ok(0)
}

/// Docker's `info` layout, from the JSON of the engine's `SystemInfo`.
fn info_text(d: &Value) -> String {
    let s = |k: &str| match &d[k] {
        Value::String(v) => v.clone(),
        Value::Null => String::new(),
        v => v.to_string(),
    };
    let list = |k: &str| -> Vec<String> {
        d[k].as_array()
            .map(|a| {
                a.iter()
                    .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut o = String::new();
    let mut line = |indent: usize, text: String| {
        o.push_str(&" ".repeat(indent));
        o.push_str(&text);
        o.push('\n');
    };
    line(0, "Client:".into());
    line(1, format!("Version:    {VERSION}"));
    line(1, "Context:    default".into());
    line(1, "Debug Mode: false".into());
    line(0, String::new());
    line(0, "Server:".into());
    line(1, format!("Containers: {}", s("Containers")));
    line(2, format!("Running: {}", s("ContainersRunning")));
    line(2, format!("Paused: {}", s("ContainersPaused")));
    line(2, format!("Stopped: {}", s("ContainersStopped")));
    line(1, format!("Images: {}", s("Images")));
    line(1, format!("Server Version: {}", s("ServerVersion")));
    line(1, format!("Storage Driver: {}", s("Driver")));
    for pair in d["DriverStatus"].as_array().into_iter().flatten() {
        if let (Some(k), Some(v)) = (pair[0].as_str(), pair[1].as_str()) {
            line(2, format!("{k}: {v}"));
        }
    }
    line(1, format!("Logging Driver: {}", s("LoggingDriver")));
    line(1, format!("Cgroup Driver: {}", s("CgroupDriver")));
    line(1, format!("Cgroup Version: {}", s("CgroupVersion")));
    line(1, "Plugins:".into());
    for (k, name) in [("Volume", "Volume"), ("Network", "Network"), ("Log", "Log")] {
        let names: Vec<&str> = d["Plugins"][k]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        line(2, format!("{name}: {}", names.join(" ")));
    }
    line(
        1,
        format!(
            "Swarm: {}",
            d["Swarm"]["LocalNodeState"].as_str().unwrap_or("inactive")
        ),
    );
    line(1, format!("Default Runtime: {}", s("DefaultRuntime")));
    line(1, "Security Options:".into());
    for opt in list("SecurityOptions") {
        let mut parts = opt.split(',');
        if let Some(name) = parts.next() {
            line(2, name.trim_start_matches("name=").to_string());
        }
        for kv in parts {
            if let Some((k, v)) = kv.split_once('=') {
                line(3, format!("{}: {v}", title(k)));
            }
        }
    }
    line(1, format!("Kernel Version: {}", s("KernelVersion")));
    line(1, format!("Operating System: {}", s("OperatingSystem")));
    line(1, format!("OSType: {}", s("OSType")));
    line(1, format!("Architecture: {}", s("Architecture")));
    line(1, format!("CPUs: {}", s("NCPU")));
    line(
        1,
        format!(
            "Total Memory: {}",
            binary_size(d["MemTotal"].as_i64().unwrap_or(0))
        ),
    );
    line(1, format!("Name: {}", s("Name")));
    line(1, format!("Docker Root Dir: {}", s("DockerRootDir")));
    line(1, "Debug Mode: false".into());
    line(1, "Experimental: false".into());
    line(1, "Insecure Registries:".into());
    for r in d["RegistryConfig"]["InsecureRegistryCIDRs"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        line(2, r.to_string());
    }
    line(
        1,
        format!("Live Restore Enabled: {}", s("LiveRestoreEnabled")),
    );
    for w in list("Warnings") {
        line(0, w);
    }
    o
}

fn title(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

/// Docker's `units.BytesSize`: binary units, 4 significant digits ("23.47GiB").
fn binary_size(bytes: i64) -> String {
    const UNITS: [&str; 9] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"];
    let mut v = bytes.max(0) as f64;
    let mut i = 0;
    while v >= 1024.0 && i < UNITS.len() - 1 {
        v /= 1024.0;
        i += 1;
    }
    format!("{}{}", go_g4(v), UNITS[i])
}

/// Go's `%.4g` for the values sizes take (below 10000): 4 significant digits, no trailing
/// zeros.
fn go_g4(v: f64) -> String {
    let digits = if v >= 1000.0 {
        0
    } else if v >= 100.0 {
        1
    } else if v >= 10.0 {
        2
    } else {
        3
    };
    let s = format!("{v:.digits$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_sizes_like_docker() {
        assert_eq!(binary_size(0), "0B");
        assert_eq!(binary_size(1023), "1023B");
        assert_eq!(binary_size(1024), "1KiB");
        assert_eq!(binary_size(25_200_000_000), "23.47GiB");
        assert_eq!(binary_size(1536 * 1024), "1.5MiB");
    }

    #[test]
    fn info_text_has_docker_lines() {
        let d = json!({
            "Containers": 3, "ContainersRunning": 1, "ContainersPaused": 0,
            "ContainersStopped": 2, "Images": 4, "Driver": "overlay",
            "DriverStatus": [["Backing Filesystem", "extfs"]],
            "CgroupVersion": "1", "MemTotal": 1073741824_i64, "NCPU": 2,
            "SecurityOptions": ["name=seccomp,profile=builtin"],
            "Plugins": {"Volume": ["local"], "Network": ["bridge", "host"]},
        });
        let t = info_text(&d);
        assert!(t.contains("\n Containers: 3\n  Running: 1\n"), "{t}");
        assert!(t.contains("\n  Backing Filesystem: extfs\n"), "{t}");
        assert!(t.contains("\n Total Memory: 1GiB\n"), "{t}");
        assert!(t.contains("\n  seccomp\n   Profile: builtin\n"), "{t}");
        assert!(t.contains("\n  Network: bridge host\n"), "{t}");
    }
}
