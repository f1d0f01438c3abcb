//! Kubernetes Events as the kubelet and the scheduler record them: identical events (same
//! object, source, type, reason and message) are one Event whose count and last time grow, as
//! client-go's `EventCorrelator` (`eventLogger`) aggregates them.

use crate::time::Time;

/// One Event object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    pub namespace: String,
    /// `Pod/web`.
    pub object: String,
    pub object_uid: String,
    /// `spec.containers{app}`, or empty for the pod itself.
    pub field_path: String,
    /// `Normal` or `Warning`.
    pub type_: &'static str,
    pub reason: String,
    pub message: String,
    /// `kubelet` or `default-scheduler`.
    pub source: &'static str,
    pub count: u32,
    pub first: Time,
    pub last: Time,
}

/// Every Event so far, in the order each was first seen.
#[derive(Clone, Debug, Default)]
pub struct Events {
    pub list: Vec<Event>,
    /// The Events by a hash of their aggregation key (`getEventKey`: object, field path, type,
    /// reason, message, source), as the correlator's cache keeps them; the few that share a
    /// hash are told apart by the key's fields.
    index: std::collections::HashMap<u64, Vec<usize>>,
}

/// FNV-1a over the fields that make two events one, each ended by a byte no text holds.
fn key_hash(e: &Event) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in [
        e.object_uid.as_str(),
        e.field_path.as_str(),
        e.type_,
        e.reason.as_str(),
        e.message.as_str(),
        e.source,
    ] {
        for b in part.bytes().chain([0xff]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

fn same_key(a: &Event, b: &Event) -> bool {
    a.object_uid == b.object_uid
        && a.field_path == b.field_path
        && a.type_ == b.type_
        && a.reason == b.reason
        && a.message == b.message
        && a.source == b.source
}

impl Events {
    /// Records an occurrence at `now`; returns the index of the (new or grown) Event.
    pub fn record(&mut self, now: Time, mut event: Event) -> usize {
        let key = key_hash(&event);
        let same = self.index.get(&key).and_then(|candidates| {
            candidates
                .iter()
                .copied()
                .find(|&i| same_key(&self.list[i], &event))
        });
        if let Some(i) = same {
            let e = &mut self.list[i];
            e.count += 1;
            e.last = now;
            return i;
        }
        event.count = 1;
        event.first = now;
        event.last = now;
        self.list.push(event);
        let i = self.list.len() - 1;
        self.index.entry(key).or_default().push(i);
        i
    }

    /// The Events about one object (by uid), in order.
    pub fn for_object<'a>(&'a self, uid: &'a str) -> impl Iterator<Item = &'a Event> + 'a {
        self.list.iter().filter(move |e| e.object_uid == uid)
    }
}
