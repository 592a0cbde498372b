//! Work over the cores, results in input order as they come: what a survey streams with.

use std::collections::BTreeMap;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Condvar, Mutex};

/// Runs `work(0..n)` on rayon's threads and hands each result to `each`, on the calling
/// thread, in index order. A worker takes an index only within a window of the next one
/// to hand on, so the results that wait behind a slow item (a large package) stay few:
/// memory is bounded by the window, not by `n`.
///
/// The caller must not be one of rayon's own threads (it blocks while they work).
pub fn for_each<T: Send>(n: usize, work: impl Fn(usize) -> T + Sync, mut each: impl FnMut(T)) {
    let threads = rayon::current_num_threads().max(1);
    // Wide enough that the other threads keep busy while one reads a package ten or twenty
    // times the median size (systemd, dovecot-core); what waits is only small results.
    let window = 32 * threads;
    let next = AtomicUsize::new(0);
    // Set when a worker panics: the others must not wait for its result.
    let stopped = AtomicBool::new(false);
    // The count of results handed on, which lets workers past the window go on.
    let handed = (Mutex::new(0usize), Condvar::new());
    let (tx, rx) = mpsc::channel::<(usize, T)>();
    rayon::in_place_scope(|scope| {
        for _ in 0..threads.min(n) {
            let tx = tx.clone();
            let (next, handed, work, stopped) = (&next, &handed, &work, &stopped);
            scope.spawn(move |_| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n {
                    break;
                }
                let (lock, moved) = handed;
                let mut done = lock.lock().unwrap_or_else(|e| e.into_inner());
                while i >= *done + window && !stopped.load(Ordering::Relaxed) {
                    done = moved.wait(done).unwrap_or_else(|e| e.into_inner());
                }
                drop(done);
                if stopped.load(Ordering::Relaxed) {
                    break;
                }
                match panic::catch_unwind(AssertUnwindSafe(|| work(i))) {
                    Ok(result) => {
                        if tx.send((i, result)).is_err() {
                            break;
                        }
                    }
                    Err(p) => {
                        drop(Stop(stopped, handed));
                        panic::resume_unwind(p);
                    }
                }
            });
        }
        drop(tx);
        // Should `each` panic, the workers stop rather than wait for it forever.
        let _stop = Stop(&stopped, &handed);
        let mut waiting = BTreeMap::new();
        let mut want = 0;
        for (i, result) in rx {
            waiting.insert(i, result);
            while let Some(result) = waiting.remove(&want) {
                each(result);
                want += 1;
                let (lock, moved) = &handed;
                *lock.lock().unwrap_or_else(|e| e.into_inner()) = want;
                moved.notify_all();
            }
        }
    });
}

/// Tells the workers to stop, when dropped.
struct Stop<'a>(&'a AtomicBool, &'a (Mutex<usize>, Condvar));

impl Drop for Stop<'_> {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
        let _guard = self.1 .0.lock().unwrap_or_else(|e| e.into_inner());
        self.1 .1.notify_all();
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn results_come_in_order_whatever_finishes_first() {
        let mut seen = Vec::new();
        super::for_each(
            50,
            |i| {
                // Early items take longest, so later ones finish first.
                std::thread::sleep(std::time::Duration::from_millis(((50 - i) % 7) as u64));
                i
            },
            |i| seen.push(i),
        );
        assert_eq!(seen, (0..50).collect::<Vec<_>>());
    }
}
