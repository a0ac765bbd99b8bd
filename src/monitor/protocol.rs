//! The monitor's socket protocol: frames of `[kind: u8][len: u32 BE][payload]`.
//!
//! Client → monitor: `Start` (first frame of the client that starts the container; payload: one
//! flags byte), `Attach` (flags), `Stdin` (empty payload = EOF), `Resize` (rows, cols as u16 BE),
//! `Signal` (u32 BE signal number, then a flags byte: [`SIGNAL_BY_USER`], [`SIGNAL_RESTARTING`]).
//! Monitor → client: `Started` (u32 BE pid), `Error` (i32 BE exit code, then UTF-8 message),
//! `Stdout`, `Stderr` (data), `Exit` (i32 BE exit code).

use std::io::{self, Read, Write};

use crate::error::ErrorKind;

/// `Signal` flag: a user's stop/kill/rm -f; the restart policy does not restart the container.
pub const SIGNAL_BY_USER: u8 = 1;
/// `Signal` flag: `berth restart` stops the container and starts it again: `--rm` does not
/// remove it on this exit (as Docker).
pub const SIGNAL_RESTARTING: u8 = 2;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Kind {
    Start = 1,
    Attach = 2,
    Stdin = 3,
    Resize = 4,
    Signal = 5,
    Started = 10,
    Error = 11,
    Stdout = 12,
    Stderr = 13,
    Exit = 14,
}

impl Kind {
    fn from_u8(b: u8) -> Option<Kind> {
        Some(match b {
            1 => Kind::Start,
            2 => Kind::Attach,
            3 => Kind::Stdin,
            4 => Kind::Resize,
            5 => Kind::Signal,
            10 => Kind::Started,
            11 => Kind::Error,
            12 => Kind::Stdout,
            13 => Kind::Stderr,
            14 => Kind::Exit,
            _ => return None,
        })
    }
}

/// Flags of `Start` and `Attach`.
pub const WANT_STDIN: u8 = 1;
pub const WANT_STDOUT: u8 = 2;
pub const WANT_STDERR: u8 = 4;

const MAX_FRAME: u32 = 1 << 20;

pub fn write_frame(w: &mut impl Write, kind: Kind, payload: &[u8]) -> io::Result<()> {
    let mut buf = Vec::with_capacity(5 + payload.len());
    buf.push(kind as u8);
    buf.extend_from_slice(&(payload.len() as u32).to_be_bytes());
    buf.extend_from_slice(payload);
    w.write_all(&buf)
}

pub fn read_frame(r: &mut impl Read) -> io::Result<Option<(Kind, Vec<u8>)>> {
    let mut head = [0u8; 5];
    match r.read_exact(&mut head) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    }
    let kind = Kind::from_u8(head[0])
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "unknown frame kind"))?;
    let len = u32::from_be_bytes([head[1], head[2], head[3], head[4]]);
    if len > MAX_FRAME {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "frame too large",
        ));
    }
    let mut payload = vec![0u8; len as usize];
    r.read_exact(&mut payload)?;
    Ok(Some((kind, payload)))
}

/// Incremental frame parser for non-blocking sockets.
#[derive(Default)]
pub struct FrameBuf {
    buf: Vec<u8>,
}

impl FrameBuf {
    pub fn push(&mut self, data: &[u8]) {
        self.buf.extend_from_slice(data);
    }

    /// The next complete frame, if any. Unknown kinds are an error.
    pub fn next_frame(&mut self) -> io::Result<Option<(Kind, Vec<u8>)>> {
        if self.buf.len() < 5 {
            return Ok(None);
        }
        let len = u32::from_be_bytes([self.buf[1], self.buf[2], self.buf[3], self.buf[4]]);
        if len > MAX_FRAME {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "frame too large",
            ));
        }
        if self.buf.len() < 5 + len as usize {
            return Ok(None);
        }
        let kind = Kind::from_u8(self.buf[0])
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "unknown frame kind"))?;
        let payload = self.buf[5..5 + len as usize].to_vec();
        self.buf.drain(..5 + len as usize);
        Ok(Some((kind, payload)))
    }
}

pub fn exit_payload(code: i32) -> [u8; 4] {
    code.to_be_bytes()
}

/// An `Error` frame's payload: the failure's exit code (its kind on the wire) and message.
pub fn error_payload(kind: ErrorKind, msg: &str) -> Vec<u8> {
    let mut v = kind.exit_code().to_be_bytes().to_vec();
    v.extend_from_slice(msg.as_bytes());
    v
}

/// The kind and message of an `Error` frame's payload (a payload too short to hold a code is
/// berth's own failure).
pub fn parse_error(p: &[u8]) -> (ErrorKind, String) {
    if p.len() < 4 {
        return (ErrorKind::Internal, String::from_utf8_lossy(p).into_owned());
    }
    (
        ErrorKind::from_exit_code(i32::from_be_bytes([p[0], p[1], p[2], p[3]])),
        String::from_utf8_lossy(&p[4..]).into_owned(),
    )
}

pub fn parse_i32(p: &[u8]) -> i32 {
    if p.len() < 4 {
        return 0;
    }
    i32::from_be_bytes([p[0], p[1], p[2], p[3]])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_roundtrip_whole_and_in_pieces() {
        let mut wire = Vec::new();
        write_frame(&mut wire, Kind::Stdout, b"hello").unwrap();
        write_frame(&mut wire, Kind::Exit, &exit_payload(3)).unwrap();
        let mut r = &wire[..];
        assert_eq!(
            read_frame(&mut r).unwrap(),
            Some((Kind::Stdout, b"hello".to_vec()))
        );
        let (k, p) = read_frame(&mut r).unwrap().unwrap();
        assert_eq!((k, parse_i32(&p)), (Kind::Exit, 3));
        assert_eq!(read_frame(&mut r).unwrap(), None);
        let mut fb = FrameBuf::default();
        for b in &wire {
            fb.push(&[*b]);
        }
        assert_eq!(
            fb.next_frame().unwrap(),
            Some((Kind::Stdout, b"hello".to_vec()))
        );
        assert_eq!(fb.next_frame().unwrap().unwrap().0, Kind::Exit);
        assert_eq!(fb.next_frame().unwrap(), None);
        let (k, m) = parse_error(&error_payload(ErrorKind::CommandNotFound, "not found"));
        assert_eq!((k, m.as_str()), (ErrorKind::CommandNotFound, "not found"));
        assert_eq!(parse_error(b"x").0, ErrorKind::Internal);
    }
}
