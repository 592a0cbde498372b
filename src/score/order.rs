//! The order in which `systemd-analyze security` prints its rows.
//!
//! systemd sorts the table by description, reversed, then by name (format-table.c's
//! table_data_compare()), with glibc's qsort_r(), which is a top-down merge sort. One row
//! can have no description at all (ProtectProc=noaccess); cells of different types compare
//! by their position in the table instead, which is not a consistent order, so where that
//! row ends up depends on the exact steps of the merge sort. Both are reproduced here.

use std::borrow::Cow;
use std::cell::RefCell;
use std::cmp::Ordering;
use std::collections::HashMap;
use std::hash::{BuildHasher, BuildHasherDefault, Hash, Hasher};
use std::rc::Rc;

use super::syscalls::NameHasher;
use super::Row;

/// One table line as the comparison sees it: its insertion index, description (None for an
/// empty cell) and name. Index 0 is the header, which always sorts first.
#[derive(Clone, Copy)]
pub struct SortKey<'a> {
    pub index: usize,
    pub description: Option<&'a str>,
    pub name: &'a str,
}

/// A key, copied next to the first bytes of its description read as one number, so that
/// most comparisons of two descriptions are one comparison of integers (a sort for every
/// unit).
struct Prepared<'a> {
    key: SortKey<'a>,
    /// The first 16 bytes of the description, big-endian, zero-padded: orders as the bytes
    /// do (no description holds a NUL), and equal prefixes leave the rest to compare.
    prefix: u128,
}

impl<'a> Prepared<'a> {
    fn new(key: &SortKey<'a>) -> Prepared<'a> {
        let mut head = [0u8; 16];
        if let Some(d) = key.description {
            let n = d.len().min(16);
            head[..n].copy_from_slice(&d.as_bytes()[..n]);
        }
        Prepared { key: *key, prefix: u128::from_be_bytes(head) }
    }
}

fn compare(a: &Prepared, b: &Prepared, empty_first: bool) -> Ordering {
    let (pa, pb) = (a, b);
    let (a, b) = (&a.key, &b.key);
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
/// at least as long as `items` and shared by every level (as glibc's is), so that sorting
/// allocates once. Generic over the comparison so that it is inlined: the sort runs for
/// every unit scored.
fn msort<T: Copy, F: Fn(&T, &T) -> Ordering>(items: &mut [T], cmp: &F, tmp: &mut [T]) {
    let n = items.len();
    if n <= 1 {
        return;
    }
    let n1 = n / 2;
    msort(&mut items[..n1], cmp, tmp);
    msort(&mut items[n1..], cmp, tmp);
    let (mut i, mut j, mut k) = (0, n1, 0);
    while i < n1 && j < n {
        if cmp(&items[i], &items[j]) != Ordering::Greater {
            tmp[k] = items[i];
            i += 1;
        } else {
            tmp[k] = items[j];
            j += 1;
        }
        k += 1;
    }
    // What is left of the second half is in place already; what is left of the first goes
    // after the merged part.
    let left = n1 - i;
    tmp[k..k + left].copy_from_slice(&items[i..n1]);
    items[..k + left].copy_from_slice(&tmp[..k + left]);
}

/// Display order of `keys` (which must include the header at index 0), as indices into it.
/// `empty_first`: the release sorts an empty description before every other (262) instead
/// of by table position.
pub fn display_order(keys: &[SortKey], empty_first: bool) -> Vec<usize> {
    let prepared: Vec<Prepared> = keys.iter().map(Prepared::new).collect();
    let mut order: Vec<usize> = (0..keys.len()).collect();
    let mut tmp = vec![0; keys.len()];
    msort(&mut order, &|a: &usize, b: &usize| compare(&prepared[*a], &prepared[*b], empty_first), &mut tmp);
    order
}

/// The rows' texts a display order depends on: the name (the table's own, so its address
/// says which it is) and the description of each. A description from the table is told by
/// its address too, one worded for the unit by its bytes: two tables that match so have the
/// same texts (the same text by two routes only misses).
struct Texts {
    empty_first: bool,
    rows: Vec<(usize, Cow<'static, str>)>,
}

impl Texts {
    fn of(rows: &[Row], empty_first: bool) -> Texts {
        Texts { empty_first, rows: rows.iter().map(|r| (r.setting.as_ptr() as usize, r.description.clone())).collect() }
    }

    fn matches(&self, rows: &[Row], empty_first: bool) -> bool {
        self.empty_first == empty_first
            && self.rows.len() == rows.len()
            && self
                .rows
                .iter()
                .zip(rows)
                .all(|((name, d), r)| *name == r.setting.as_ptr() as usize && same_text(d, &r.description))
    }
}

// Not `&str`: whether the text is the table's own (borrowed) is what is compared.
#[allow(clippy::ptr_arg)]
fn same_text(a: &Cow<'static, str>, b: &Cow<'static, str>) -> bool {
    match (a, b) {
        (Cow::Borrowed(x), Cow::Borrowed(y)) => x.as_ptr() == y.as_ptr() && x.len() == y.len(),
        (Cow::Owned(x), Cow::Owned(y)) => x == y,
        _ => false,
    }
}

fn texts_hash(rows: &[Row], empty_first: bool) -> u64 {
    let mut h = BuildHasherDefault::<NameHasher>::default().build_hasher();
    empty_first.hash(&mut h);
    for r in rows {
        (r.setting.as_ptr() as usize).hash(&mut h);
        match &r.description {
            Cow::Borrowed(d) => (d.as_ptr() as usize, d.len()).hash(&mut h),
            Cow::Owned(d) => {
                h.write(d.as_bytes());
                h.write_u8(0xff);
            }
        }
    }
    h.finish()
}

/// Tables remembered per thread, at most this many: a corpus has far fewer distinct tables
/// than units (the 229 services of the Debian corpus, 59), and a bound keeps a survey of
/// thousands of units from holding one per unit.
const REMEMBERED: usize = 128;

/// Orders by the hash of their texts; the texts tell apart tables whose hashes collide.
type Orders = HashMap<u64, Vec<(Texts, Rc<[usize]>)>>;

thread_local! {
    static ORDERS: RefCell<Orders> = RefCell::default();
}

/// `sort()`'s display order of `rows`, remembered by their texts: the same table sorts the
/// same way, and sorting was a seventh of the work of scoring a corpus.
pub fn remembered(rows: &[Row], empty_first: bool, sort: impl FnOnce() -> Vec<usize>) -> Rc<[usize]> {
    let hash = texts_hash(rows, empty_first);
    let known = ORDERS.with_borrow(|orders| {
        let same = orders.get(&hash)?.iter().find(|(texts, _)| texts.matches(rows, empty_first));
        same.map(|(_, order)| order.clone())
    });
    if let Some(order) = known {
        return order;
    }
    let order: Rc<[usize]> = sort().into();
    ORDERS.with_borrow_mut(|orders| {
        if orders.values().map(Vec::len).sum::<usize>() < REMEMBERED {
            orders.entry(hash).or_default().push((Texts::of(rows, empty_first), order.clone()));
        }
    });
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_sort_is_stable_and_left_biased() {
        let mut v = [(3, 'a'), (1, 'b'), (3, 'c'), (2, 'd'), (1, 'e')];
        msort(&mut v, &|x: &(i32, char), y: &(i32, char)| x.0.cmp(&y.0), &mut [(0, ' '); 5]);
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
