//! `events`: the event log of this root, read and followed (`crate::events` records it).

use super::{Engine, Error, Result};
use crate::events::{Event, Filter, Reader, Sink, Window};

/// What `events` shows: a time window (nanoseconds since the epoch) and Docker's filters.
#[derive(Debug, Clone, Default)]
pub struct EventsOptions {
    pub since: Option<i64>,
    pub until: Option<i64>,
    /// `(key, value)` pairs: container, image, event, type, label, network, volume, scope.
    pub filters: Vec<(String, String)>,
}

/// An open event stream: the options were valid and the log is open, so a front end can
/// answer (an HTTP status) before the events come.
#[derive(Debug)]
pub struct EventStream {
    reader: Reader,
    filter: Filter,
}

impl EventStream {
    /// Hands `sink` each matching event, oldest first: the recorded ones in the window when it
    /// has a bound, then (unless the window ended already) those recorded after, until the
    /// window ends, the sink says stop, or `cancelled()` (looked at every 100 ms while nothing
    /// comes). The sink hears each time the stream has caught up with the writers.
    pub fn run(self, cancelled: &dyn Fn() -> bool, sink: &mut dyn Sink) -> Result<()> {
        let mut filtered = Filtered {
            filter: &self.filter,
            sink,
        };
        self.reader
            .run(cancelled, &mut filtered)
            .map_err(Error::io("reading the event log"))
    }
}

struct Filtered<'a> {
    filter: &'a Filter,
    sink: &'a mut dyn Sink,
}

impl Sink for Filtered<'_> {
    fn event(&mut self, e: Event) -> bool {
        !self.filter.matches(&e) || self.sink.event(e)
    }

    fn caught_up(&mut self) -> bool {
        self.sink.caught_up()
    }
}

impl Engine {
    /// Opens the event log for `events`.
    pub fn system_events(&self, o: &EventsOptions) -> Result<EventStream> {
        if let (Some(since), Some(until)) = (o.since, o.until)
            && until < since
        {
            return Err(Error::invalid(format!(
                "since time ({}) cannot be after until time ({})",
                crate::clock::rfc3339_nanos(since),
                crate::clock::rfc3339_nanos(until)
            )));
        }
        let filter = Filter::new(&o.filters).map_err(|e| Error::invalid(e.to_string()))?;
        let window = Window {
            since: o.since,
            until: o.until,
        };
        let follow = o.until.is_none_or(|u| u > crate::clock::now_nanos());
        let reader =
            Reader::open(&self.root, window, follow).map_err(Error::io("opening the event log"))?;
        Ok(EventStream { reader, filter })
    }
}
