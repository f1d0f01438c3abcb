//! Removing what podplay left on a Docker engine: by the run label every object carries
//! ([`crate::names::RUN_LABEL`]), and the state directories runs make. `podplay docker gc` and
//! the end of every run go through here.

use std::path::Path;

use bollard::query_parameters::RemoveContainerOptions;
use bollard::Docker;

use crate::names::RUN_LABEL;
use crate::runtime::{containers_labelled, daemon_message};

/// Force-removes the containers of run `run` (every podplay run's with `None`), with their
/// anonymous volumes. Returns how many went.
pub async fn remove_containers(docker: &Docker, run: Option<&str>) -> Result<usize, String> {
    let label = match run {
        Some(run) => format!("{RUN_LABEL}={run}"),
        None => RUN_LABEL.to_string(),
    };
    let ids = containers_labelled(docker, &label)
        .await
        .map_err(|e| daemon_message(&e))?;
    let mut removed = 0;
    let mut errors = Vec::new();
    for id in ids {
        let options = RemoveContainerOptions {
            force: true,
            v: true,
            ..Default::default()
        };
        match docker.remove_container(&id, Some(options)).await {
            Ok(()) => removed += 1,
            // Gone already (removed meanwhile): nothing left to do.
            Err(bollard::errors::Error::DockerResponseServerError {
                status_code: 404, ..
            }) => {}
            Err(e) => errors.push(daemon_message(&e)),
        }
    }
    if errors.is_empty() {
        Ok(removed)
    } else {
        Err(errors.join("; "))
    }
}

/// What `podplay docker gc` removed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Collected {
    pub containers: usize,
    pub directories: usize,
}

/// Removes every podplay container on the engine and every run directory under `state_dir`.
pub async fn collect(docker: &Docker, state_dir: &Path) -> Result<Collected, String> {
    let containers = remove_containers(docker, None).await?;
    let mut directories = 0;
    if let Ok(entries) = std::fs::read_dir(state_dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                std::fs::remove_dir_all(&path)
                    .map_err(|e| format!("cannot remove {}: {e}", path.display()))?;
                directories += 1;
            }
        }
    }
    Ok(Collected {
        containers,
        directories,
    })
}
