//! The engine's error: any failure of an operation, with its source chain, and Docker's
//! classification of it ([`ErrorKind`]) from which the CLI takes its exit code and the Engine
//! API its HTTP status. The core's error types are classified here, in one table, so that no
//! front end ever reads a message to decide what happened.

use crate::containers::ContainerError;
use crate::containers::archive::ArchiveError;
use crate::containers::attach::AttachError;
use crate::containers::exec::ExecError;
use crate::error::{Classify, ErrorKind};
use crate::images::ImageError;
use crate::monitor::client::ClientError;
use crate::network::NetworkError;
use crate::network::ports::PortError;
use crate::reference::ReferenceError;
use crate::registry::RegistryError;
use crate::registry::config::ConfigError;
use crate::registry::login::LoginError;
use crate::spec::SpecError;
use crate::state::StateError;
use crate::store::StoreError;
use crate::volumes::VolumeError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad input that no core module saw (a flag value, an option combination).
    #[error("{0}")]
    InvalidArgument(String),
    /// No object of that name (the message says which).
    #[error("{0}")]
    NotFound(String),
    /// An operation that needs what this host or build does not offer.
    #[error("{0}")]
    NotImplemented(String),
    #[error(transparent)]
    Container(#[from] ContainerError),
    #[error(transparent)]
    Image(#[from] ImageError),
    #[error(transparent)]
    Network(#[from] NetworkError),
    #[error(transparent)]
    Volume(#[from] VolumeError),
    #[error(transparent)]
    Reference(#[from] ReferenceError),
    #[error(transparent)]
    Registry(#[from] RegistryError),
    #[error(transparent)]
    RegistryConfig(#[from] ConfigError),
    #[error(transparent)]
    Login(#[from] LoginError),
    #[error(transparent)]
    Spec(#[from] SpecError),
    #[error(transparent)]
    Monitor(#[from] ClientError),
    #[error(transparent)]
    Exec(#[from] ExecError),
    #[error(transparent)]
    Attach(#[from] AttachError),
    #[error(transparent)]
    Archive(#[from] ArchiveError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Build(crate::build::executor::BuildError),
    #[error(transparent)]
    RemoteContext(#[from] crate::build::remote::RemoteError),
    #[error(transparent)]
    State(#[from] StateError),
    #[error("{what}: {source}")]
    Io {
        what: String,
        #[source]
        source: std::io::Error,
    },
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub fn invalid(msg: impl Into<String>) -> Error {
        Error::InvalidArgument(msg.into())
    }

    pub fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> Error {
        let what = what.into();
        move |source| Error::Io { what, source }
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        Error::State(StateError::Sql(e))
    }
}

impl Classify for Error {
    fn kind(&self) -> ErrorKind {
        match self {
            Error::InvalidArgument(_) => ErrorKind::InvalidArgument,
            Error::NotFound(_) => ErrorKind::NotFound,
            Error::NotImplemented(_) => ErrorKind::NotImplemented,
            Error::Container(e) => e.kind(),
            Error::Image(e) => e.kind(),
            Error::Network(e) => e.kind(),
            Error::Volume(e) => e.kind(),
            Error::Reference(_) | Error::Spec(_) => ErrorKind::InvalidArgument,
            Error::Registry(e) => e.kind(),
            Error::Login(e) => e.kind(),
            Error::Monitor(e) => e.kind(),
            Error::Exec(e) => e.kind(),
            Error::Attach(e) => e.kind(),
            Error::Archive(e) => e.kind(),
            Error::Build(e) => e.kind(),
            Error::RemoteContext(e) => e.kind(),
            Error::RegistryConfig(_) | Error::Store(_) | Error::State(_) | Error::Io { .. } => {
                ErrorKind::Internal
            }
        }
    }
}

impl Classify for ContainerError {
    fn kind(&self) -> ErrorKind {
        match self {
            ContainerError::NotFound(_) => ErrorKind::NotFound,
            ContainerError::Ambiguous(_)
            | ContainerError::BadName(_)
            | ContainerError::Invalid(_) => ErrorKind::InvalidArgument,
            ContainerError::NameTaken { .. }
            | ContainerError::UpdateConflict(_)
            | ContainerError::Running(_)
            | ContainerError::NotRunning(_) => ErrorKind::Conflict,
            ContainerError::AlreadyRunning(_) => ErrorKind::NotModified,
            ContainerError::Image(e) => e.kind(),
            ContainerError::Overlay(e) => e.kind(),
            ContainerError::Volume(e) => e.kind(),
            ContainerError::Monitor(e) => e.kind(),
            ContainerError::Spec(_) => ErrorKind::InvalidArgument,
            ContainerError::Network(e) => e.kind(),
            ContainerError::Port(e) => e.kind(),
            ContainerError::State(_)
            | ContainerError::Io { .. }
            | ContainerError::Runtime(_)
            | ContainerError::BadSettings { .. } => ErrorKind::Internal,
        }
    }
}

impl Classify for ArchiveError {
    fn kind(&self) -> ErrorKind {
        use crate::layers::UnpackError;
        match self {
            ArchiveError::NotFound { .. } => ErrorKind::NotFound,
            ArchiveError::Invalid(_) => ErrorKind::InvalidArgument,
            ArchiveError::NotSupported(_) => ErrorKind::NotImplemented,
            ArchiveError::Busy(_) => ErrorKind::Conflict,
            ArchiveError::Container(e) => e.kind(),
            // A bad archive from outside is bad input; a failing disk is not.
            ArchiveError::Unpack(UnpackError::Io { .. }) => ErrorKind::Internal,
            ArchiveError::Unpack(_) => ErrorKind::InvalidArgument,
            ArchiveError::Io { .. } => ErrorKind::Internal,
        }
    }
}

impl Classify for ImageError {
    fn kind(&self) -> ErrorKind {
        match self {
            ImageError::NotFound(_) | ImageError::NoLocalTag(_) => ErrorKind::NotFound,
            ImageError::Ambiguous(_) | ImageError::Reference(_) | ImageError::Invalid(_) => {
                ErrorKind::InvalidArgument
            }
            ImageError::MultipleRepositories { .. }
            | ImageError::Mounted(_)
            | ImageError::Conflict(_)
            | ImageError::InUse { .. } => ErrorKind::Conflict,
            ImageError::Registry(e) => e.kind(),
            _ => ErrorKind::Internal,
        }
    }
}

impl Classify for NetworkError {
    fn kind(&self) -> ErrorKind {
        match self {
            NetworkError::NotFound(_) => ErrorKind::NotFound,
            NetworkError::Exists(_) | NetworkError::InUse { .. } => ErrorKind::Conflict,
            NetworkError::Ambiguous(_)
            | NetworkError::Predefined(_)
            | NetworkError::Invalid(_)
            | NetworkError::Subnet(_)
            | NetworkError::Subnet6(_) => ErrorKind::InvalidArgument,
            NetworkError::Port(e) => e.kind(),
            _ => ErrorKind::Internal,
        }
    }
}

impl Classify for PortError {
    fn kind(&self) -> ErrorKind {
        match self {
            PortError::Taken { .. } => ErrorKind::Conflict,
            PortError::Spec { .. } | PortError::Expose { .. } | PortError::ExposeFormat(_) => {
                ErrorKind::InvalidArgument
            }
            _ => ErrorKind::Internal,
        }
    }
}

impl Classify for VolumeError {
    fn kind(&self) -> ErrorKind {
        match self {
            VolumeError::NotFound(_) => ErrorKind::NotFound,
            VolumeError::InUse { .. } => ErrorKind::Conflict,
            VolumeError::BadName(_) | VolumeError::Invalid(_) => ErrorKind::InvalidArgument,
            VolumeError::State(_) | VolumeError::Io { .. } => ErrorKind::Internal,
        }
    }
}

impl Classify for RegistryError {
    fn kind(&self) -> ErrorKind {
        match self {
            RegistryError::NotFound(_) | RegistryError::NoPlatform { .. } => ErrorKind::NotFound,
            RegistryError::BadPlatform(_) => ErrorKind::InvalidArgument,
            _ => ErrorKind::Internal,
        }
    }
}

impl Classify for LoginError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::Internal
    }
}

impl Classify for ClientError {
    fn kind(&self) -> ErrorKind {
        match self {
            ClientError::Start { kind, .. } => *kind,
            _ => ErrorKind::Internal,
        }
    }
}

/// The kind of an error found anywhere in a chain of causes (the CLI's `anyhow` errors wrap
/// the engine's): the first classified one decides; none is berth's own failure.
pub fn kind_of(e: &(dyn std::error::Error + 'static)) -> Option<ErrorKind> {
    macro_rules! try_as {
        ($($t:ty),*) => {
            $(if let Some(x) = e.downcast_ref::<$t>() {
                return Some(x.kind());
            })*
        };
    }
    try_as!(
        Error,
        ContainerError,
        ImageError,
        NetworkError,
        VolumeError,
        RegistryError,
        LoginError,
        ClientError,
        ExecError,
        AttachError,
        crate::network::mode::NetworkModeError,
        crate::filters::FilterError
    );
    None
}
