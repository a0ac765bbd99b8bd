//! The front half of `build`, as pure logic: no I/O but the bytes it is given. The Dockerfile
//! parser ([`dockerfile`]), Docker's shell-style variable substitution ([`substitute`]),
//! `.dockerignore` ([`dockerignore`]), and the stage graph with ARG scoping and the typed plan
//! an executor consumes ([`stages`], [`cache`]); those import nothing of the engine or front
//! ends. [`executor`] runs a plan against the store (containers, layers, images);
//! [`remote`] fetches a remote context (a Git repository, an archive or a Dockerfile by URL).

pub mod cache;
pub mod dockerfile;
pub mod dockerignore;
pub mod executor;
pub mod glob;
pub mod remote;
pub mod stages;
pub mod substitute;
