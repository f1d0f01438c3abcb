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
    /// The aggregation key of each Event (`getEventKey`: object, field path, type, reason,
    /// message, source) → its index in `list`, as the correlator's cache keeps it.
    index: std::collections::HashMap<
        (String, String, &'static str, String, String, &'static str),
        usize,
    >,
}

impl Events {
    /// Records an occurrence at `now`; returns the index of the (new or grown) Event.
    pub fn record(&mut self, now: Time, mut event: Event) -> usize {
        let key = (
            event.object_uid.clone(),
            event.field_path.clone(),
            event.type_,
            event.reason.clone(),
            event.message.clone(),
            event.source,
        );
        if let Some(&i) = self.index.get(&key) {
            let e = &mut self.list[i];
            e.count += 1;
            e.last = now;
            return i;
        }
        event.count = 1;
        event.first = now;
        event.last = now;
        self.list.push(event);
        self.index.insert(key, self.list.len() - 1);
        self.list.len() - 1
    }

    /// The Events about one object (by uid), in order.
    pub fn for_object<'a>(&'a self, uid: &'a str) -> impl Iterator<Item = &'a Event> + 'a {
        self.list.iter().filter(move |e| e.object_uid == uid)
    }
}
