//! The state file (`--state-file`): every sandbox loaded when the server starts and saved while
//! it runs, so that a restart keeps them, tokens included.
//!
//! A [`Saver`] task wakes every [`SAVE_EVERY`] and saves only when the store's revision moved,
//! on a blocking thread: a request never waits on the disk, and a send costs one atomic add.
//! A save serializes each sandbox under its lock, so a big state under load waits longer
//! between saves ([`next_wait`]): saving takes at most a fortieth of the server's time.
//! Each save writes a temporary file beside the target, syncs it and renames it over the old
//! one, so a crash (`kill -9`, a full disk) leaves the last complete file, never part of one.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::store::{Sandbox, SandboxHooks, Store};

/// How often the saver looks for changes: at most this much is lost to a crash, unless saves
/// take long (*invented*).
pub(crate) const SAVE_EVERY: Duration = Duration::from_secs(2);

/// The wait before the next look for changes, after a save that took `took`: [`SAVE_EVERY`],
/// or 39 times the save when that is longer, so that saving stays within 2.5% of the time (a
/// save also leaves the caches cold for the requests after it).
fn next_wait(took: Duration) -> Duration {
    SAVE_EVERY.max(took * 39)
}

/// Loads `path` into `store` when it exists (the default sandbox and each other sandbox with
/// its token), else writes it at once so that a path that cannot be written stops the server
/// now rather than losing state later.
pub(crate) fn open(
    path: &Path,
    store: &Store,
    hooks: impl Fn(&Sandbox) -> Arc<dyn SandboxHooks>,
) -> std::io::Result<()> {
    let problem = |what: String| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("state file {}: {what}", path.display()),
        )
    };
    match std::fs::read(path) {
        Ok(bytes) => {
            let count = store
                .load_all(&bytes, hooks)
                .map_err(|e| problem(e.to_string()))?;
            tracing::info!(path = %path.display(), sandboxes = count, "state file loaded");
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => write_atomic(path, &store.save_all())
            .map_err(|e| problem(format!("cannot be written: {e}"))),
        Err(e) => Err(problem(format!("cannot be read: {e}"))),
    }
}

/// Writes `bytes` to `path` whole or not at all: a temporary file beside it, synced, renamed
/// over it, and the directory synced so that the rename survives a power cut.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut name = path.file_name().unwrap_or_default().to_owned();
    name.push(".tmp");
    let temp = path.with_file_name(name);
    let written = (|| {
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()
    })();
    if let Err(e) = written.and_then(|()| std::fs::rename(&temp, path)) {
        let _ = std::fs::remove_file(&temp);
        return Err(e);
    }
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
    if let Ok(dir) = std::fs::File::open(dir.unwrap_or(Path::new("."))) {
        // Some filesystems cannot sync a directory; the file itself is already whole.
        let _ = dir.sync_all();
    }
    Ok(())
}

/// The background task that saves the store while it changes; saves once more when shut down.
#[derive(Debug)]
pub(crate) struct Saver {
    stop: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

impl Saver {
    /// Starts saving `store` to `path` (already written or loaded by [`open`]).
    pub(crate) fn start(store: Store, path: PathBuf) -> Self {
        let (stop, mut stopped) = oneshot::channel();
        let task = tokio::spawn(async move {
            let mut saved = store.revision();
            let mut wait = SAVE_EVERY;
            loop {
                let stopping = tokio::select! {
                    () = tokio::time::sleep(wait) => false,
                    _ = &mut stopped => true,
                };
                if store.revision() != saved {
                    let started = std::time::Instant::now();
                    saved = save(&store, &path).await;
                    wait = next_wait(started.elapsed());
                }
                if stopping {
                    return;
                }
            }
        });
        Self { stop, task }
    }

    /// Stops the task after a last save of anything not yet saved.
    pub(crate) async fn shutdown(self) {
        let _ = self.stop.send(());
        let _ = self.task.await;
    }
}

/// Saves the store on a blocking thread; answers the revision it saved (the one it read before
/// writing, so a change made meanwhile is saved next time).
async fn save(store: &Store, path: &Path) -> u64 {
    let (store, path) = (store.clone(), path.to_owned());
    let task = tokio::task::spawn_blocking(move || {
        let revision = store.revision();
        if let Err(e) = write_atomic(&path, &store.save_all()) {
            // The old file stays whole; the next change tries again.
            tracing::error!(path = %path.display(), "state file not saved: {e}");
            return revision.wrapping_sub(1);
        }
        revision
    });
    task.await.unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_save_stretches_the_wait_to_keep_saving_under_a_fortieth() {
        assert_eq!(next_wait(Duration::from_millis(30)), SAVE_EVERY);
        let took = Duration::from_millis(400);
        let wait = next_wait(took);
        assert_eq!(wait, Duration::from_millis(15_600));
        assert!(took.as_secs_f64() / (took + wait).as_secs_f64() <= 0.025);
    }
}
