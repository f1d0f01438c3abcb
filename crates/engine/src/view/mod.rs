//! kubectl's views of a pod: the `kubectl get pods` row and table, the `kubectl describe pod`
//! report, and the human durations both of them print.
//!
//! Start with [`get::pod_row`] (a port of `printPod`) and [`describe::describe_pod`] (a port of
//! `describePod`); [`duration::human_duration`] is apimachinery's `HumanDuration`. Every function
//! takes the current time as a parameter: the views never read a clock.

pub mod describe;
pub mod duration;
pub mod get;
mod qos;
mod tabwriter;
pub mod trace;

pub use describe::{describe_pod, EventRecord};
pub use duration::{human_duration, short_human_duration};
pub use get::{format_table, pod_row, PodRow, TableRowCondition};
pub use qos::pod_qos;
