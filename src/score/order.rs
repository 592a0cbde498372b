//! The order in which `systemd-analyze security` prints its rows.
//!
//! systemd sorts the table by description, reversed, then by name (format-table.c's
//! table_data_compare()), with glibc's qsort_r(), which is a top-down merge sort. One row
//! can have no description at all (ProtectProc=noaccess); cells of different types compare
//! by their position in the table instead, which is not a consistent order, so where that
//! row ends up depends on the exact steps of the merge sort. Both are reproduced here.

use std::cmp::Ordering;

/// One table line as the comparison sees it: its insertion index, description (None for an
/// empty cell) and name. Index 0 is the header, which always sorts first.
pub struct SortKey<'a> {
    pub index: usize,
    pub description: Option<&'a str>,
    pub name: &'a str,
}

/// A key with the first bytes of its description read as one number, so that most
/// comparisons of two descriptions are one comparison of integers (a sort for every unit).
struct Prepared<'a> {
    key: &'a SortKey<'a>,
    /// The first 16 bytes of the description, big-endian, zero-padded: orders as the bytes
    /// do (no description holds a NUL), and equal prefixes leave the rest to compare.
    prefix: u128,
}

impl<'a> Prepared<'a> {
    fn new(key: &'a SortKey<'a>) -> Prepared<'a> {
        let mut head = [0u8; 16];
        if let Some(d) = key.description {
            let n = d.len().min(16);
            head[..n].copy_from_slice(&d.as_bytes()[..n]);
        }
        Prepared { key, prefix: u128::from_be_bytes(head) }
    }
}

fn compare(a: &Prepared, b: &Prepared, empty_first: bool) -> Ordering {
    let (pa, pb) = (a, b);
    let (a, b) = (a.key, b.key);
    match (a.index, b.index) {
        (0, 0) => return Ordering::Equal,
        (0, _) => return Ordering::Less,
        (_, 0) => return Ordering::Greater,
        _ => {}
    }
    // The description column, reversed; different cell types fall back to table position.
    let by_description = match (a.description, b.description) {
        (Some(x), Some(y)) => pa.prefix.cmp(&pb.prefix).then_with(|| x.as_bytes().cmp(y.as_bytes())),
        (None, None) => Ordering::Equal,
        // Reversed below: the empty cell first.
        (None, Some(_)) if empty_first => Ordering::Greater,
        (Some(_), None) if empty_first => Ordering::Less,
        _ => a.index.cmp(&b.index),
    };
    if by_description != Ordering::Equal {
        return by_description.reverse();
    }
    let by_name = a.name.as_bytes().cmp(b.name.as_bytes());
    if by_name != Ordering::Equal {
        return by_name;
    }
    a.index.cmp(&b.index)
}

/// glibc msort_with_tmp(): split in halves (the first one the smaller), sort each, merge
/// taking from the first half while it compares less or equal. `tmp` is the merge buffer,
/// shared by every level (as glibc's is) so that sorting allocates once.
/// Generic over the comparison so that it is inlined: the sort runs for every unit scored.
fn msort<T: Copy, F: Fn(&T, &T) -> Ordering>(items: &mut [T], cmp: &F, tmp: &mut Vec<T>) {
    let n = items.len();
    if n <= 1 {
        return;
    }
    let n1 = n / 2;
    msort(&mut items[..n1], cmp, tmp);
    msort(&mut items[n1..], cmp, tmp);
    tmp.clear();
    let (mut i, mut j) = (0, n1);
    while i < n1 && j < n {
        if cmp(&items[i], &items[j]) != Ordering::Greater {
            tmp.push(items[i]);
            i += 1;
        } else {
            tmp.push(items[j]);
            j += 1;
        }
    }
    tmp.extend_from_slice(&items[i..n1]);
    tmp.extend_from_slice(&items[j..n]);
    items.copy_from_slice(tmp);
}

/// Display order of `keys` (which must include the header at index 0), as indices into it.
/// `empty_first`: the release sorts an empty description before every other (262) instead
/// of by table position.
pub fn display_order(keys: &[SortKey], empty_first: bool) -> Vec<usize> {
    let prepared: Vec<Prepared> = keys.iter().map(Prepared::new).collect();
    let mut order: Vec<usize> = (0..keys.len()).collect();
    let mut tmp = Vec::with_capacity(keys.len());
    msort(&mut order, &|a: &usize, b: &usize| compare(&prepared[*a], &prepared[*b], empty_first), &mut tmp);
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_sort_is_stable_and_left_biased() {
        let mut v = [(3, 'a'), (1, 'b'), (3, 'c'), (2, 'd'), (1, 'e')];
        msort(&mut v, &|x: &(i32, char), y: &(i32, char)| x.0.cmp(&y.0), &mut Vec::new());
        assert_eq!(v, [(1, 'b'), (1, 'e'), (2, 'd'), (3, 'a'), (3, 'c')]);
    }

    #[test]
    fn descriptions_reverse_then_names() {
        let keys = [
            SortKey { index: 0, description: Some("DESCRIPTION"), name: "NAME" },
            SortKey { index: 1, description: Some("a"), name: "x" },
            SortKey { index: 2, description: Some("b"), name: "y" },
            SortKey { index: 3, description: Some("a"), name: "w" },
        ];
        assert_eq!(display_order(&keys, false), vec![0, 2, 3, 1]);
    }
}
