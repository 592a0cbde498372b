//! Work over the cores, results in input order: what a survey streams with.

use rayon::prelude::*;

/// Runs `work(0..n)` on rayon's threads and hands each result to `each`, on the calling
/// thread, in index order. The indices go in windows: a window's results are all handed on
/// before the next window starts, so memory is bounded by the window, not by `n`.
///
/// The caller must not be one of rayon's own threads (it blocks while they work).
pub fn for_each<T: Send>(n: usize, work: impl Fn(usize) -> T + Sync, mut each: impl FnMut(T)) {
    // Wide enough that the other threads keep busy while one reads a package ten or twenty
    // times the median size (systemd, dovecot-core); what waits is only small results.
    let window = 32 * rayon::current_num_threads().max(1);
    for start in (0..n).step_by(window) {
        let results: Vec<T> = (start..n.min(start + window)).into_par_iter().map(&work).collect();
        results.into_iter().for_each(&mut each);
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
