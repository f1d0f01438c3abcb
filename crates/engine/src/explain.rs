//! Why a pod is in its state, in plain words. Not written yet.
