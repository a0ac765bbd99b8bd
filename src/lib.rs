#![recursion_limit = "256"]
//! berth: Docker's command line on one host, without a daemon.
//!
//! The modules follow the data: a [`reference`] names an image in a [`registry`]; its blobs land
//! in the [`content`] store, its layers are unpacked into the [`layers`] store, [`images`] records
//! tie them together in the [`state`] database, and [`overlay`] stacks layer directories into overlay mounts.
//! [`cli`] is the thin command-line edge over all of it. See ARCHITECTURE.md.

pub mod api;
pub mod build;
pub mod cli;
pub mod clock;
pub mod containers;
pub mod content;
pub mod engine;
pub mod error;
pub mod events;
pub mod filters;
pub mod images;
pub mod layers;
pub mod lock;
pub mod monitor;
pub mod mountinfo;
pub mod names;
pub mod network;
pub mod overlay;
pub mod reap;
pub mod reference;
pub mod registry;
pub mod runtime;
pub mod spec;
pub mod state;
pub mod store;
pub mod system;
pub mod tmp;
pub mod volumes;
