//! COPY and ADD steps: a container never started, the sources written into its root by the
//! confined unpacker (from the context, another stage or an image), its upper directory the
//! step's layer.

use super::context::{self, Found};
use super::{BuildError, Builder, Result, State, short};
use crate::build::cache::{CacheKeyInput, SourceDigest};
use crate::build::dockerfile::{self, Add, Copy, Instruction, Source};
use crate::build::remote;
use crate::build::stages::{self, FromRef};
use crate::containers::archive::Root;
use crate::containers::lifecycle;
use crate::containers::{self, Settings};
use crate::layers::ExtractOptions;

impl Builder<'_> {
    pub(super) fn copy(
        &mut self,
        state: &mut State,
        scope: &stages::StageScope,
        c: Copy,
        add: Option<Add>,
        ins: &Instruction,
    ) -> Result<()> {
        let keyword = if add.is_some() { "ADD" } else { "COPY" };
        // Where the files come from.
        let from = match &c.from {
            None => None,
            Some(f) => Some(match stages::resolve_from(&self.plan.stages, f, 0)? {
                FromRef::Stage(i) => {
                    let s = self
                        .stage_images
                        .get(&i)
                        .ok_or_else(|| BuildError::Invalid(format!("stage {f} was not built")))?;
                    s.image.clone().expect("a built stage has an image")
                }
                FromRef::Image(r) => self.image(&r)?,
            }),
        };
        let mut paths: Vec<String> = Vec::new();
        let mut urls: Vec<String> = Vec::new();
        let mut heredocs = Vec::new();
        for s in &c.sources {
            match s {
                Source::Path(p) if add.is_some() && remote::is_url(p) => urls.push(p.clone()),
                Source::Path(p) => paths.push(p.clone()),
                Source::Heredoc(h) => heredocs.push(h.clone()),
            }
        }
        let checksum = match add.as_ref().and_then(|a| a.checksum.as_deref()) {
            None => None,
            Some(_) if urls.is_empty() || !paths.is_empty() || !heredocs.is_empty() => {
                return Err(BuildError::Invalid(
                    "checksum can't be specified for non-HTTP(S) sources".into(),
                ));
            }
            Some(sum) => Some(parse_checksum(sum)?),
        };
        // URL sources are downloaded first: their content is part of the cache key (Docker's
        // classic builder fetches them on every build).
        let downloads = match urls.is_empty() {
            true => None,
            false => Some(TempDownloads::new(self)?),
        };
        let mut fetched: Vec<(String, remote::Downloaded)> = Vec::new();
        for (n, url) in urls.iter().enumerate() {
            let dir = downloads
                .as_ref()
                .expect("made for URLs")
                .0
                .join(n.to_string());
            std::fs::create_dir(&dir)
                .map_err(|e| BuildError::io("making a download directory", e))?;
            let canceled = || self.canceled();
            let d = remote::download_file(url, &dir, remote::add_url_max_size(), &canceled)?;
            if let Some(want) = &checksum
                && *want != d.digest
            {
                return Err(BuildError::Invalid(format!(
                    "checksum of {url} does not match: expected {want}, got {}",
                    d.digest
                )));
            }
            fetched.push((url.clone(), d));
        }
        // Expand the sources and hash them.
        let mut found: Vec<Found> = Vec::new();
        let mut digests = Vec::new();
        if from.is_none() {
            for p in &paths {
                for f in self.req.context.resolve(p)? {
                    digests.push(SourceDigest {
                        path: f.rel.clone(),
                        digest: self.req.context.digest(&f)?,
                    });
                    found.push(f);
                }
            }
        } else {
            for p in &paths {
                digests.push(SourceDigest {
                    path: p.clone(),
                    digest: from.clone().unwrap_or_default(),
                });
            }
        }
        for (url, d) in &fetched {
            digests.push(SourceDigest {
                path: url.clone(),
                digest: d.digest.clone(),
            });
        }
        for h in &heredocs {
            digests.push(SourceDigest {
                path: format!("<<{}", h.name),
                digest: crate::content::sha256_digest(h.content.as_bytes()),
            });
        }
        let count = found.len().max(paths.len()) + fetched.len() + heredocs.len();
        if (count > 1
            || found
                .iter()
                .any(|_| paths.iter().any(|p| p.contains(['*', '?', '['])) && found.len() > 1))
            && !c.dest.ends_with('/')
        {
            return Err(BuildError::Invalid(format!(
                "When using {keyword} with more than one source file, the destination must be a directory and end with a /"
            )));
        }
        let workdir = state.config["config"]["WorkingDir"]
            .as_str()
            .filter(|w| !w.is_empty())
            .unwrap_or("/")
            .to_string();
        let dest_abs = if c.dest.starts_with('/') {
            c.dest.clone()
        } else {
            format!("{}/{}", workdir.trim_end_matches('/'), c.dest)
        };
        let dest_is_dir_syntax = c.dest.ends_with('/') || c.dest == "." || c.dest.ends_with("/.");
        let key = CacheKeyInput {
            parent: state.chain.clone(),
            instruction: ins.clone(),
            env: vec![],
            shell: vec![],
            sources: digests.clone(),
        }
        .key();
        if let Some(id) = self.cached(&key)? {
            return self.use_cached(state, key, &id);
        }
        let mut settings = self.settings(state, scope, Some("none"))?;
        settings.cmd = vec!["true".into()];
        let (cid, _) = self.container(state, settings, false)?;
        let r = self.copy_into(
            &cid,
            &c,
            add.is_some(),
            from.as_deref(),
            &paths,
            &found,
            &heredocs,
            &fetched,
            &dest_abs,
            dest_is_dir_syntax,
        );
        let r = r.and_then(|_| {
            let what: Vec<String> = digests
                .iter()
                .map(|d| {
                    let h = d.digest.trim_start_matches("sha256:");
                    format!(
                        "{}:{}",
                        if d.path.ends_with('/') { "dir" } else { "file" },
                        &h[..h.len().min(64)]
                    )
                })
                .collect();
            let created_by = format!(
                "/bin/sh -c #(nop) {keyword} {} in {} ",
                what.join(" "),
                c.dest
            );
            self.commit_step(state, &cid, key, created_by, keyword)
        });
        self.remove_container(&cid);
        r?;
        self.say(&format!(" ---> {}\n", short(&state.shown)));
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn copy_into(
        &mut self,
        cid: &str,
        c: &Copy,
        add: bool,
        from: Option<&str>,
        paths: &[String],
        found: &[Found],
        heredocs: &[dockerfile::Heredoc],
        fetched: &[(String, remote::Downloaded)],
        dest: &str,
        dest_dir_syntax: bool,
    ) -> Result<()> {
        let row = containers::resolve(self.store, cid)?;
        let root = Root::open(self.store, &row, cid, true)?;
        let root_path = std::path::PathBuf::from(format!("/proc/self/fd/{}", root.raw_fd()));
        let owner = match &c.chown {
            Some(spec) => {
                let u = crate::spec::user::resolve(&root_path, spec, &[]).map_err(|e| {
                    BuildError::Invalid(format!(
                        "unable to convert uid/gid chown string to host mapping: {e}"
                    ))
                })?;
                Some((u.uid, u.gid))
            }
            // Docker: files from the context become root's; those of another stage or an
            // image keep their owners (as their modes).
            None if from.is_some() => None,
            None => Some((0, 0)),
        };
        let chmod = match &c.chmod {
            Some(m) => Some(
                u32::from_str_radix(m, 8)
                    .map_err(|_| BuildError::Invalid(format!("invalid chmod parameter: {m}")))?,
            ),
            None => None,
        };
        let dest_exists_dir = root
            .resolve(dest, true)
            .map(|r| r.is_dir())
            .unwrap_or(false);
        let into_dir = dest_dir_syntax || dest_exists_dir;
        let opts = ExtractOptions {
            whiteouts: false,
            owner: None,
            no_overwrite_dir_non_dir: false,
        };
        let mkdir = |p: &str| {
            crate::spec::inroot::mkdir_all_in_root(&root_path, p)
                .map_err(|e| BuildError::io(format!("creating {p}"), e))
        };
        let parent_of = |p: &str| -> (String, String) {
            let parts = containers::archive::clean(p);
            let name = parts.last().map(|s| s.to_string()).unwrap_or_default();
            let parent = format!("/{}", parts[..parts.len().saturating_sub(1)].join("/"));
            (parent, name)
        };
        // One source (a tree or a file) as a tar stream of its own entries.
        let put = |tar: Vec<u8>, is_dir: bool, base: &str| -> Result<()> {
            let (dir, prefix, drop_top) = if is_dir {
                mkdir(dest)?;
                (dest.to_string(), String::new(), true)
            } else if into_dir {
                mkdir(dest)?;
                (dest.to_string(), base.to_string(), false)
            } else {
                let (parent, name) = parent_of(dest);
                mkdir(&parent)?;
                (parent, name, false)
            };
            // A file's one entry is named `prefix`; a tree's go below the directory.
            let (prefix, single) = if is_dir {
                (prefix, false)
            } else {
                (prefix, true)
            };
            let tar = context::rewrite_tar(&tar, &prefix, drop_top, single, owner, chmod)?;
            root.put(&dir, tar.as_slice(), opts)?;
            Ok(())
        };
        if let Some(image) = from {
            // From another stage or an image: through a container of it, never started.
            let settings = Settings {
                image: image.to_string(),
                entrypoint: Some(vec![String::new()]),
                cmd: vec!["true".into()],
                ..Settings::default()
            };
            let id = crate::names::new_id();
            let src = containers::create_with_id(self.store, &settings, None, id.clone())?;
            let r = (|| -> Result<()> {
                let src_root = Root::open(self.store, &src, &id, false)?;
                for p in paths {
                    let abs = if p.starts_with('/') {
                        p.clone()
                    } else {
                        format!("/{p}")
                    };
                    let r = src_root.resolve(&abs, true).map_err(|_| {
                        BuildError::Invalid(format!("COPY failed: stat {abs}: file does not exist"))
                    })?;
                    let is_dir = r.is_dir();
                    let mut tar = Vec::new();
                    let top: &[u8] = if is_dir { b"." } else { r.name.as_slice() };
                    src_root.write_tar(&r, top, &mut tar)?;
                    let base = String::from_utf8_lossy(&r.name).into_owned();
                    put(tar, is_dir, &base)?;
                }
                Ok(())
            })();
            if let Ok(c) = containers::resolve(self.store, &id) {
                let _ = lifecycle::remove_with_volumes(self.store, &c, true, true);
            }
            r?;
        }
        for f in found {
            let (parent, name) = self.req.context.parent_of(&f.rel)?;
            let base = String::from_utf8_lossy(&name).into_owned();
            let full = self.req.context.dir.join(&f.rel);
            if add && !f.is_dir && context::is_archive(&full) {
                mkdir(dest)?;
                let file = std::fs::File::open(&full).map_err(|e| BuildError::io(&f.rel, e))?;
                let mut o = opts;
                o.owner = c.chown.as_ref().and(owner);
                root.put(dest, file, o)?;
                continue;
            }
            let mut tar = Vec::new();
            let top: &[u8] = if f.is_dir { b"." } else { name.as_slice() };
            crate::containers::archive::tarball::write_tree(
                std::os::fd::AsFd::as_fd(&parent),
                &name,
                top,
                &mut tar,
            )
            .map_err(|e| BuildError::io(&f.rel, e))?;
            put(tar, f.is_dir, &base)?;
        }
        for h in heredocs {
            let mut b = tar::Builder::new(Vec::new());
            let mut header = tar::Header::new_gnu();
            header.set_size(h.content.len() as u64);
            header.set_mode(0o644);
            header.set_entry_type(tar::EntryType::Regular);
            b.append_data(&mut header, &h.name, h.content.as_bytes())
                .map_err(|e| BuildError::io("heredoc", e))?;
            let tar = b.into_inner().map_err(|e| BuildError::io("heredoc", e))?;
            put(tar, false, &h.name)?;
        }
        // Downloads: a file of mode 0600 (or `--chmod`), root's (or `--chown`'s), with the
        // server's Last-Modified time (else the epoch), never unpacked.
        for (url, d) in fetched {
            let (dir, name) = if into_dir {
                let name = d.filename.clone().ok_or_else(|| {
                    BuildError::Invalid(format!("cannot determine filename for source {url}"))
                })?;
                mkdir(dest)?;
                (dest.to_string(), name)
            } else {
                let (parent, name) = parent_of(dest);
                mkdir(&parent)?;
                (parent, name)
            };
            let err = |e: std::io::Error| BuildError::io(format!("adding {url}"), e);
            let mut tar = std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .create_new(true)
                .open(d.path.with_extension("tar"))
                .map_err(err)?;
            {
                let mut b = tar::Builder::new(&mut tar);
                let mut h = tar::Header::new_gnu();
                h.set_entry_type(tar::EntryType::Regular);
                h.set_size(d.size);
                h.set_mode(chmod.unwrap_or(0o600));
                let (uid, gid) = owner.unwrap_or((0, 0));
                h.set_uid(uid.into());
                h.set_gid(gid.into());
                h.set_mtime(d.last_modified.unwrap_or(0).max(0) as u64);
                let src = std::fs::File::open(&d.path).map_err(err)?;
                b.append_data(&mut h, &name, std::io::Read::take(src, d.size))
                    .map_err(err)?;
                b.finish().map_err(err)?;
            }
            std::io::Seek::rewind(&mut tar).map_err(err)?;
            root.put(&dir, tar, opts)?;
        }
        Ok(())
    }
}

/// The directory of a step's downloads, removed with it.
struct TempDownloads(std::path::PathBuf);

impl TempDownloads {
    fn new(b: &Builder<'_>) -> Result<TempDownloads> {
        let dir = b
            .store
            .tmp
            .new_dir("add")
            .map_err(|e| BuildError::io("making a download directory", e))?;
        Ok(TempDownloads(dir))
    }
}

impl Drop for TempDownloads {
    fn drop(&mut self) {
        let _ = crate::tmp::remove_any(&self.0);
    }
}

/// `--checksum=sha256:HEX` as a digest (lower-case hex).
fn parse_checksum(sum: &str) -> Result<String> {
    let bad = || {
        BuildError::Invalid(format!(
            "invalid checksum {sum:?}: expected sha256:<64 hex digits>"
        ))
    };
    let hex = sum.strip_prefix("sha256:").ok_or_else(bad)?;
    if hex.len() != 64 || !hex.bytes().all(|c| c.is_ascii_hexdigit()) {
        return Err(bad());
    }
    Ok(format!("sha256:{}", hex.to_ascii_lowercase()))
}
