//! `podplay run`. Not written yet.
