//! `build`: a Dockerfile and its context → an image (the executor is `crate::build::executor`),
//! and the build cache (`builder prune`, `system df`).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use super::images::ImagePullOptions;
use super::{Engine, Error, Result};
use crate::build::dockerfile;
use crate::build::dockerignore::{self, ContextFilter, Dockerignore};
use crate::build::executor::{self, BuildError, Request, context::Context};
use crate::build::remote::Fetched;
use crate::images::local;
use crate::layers::ExtractOptions;

pub use crate::build::executor::Progress as BuildProgress;
pub use crate::build::executor::export::{Output, OutputDest, OutputKind};

/// Where the build context comes from.
pub enum BuildContext {
    /// A directory (`berth build DIR`): its files that `.dockerignore` lets through.
    Dir(PathBuf),
    /// A tar stream (plain, gzip or zstd: `berth build -`, the Engine API's body), unpacked
    /// by the confined unpacker.
    Tar(Box<dyn Read + Send>),
    /// A URL (`berth build URL`, the Engine API's `remote=`): a Git repository
    /// (`…/repo.git#REF:DIR`) or an HTTP(S) URL of a tar archive or of a Dockerfile
    /// (`crate::build::remote`).
    Remote(String),
}

/// `build`'s options.
pub struct BuildOptions {
    pub context: BuildContext,
    /// The Dockerfile's path in the context (`-f`; `Dockerfile` if None).
    pub dockerfile: Option<String>,
    /// The Dockerfile itself when it does not come from the context (`-f -`, a file outside
    /// the context).
    pub dockerfile_content: Option<Vec<u8>>,
    pub tags: Vec<String>,
    pub build_args: Vec<(String, String)>,
    pub target: Option<String>,
    pub no_cache: bool,
    pub pull: bool,
    pub labels: Vec<(String, String)>,
    /// `--platform`: the host's only.
    pub platform: Option<String>,
    /// `--network` of RUN steps.
    pub network: Option<String>,
    /// Every time in the image (`SOURCE_DATE_EPOCH`).
    pub source_date_epoch: Option<i64>,
    /// `--secret`s: ID and bytes, for `RUN --mount=type=secret` (see [`read_secret`]).
    pub secrets: Vec<(String, Vec<u8>)>,
    /// Set to cancel the build (Ctrl-C, a client gone).
    pub cancel: Arc<AtomicBool>,
    /// Credentials for the pulls of base images, by registry (the Engine API's
    /// `X-Registry-Config`); a registry not named here uses the stored ones.
    pub registry_credentials: Vec<(String, crate::registry::auth::Credentials)>,
    /// `--output`s; none: the store (`type=image`).
    pub outputs: Vec<Output>,
    /// Where an output with `dest=-` goes.
    pub output_stdout: Option<Box<dyn std::io::Write + Send>>,
}

/// What a build made.
#[derive(Debug, Clone)]
pub struct BuildResult {
    pub id: String,
}

/// One entry of the build cache, as `system df -v` and the API's `BuildCache` list show it.
#[derive(Debug, Clone, PartialEq)]
pub struct BuildCacheRecord {
    /// A step's cache key (without `sha256:`), or a cache mount's ID.
    pub id: String,
    /// The entry of the step before this one, if it is in the cache.
    pub parent: Option<String>,
    /// BuildKit's record type: `regular` for a step, `exec.cachemount` for a cache mount.
    pub kind: &'static str,
    /// The step's instruction (or the cache mount's target).
    pub description: String,
    /// Used by a build running now (the classic builder's entries never are once recorded).
    pub in_use: bool,
    pub shared: bool,
    pub size: u64,
    /// Seconds since the epoch.
    pub created: i64,
    pub last_used: i64,
    /// How many builds made or reused it.
    pub usage_count: u64,
}

/// `builder prune`'s options (Docker's `BuildCachePruneOptions`).
#[derive(Debug, Clone, Default)]
pub struct BuilderPruneOptions {
    /// Every unused entry (and the cache mounts), not only the dangling ones.
    pub all: bool,
    /// Docker's filters: `until` (a duration such as `24h`, or a time).
    pub filters: Vec<(String, String)>,
    /// `--keep-storage` (deprecated by Docker for `--reserved-space`): bytes of the most
    /// recently used cache that stay.
    pub keep_storage: Option<u64>,
    /// `--reserved-space`: as `keep_storage`; wins when both are given.
    pub reserved_space: Option<u64>,
    /// `--max-used-space`: the most cache to keep.
    pub max_used_space: Option<u64>,
    /// `--min-free-space`: remove cache until the disk of the store has this much free.
    pub min_free_space: Option<u64>,
}

/// BuildKit's rule for how many bytes of cache a prune keeps (its options folded into one
/// number; 0 = no cap, every candidate goes): as many as `max_used` allows, fewer when the disk
/// has less than `min_free` free, and never fewer than `reserved`. With `min_free` alone and
/// the disk free enough, everything stays.
fn keep_bytes(total: u64, free: u64, reserved: u64, max_used: u64, min_free: u64) -> u64 {
    if reserved == 0 && max_used == 0 && min_free == 0 {
        return 0;
    }
    let mut keep = max_used;
    if min_free > free {
        let short = total.saturating_sub(min_free - free);
        keep = if keep == 0 { short } else { keep.min(short) };
    } else if min_free != 0 && keep == 0 {
        keep = total;
    }
    keep.max(reserved)
}

/// What `builder prune` removed (the Engine API's `BuildPruneResponse`).
#[derive(Debug, Clone, Default)]
pub struct BuilderPruned {
    /// The IDs of the entries removed.
    pub caches_deleted: Vec<String>,
    pub space_reclaimed: u64,
}

/// The temp directory of a context, removed on drop.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = crate::tmp::remove_any(&self.0);
    }
}

/// Copies the sent part of a context directory into `dest` as a tar stream through the
/// confined unpacker (links kept as links, never followed).
fn send_dir(src: &Path, filter: &ContextFilter, dest: &Path) -> Result<()> {
    let tarfile = tempfile::tempfile().map_err(Error::io("making the context archive"))?;
    let mut b = tar::Builder::new(tarfile);
    b.follow_symlinks(false);
    fn walk(
        b: &mut tar::Builder<std::fs::File>,
        dir: &Path,
        rel: &str,
        filter: &ContextFilter,
    ) -> Result<()> {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .map_err(Error::io(format!("reading {}", dir.display())))?
            .flatten()
            .collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let name = e.file_name().to_string_lossy().into_owned();
            let r = if rel.is_empty() {
                name
            } else {
                format!("{rel}/{name}")
            };
            let ft = e
                .file_type()
                .map_err(Error::io(format!("reading {}", e.path().display())))?;
            let sent = filter.send(&r);
            if ft.is_dir() {
                if !sent && filter.ignore.may_skip_dir(&r) {
                    continue;
                }
                if sent {
                    b.append_path_with_name(e.path(), &r)
                        .map_err(Error::io(format!("archiving {r}")))?;
                }
                walk(b, &e.path(), &r, filter)?;
            } else if sent && (ft.is_file() || ft.is_symlink()) {
                b.append_path_with_name(e.path(), &r)
                    .map_err(Error::io(format!("archiving {r}")))?;
            }
        }
        Ok(())
    }
    walk(&mut b, src, "", filter)?;
    let mut f = b
        .into_inner()
        .map_err(Error::io("making the context archive"))?;
    std::io::Seek::rewind(&mut f).map_err(Error::io("reading the context archive"))?;
    unpack(f, dest)
}

/// Removes from an unpacked context what [`send_dir`] would not have sent: the entries the
/// filter excludes (a directory with sent entries below it stays, as their parent), and what
/// is neither a directory, a file nor a link. Returns whether `dir` is left empty.
fn drop_unsent(dir: &Path, rel: &str, filter: &ContextFilter) -> Result<bool> {
    let mut empty = true;
    let entries =
        std::fs::read_dir(dir).map_err(Error::io(format!("reading {}", dir.display())))?;
    for e in entries {
        let e = e.map_err(Error::io(format!("reading {}", dir.display())))?;
        let name = e.file_name().to_string_lossy().into_owned();
        let r = if rel.is_empty() {
            name
        } else {
            format!("{rel}/{name}")
        };
        let path = e.path();
        let ft = e
            .file_type()
            .map_err(Error::io(format!("reading {}", path.display())))?;
        let sent = filter.send(&r);
        let keep = if ft.is_dir() {
            if !sent && filter.ignore.may_skip_dir(&r) {
                false
            } else {
                let left_empty = drop_unsent(&path, &r, filter)?;
                sent || !left_empty
            }
        } else {
            sent && (ft.is_file() || ft.is_symlink())
        };
        if keep {
            empty = false;
        } else {
            crate::tmp::remove_any(&path).map_err(Error::io(format!("removing {r}")))?;
        }
    }
    Ok(empty)
}

fn unpack(r: impl Read, dest: &Path) -> Result<()> {
    let fd = nix::fcntl::open(
        dest,
        nix::fcntl::OFlag::O_RDONLY | nix::fcntl::OFlag::O_DIRECTORY,
        nix::sys::stat::Mode::empty(),
    )
    .map_err(|e| Error::io("opening the context directory")(e.into()))?;
    crate::layers::unpack_into(
        r,
        fd,
        dest,
        ExtractOptions {
            whiteouts: false,
            owner: None,
            no_overwrite_dir_non_dir: false,
        },
    )
    .map_err(crate::containers::archive::ArchiveError::from)?;
    Ok(())
}

fn ignore_of(dir: &Path, dockerfile: &str) -> Result<Dockerignore> {
    for f in dockerignore::ignore_files(dockerfile) {
        if let Ok(bytes) = std::fs::read(dir.join(&f)) {
            return Dockerignore::parse(&bytes).map_err(|e| Error::invalid(format!("{f}: {e}")));
        }
    }
    Ok(Dockerignore::parse(b"").expect("empty"))
}

/// Reads a `--secret` as Docker's CLI takes it: `id=ID,src=PATH` (also `source=`,
/// `type=file`) or `id=ID,env=VAR` (`type=env`); with neither, the environment variable named
/// ID. Returns the ID and the secret's bytes.
pub fn read_secret(spec: &str) -> Result<(String, Vec<u8>)> {
    let bad = |why: &str| Error::invalid(format!("invalid secret {spec:?}: {why}"));
    let (mut id, mut kind, mut src, mut env) = (None, None, None, None);
    for field in spec.split(',') {
        let (k, v) = field
            .split_once('=')
            .ok_or_else(|| bad(&format!("field {field:?} must be a key=value pair")))?;
        match k.trim().to_ascii_lowercase().as_str() {
            "id" => id = Some(v.to_string()),
            "type" => kind = Some(v.to_string()),
            "src" | "source" => src = Some(v.to_string()),
            "env" => env = Some(v.to_string()),
            k => return Err(bad(&format!("unexpected key {k:?}"))),
        }
    }
    match kind.as_deref() {
        None | Some("file") | Some("env") => {}
        Some(t) => return Err(bad(&format!("unsupported secret type {t:?}"))),
    }
    let id = match id {
        Some(id) if !id.is_empty() => id,
        _ => match (&src, &env) {
            (Some(s), _) => Path::new(s)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .ok_or_else(|| bad("no id"))?,
            (None, Some(e)) => e.clone(),
            (None, None) => return Err(bad("no id")),
        },
    };
    if kind.as_deref() == Some("env") && env.is_none() {
        env = src.take();
    }
    if kind.as_deref() == Some("file") && src.is_none() {
        src = env.take();
    }
    let bytes = match (src, env) {
        (Some(path), _) => std::fs::read(&path)
            .map_err(|e| Error::invalid(format!("secret {id}: reading {path}: {e}")))?,
        (None, Some(var)) => std::env::var_os(&var)
            .map(|v| std::os::unix::ffi::OsStrExt::as_bytes(v.as_os_str()).to_vec())
            .ok_or_else(|| {
                Error::invalid(format!(
                    "secret {id}: environment variable {var} is not set"
                ))
            })?,
        (None, None) => std::env::var_os(&id)
            .map(|v| std::os::unix::ffi::OsStrExt::as_bytes(v.as_os_str()).to_vec())
            .ok_or_else(|| {
                Error::invalid(format!(
                    "secret {id}: no src= or env= given and no environment variable {id} is set"
                ))
            })?,
    };
    Ok((id, bytes))
}

impl From<BuildError> for Error {
    fn from(e: BuildError) -> Error {
        Error::Build(e)
    }
}

impl Engine {
    /// Builds an image. `progress` gets the build's output as Docker's classic builder
    /// prints it. A failed or cancelled build leaves no container, mount or image (the steps
    /// that worked stay in the build cache).
    pub fn image_build(&self, opts: BuildOptions, progress: BuildProgress) -> Result<BuildResult> {
        if let Some(p) = &opts.platform {
            let host = crate::build::stages::Platform::host();
            let plain = format!("{}/{}", host.os, host.arch);
            if p != &host.spec() && p != &plain {
                return Err(Error::invalid(format!(
                    "platform {p} is not supported: berth builds for the host's platform ({}) only",
                    host.spec()
                )));
            }
        }
        let outputs = opts.outputs;
        let mut tag_names = opts.tags.clone();
        for o in &outputs {
            tag_names.extend(o.names.iter().cloned());
        }
        let tags = tag_names
            .iter()
            .map(|t| local::parse_tag(t))
            .collect::<std::result::Result<Vec<_>, _>>()?;
        // With `--output`s that all go elsewhere and no tag, no image is left in the store
        // (BuildKit's behaviour); the steps stay in the build cache.
        let keep = outputs.is_empty() || outputs.iter().any(Output::is_image) || !tags.is_empty();
        if outputs.iter().any(|o| o.dest == Some(OutputDest::Stdout))
            && opts.output_stdout.is_none()
        {
            return Err(Error::invalid("an output to \"-\" needs a standard output"));
        }
        if let Some(n) = &opts.network
            && !["bridge", "default", "none", "host", ""].contains(&n.as_str())
        {
            {
                return Err(Error::invalid(format!(
                    "network mode {n:?} not supported for builds (bridge, none, host)"
                )));
            }
        }
        let dockerfile_name = opts
            .dockerfile
            .clone()
            .unwrap_or_else(|| "Dockerfile".to_string());
        // Parse first when the Dockerfile is at hand: a bad one creates nothing.
        if let Some(c) = &opts.dockerfile_content {
            dockerfile::parse(c).map_err(BuildError::from)?;
        }
        let mut store = self.store()?;
        let dir = TempDir(
            store
                .tmp
                .new_dir("build")
                .map_err(Error::io("making the context directory"))?,
        );
        let mut dockerfile_content = opts.dockerfile_content;
        // A remote context becomes a local one (a checkout, an archive, or a Dockerfile alone)
        // in a directory of its own, removed with the build's.
        let mut _remote_dir = None;
        let context = match opts.context {
            BuildContext::Remote(url) => {
                let work = TempDir(
                    store
                        .tmp
                        .new_dir("remote")
                        .map_err(Error::io("making the context directory"))?,
                );
                let fetched = crate::build::remote::fetch(&url, &work.0)?;
                _remote_dir = Some(work);
                match fetched {
                    Fetched::Dir(d) => BuildContext::Dir(d),
                    Fetched::Archive(f) => BuildContext::Tar(Box::new(f)),
                    Fetched::Dockerfile(text) => {
                        if dockerfile_content.is_none() {
                            dockerfile::parse(&text).map_err(BuildError::from)?;
                            dockerfile_content = Some(text);
                        }
                        BuildContext::Tar(Box::new(std::io::Cursor::new(vec![0u8; 1024])))
                    }
                }
            }
            other => other,
        };
        let filter = match context {
            BuildContext::Remote(_) => unreachable!("fetched above"),
            BuildContext::Dir(src) => {
                if !src.is_dir() {
                    return Err(Error::invalid(format!(
                        "unable to prepare context: path {:?} not found",
                        src.display().to_string()
                    )));
                }
                let filter =
                    ContextFilter::new(ignore_of(&src, &dockerfile_name)?, &dockerfile_name);
                send_dir(&src, &filter, &dir.0)?;
                filter
            }
            BuildContext::Tar(r) => {
                unpack(r, &dir.0)?;
                let filter =
                    ContextFilter::new(ignore_of(&dir.0, &dockerfile_name)?, &dockerfile_name);
                // What `.dockerignore` leaves out goes, as it would not have been sent from a
                // directory: COPY does not see it, nor a RUN's bind mount of the context.
                drop_unsent(&dir.0, "", &filter)?;
                filter
            }
        };
        let content = match dockerfile_content {
            Some(c) => c,
            None => {
                let rel = dockerignore::clean(dockerfile_name.trim_start_matches('/'));
                let ctx = Context {
                    dir: dir.0.clone(),
                    filter: None,
                };
                let found = ctx.resolve(&rel).map_err(|_| {
                    Error::invalid(format!(
                        "Cannot locate specified Dockerfile: {dockerfile_name}"
                    ))
                })?;
                std::fs::read(dir.0.join(&found[0].rel)).map_err(|_| {
                    Error::invalid(format!(
                        "Cannot locate specified Dockerfile: {dockerfile_name}"
                    ))
                })?
            }
        };
        let df = dockerfile::parse(&content).map_err(BuildError::from)?;
        let req = Request {
            dockerfile: df,
            context: Context {
                dir: dir.0.clone(),
                filter: Some(filter),
            },
            build_args: opts.build_args,
            target: opts.target,
            no_cache: opts.no_cache,
            pull: opts.pull,
            labels: opts.labels,
            network: opts.network.unwrap_or_default(),
            tags,
            source_date_epoch: opts.source_date_epoch,
            secrets: opts.secrets.into_iter().collect(),
            cancel: opts.cancel,
            keep,
        };
        let p = progress.clone();
        let given = opts.registry_credentials;
        let puller = move |reference: &str, always: bool| -> std::result::Result<(), BuildError> {
            let _ = always;
            p(&format!("Pulling {reference}\n"));
            let credentials = crate::reference::Reference::parse(reference)
                .ok()
                .and_then(|r| crate::registry::auth::credentials_for(&given, &r.registry).cloned());
            self.image_pull(
                &ImagePullOptions {
                    reference: reference.to_string(),
                    platform: None,
                    tls_verify: None,
                    credentials,
                },
                Arc::new(|_| {}),
            )
            .map(|_| ())
            .map_err(|e| BuildError::Pull {
                message: crate::error::one_line(&e),
                kind: crate::error::Classify::kind(&e),
            })
        };
        let id = executor::build(&mut store, &req, progress, &puller)?;
        // An archive names the image by its tags when it keeps them, else by its ID.
        let names = if keep && !tag_names.is_empty() {
            tag_names
        } else {
            vec![id.clone()]
        };
        let mut stdout = opts.output_stdout;
        for o in &outputs {
            let mut sink = std::io::sink();
            let w: &mut dyn std::io::Write = match stdout.as_mut() {
                Some(w) => w,
                None => &mut sink,
            };
            executor::export::export(&mut store, &id, &names, o, w)?;
        }
        Ok(BuildResult { id })
    }

    /// Every entry of the build cache: the steps, oldest first, then the cache mounts.
    pub fn build_cache_list(&self) -> Result<Vec<BuildCacheRecord>> {
        let store = self.store()?;
        let conn = &store.db.conn;
        let rows = crate::state::build::list(conn)?;
        let parents =
            crate::state::images::all_parents(conn).map_err(crate::images::ImageError::from)?;
        let by_image: std::collections::HashMap<&str, &str> = rows
            .iter()
            .map(|r| (r.image_id.as_str(), r.key.as_str()))
            .collect();
        let id = |key: &str| key.trim_start_matches("sha256:").to_string();
        let mut out: Vec<BuildCacheRecord> = rows
            .iter()
            .map(|r| BuildCacheRecord {
                id: id(&r.key),
                parent: parents
                    .get(&r.image_id)
                    .and_then(|p| by_image.get(p.as_str()))
                    .map(|k| id(k)),
                kind: "regular",
                description: r.description.clone(),
                in_use: false,
                shared: false,
                size: r.size.max(0) as u64,
                created: r.created,
                last_used: r.last_used,
                usage_count: r.usage_count.max(1) as u64,
            })
            .collect();
        for m in executor::mounts::CacheMounts::new(&store.root).list() {
            out.push(BuildCacheRecord {
                id: m.id.clone(),
                parent: None,
                kind: "exec.cachemount",
                description: format!("cache mount {}", m.id),
                in_use: false,
                shared: false,
                size: m.size,
                created: m.last_used,
                last_used: m.last_used,
                usage_count: 1,
            });
        }
        Ok(out)
    }

    /// `builder prune` (Docker 28's rules): without `all` the dangling cache only (entries
    /// whose image is in no tagged image's or build result's chain), with `all` every entry and
    /// the cache mounts; `until` (a duration or a time) keeps what was used since; with
    /// `keep_storage`/`reserved_space`, the most recently used entries that fit in that many
    /// bytes stay. A removed entry's step image goes too unless something else holds it.
    pub fn builder_prune(&self, opts: &BuilderPruneOptions) -> Result<BuilderPruned> {
        let (f, until) = super::system::prune_filters(&opts.filters, &["until"])?;
        drop(f);
        let reserved = match (opts.reserved_space, opts.keep_storage) {
            (Some(r), _) if r > 0 => r,
            (_, Some(k)) => k,
            _ => 0,
        };
        let (max_used, min_free) = (
            opts.max_used_space.unwrap_or(0),
            opts.min_free_space.unwrap_or(0),
        );
        let free = if min_free > 0 {
            let what = format!("reading the free space of {}", self.root().display());
            let st = nix::sys::statvfs::statvfs(self.root())
                .map_err(|e| Error::io(what)(std::io::Error::from(e)))?;
            st.blocks_available() as u64 * st.fragment_size() as u64
        } else {
            0
        };
        let total: u64 = self.build_cache_list()?.iter().map(|c| c.size).sum();
        let keep = keep_bytes(total, free, reserved, max_used, min_free);
        self.builder_prune_until(
            opts.all,
            until.map(|n| n / 1_000_000_000),
            (keep > 0).then_some(keep),
        )
    }

    /// [`Engine::builder_prune`] with `until` in seconds (also `system prune`'s).
    pub(crate) fn builder_prune_until(
        &self,
        all: bool,
        until_secs: Option<i64>,
        keep: Option<u64>,
    ) -> Result<BuilderPruned> {
        let mut store = self.store()?;
        let conn = &store.db.conn;
        let rows = crate::state::build::list(conn)?;
        let mounts = executor::mounts::CacheMounts::new(&store.root);
        let mount_list = if all { mounts.list() } else { Vec::new() };
        // The images some tagged image or build result is made of.
        let mut reachable = std::collections::BTreeSet::new();
        if !all {
            let mut heads: Vec<String> = conn
                .prepare(
                    "SELECT DISTINCT image_id FROM tags UNION SELECT image_id FROM build_results",
                )
                .and_then(|mut st| {
                    st.query_map([], |r| r.get::<_, String>(0))?
                        .collect::<rusqlite::Result<Vec<_>>>()
                })
                .map_err(crate::state::StateError::from)?;
            heads.sort();
            for h in heads {
                reachable.extend(
                    crate::state::images::lineage(conn, &h)
                        .map_err(crate::images::ImageError::from)?,
                );
            }
        }
        // Candidates, least recently used first.
        enum Entry {
            Step(crate::state::build::CacheRow),
            Mount(executor::mounts::CacheMountInfo),
        }
        let mut candidates: Vec<(i64, u64, Entry)> = Vec::new();
        for r in rows
            .iter()
            .filter(|r| all || !reachable.contains(&r.image_id))
        {
            candidates.push((r.last_used, r.size.max(0) as u64, Entry::Step(r.clone())));
        }
        for m in mount_list {
            candidates.push((m.last_used, m.size, Entry::Mount(m)));
        }
        candidates.retain(|(used, _, _)| until_secs.is_none_or(|u| *used < u));
        candidates.sort_by_key(|(used, _, _)| *used);
        let mut total: u64 = rows.iter().map(|r| r.size.max(0) as u64).sum::<u64>()
            + mounts.list().iter().map(|m| m.size).sum::<u64>();
        let mut out = BuilderPruned::default();
        for (_, size, e) in candidates {
            if keep.is_some_and(|k| total <= k) {
                break;
            }
            match e {
                Entry::Step(r) => {
                    crate::state::build::delete(&store.db.conn, &r.key)?;
                    total = total.saturating_sub(size);
                    out.caches_deleted
                        .push(r.key.trim_start_matches("sha256:").to_string());
                    out.space_reclaimed += size;
                    self.drop_step_image(&mut store, &r.image_id)?;
                }
                Entry::Mount(m) => {
                    if mounts
                        .remove(&m, &store.tmp)
                        .map_err(Error::io(format!("removing cache mount {}", m.id)))?
                    {
                        total = total.saturating_sub(size);
                        out.caches_deleted.push(m.id.clone());
                        out.space_reclaimed += size;
                    }
                }
            }
        }
        Ok(out)
    }

    /// Removes a step's image when no tag, build result, cache entry or container holds it.
    fn drop_step_image(&self, store: &mut crate::store::Store, image: &str) -> Result<()> {
        let conn = &store.db.conn;
        let held = !crate::state::images::tags_of(conn, image)
            .map_err(crate::images::ImageError::from)?
            .is_empty()
            || crate::state::build::is_result(conn, image)?
            || crate::state::build::list(conn)?
                .iter()
                .any(|r| r.image_id == image)
            || !crate::state::containers::image_in_use(conn, image)?.is_empty();
        if !held {
            let _ = crate::images::remove(store, image, false);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::keep_bytes;

    const G: u64 = 1 << 30;

    #[test]
    fn keep_bytes_folds_the_three_limits_as_buildkit() {
        // No limit: no cap.
        assert_eq!(keep_bytes(10 * G, 5 * G, 0, 0, 0), 0);
        // Reserved alone: keep that much.
        assert_eq!(keep_bytes(10 * G, 5 * G, 2 * G, 0, 0), 2 * G);
        // Max used alone, and never below the reserved space.
        assert_eq!(keep_bytes(10 * G, 5 * G, 0, 4 * G, 0), 4 * G);
        assert_eq!(keep_bytes(10 * G, 5 * G, 6 * G, 4 * G, 0), 6 * G);
        // Min free alone: the disk lacks 3 GiB, so keep 3 GiB less than now.
        assert_eq!(keep_bytes(10 * G, 5 * G, 0, 0, 8 * G), 7 * G);
        // Min free alone, already free enough: everything stays.
        assert_eq!(keep_bytes(10 * G, 9 * G, 0, 0, 8 * G), 10 * G);
        // Both: the smaller of the two.
        assert_eq!(keep_bytes(10 * G, 5 * G, 0, 8 * G, 8 * G), 7 * G);
        assert_eq!(keep_bytes(10 * G, 5 * G, 0, 4 * G, 8 * G), 4 * G);
        // More missing than the cache holds: all of it may go, down to the reserved space.
        assert_eq!(keep_bytes(G, 0, 0, 0, 8 * G), 0);
        assert_eq!(keep_bytes(G, 0, G / 2, 0, 8 * G), G / 2);
    }
}
