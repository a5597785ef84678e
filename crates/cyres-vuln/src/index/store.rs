//! The byte layout of an index file: tables of byte strings that are located, not decoded, when
//! the file is loaded.
//!
//! Why: a scan touches a few hundred of the ~9,000 advisories in the kit, yet decoding the whole
//! file into owned structs (the first format) cost more than the scan itself: tens of thousands
//! of small allocations at load and as many frees at exit. Here loading checks the frame and a
//! checksum, then records where each table starts; entries are decoded on first use.
//!
//! Layout after the `CYRESIDX` magic and the `u32` format version (all integers little-endian):
//! - `u64` checksum of everything after it ([`checksum`]);
//! - a fixed sequence of tables, each `u32` entry count `n`, `n + 1` `u32` offsets relative to the
//!   table's data (starting at 0, never decreasing), then the data, whose length is the last
//!   offset.
//!
//! A truncated, extended or damaged body is refused at load (frame or checksum mismatch), so
//! decoding an entry later cannot meet bytes the writer did not produce.

/// Where one table lies inside the index buffer.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Blobs {
    /// Start of the `n + 1` offsets.
    offsets: usize,
    /// Start of the data.
    data: usize,
    /// Number of entries.
    len: usize,
}

impl Blobs {
    /// Number of entries.
    pub(super) fn len(&self) -> usize {
        self.len
    }

    fn offset(&self, buf: &[u8], i: usize) -> usize {
        let at = self.offsets + 4 * i;
        buf.get(at..at + 4)
            .and_then(|b| b.try_into().ok())
            .map_or(0, |b| u32::from_le_bytes(b) as usize)
    }

    /// Entry `i` (empty when out of range; the frame was checked at load).
    pub(super) fn get<'a>(&self, buf: &'a [u8], i: usize) -> &'a [u8] {
        if i >= self.len {
            return &[];
        }
        let (start, end) = (self.offset(buf, i), self.offset(buf, i + 1));
        buf.get(self.data + start..self.data + end).unwrap_or(&[])
    }
}

/// Appends one table of `items` to `out`.
pub(super) fn write_blobs<T: AsRef<[u8]>>(out: &mut Vec<u8>, items: &[T]) {
    write_table(out, items.iter(), |out, item| {
        out.extend_from_slice(item.as_ref());
    });
}

/// Appends one table of `items`, each written by `put` straight into `out` (no buffer per
/// entry): the offsets are reserved first and filled in as each entry ends.
pub(super) fn write_table<T>(
    out: &mut Vec<u8>,
    items: impl ExactSizeIterator<Item = T>,
    mut put: impl FnMut(&mut Vec<u8>, T),
) {
    let n = items.len();
    out.extend_from_slice(&(n as u32).to_le_bytes());
    let offsets = out.len();
    out.resize(offsets + 4 * (n + 1), 0);
    let data = out.len();
    for (i, item) in items.take(n).enumerate() {
        put(out, item);
        let end = ((out.len() - data) as u32).to_le_bytes();
        out[offsets + 4 * (i + 1)..offsets + 4 * (i + 2)].copy_from_slice(&end);
    }
}

/// Appends the postcard encoding of `v` to `out`; on an encoding error (not reachable for the
/// index's types) nothing is appended, and the entry reads as absent.
pub(super) fn encode_into<T: serde::Serialize + ?Sized>(out: &mut Vec<u8>, v: &T) {
    struct Ext<'a>(&'a mut Vec<u8>);
    impl Extend<u8> for Ext<'_> {
        fn extend<I: IntoIterator<Item = u8>>(&mut self, iter: I) {
            self.0.extend(iter);
        }
    }
    let start = out.len();
    if postcard::to_extend(v, Ext(out)).is_err() {
        out.truncate(start);
    }
}

/// Reads tables one after the other from a buffer, checking each frame.
pub(super) struct Reader<'a> {
    buf: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    pub(super) fn new(buf: &'a [u8], at: usize) -> Self {
        Self { buf, at }
    }

    fn u32_at(&self, at: usize) -> Option<usize> {
        let b = self.buf.get(at..at.checked_add(4)?)?;
        Some(u32::from_le_bytes(b.try_into().ok()?) as usize)
    }

    /// The next table, or a description of what is wrong with its frame.
    pub(super) fn blobs(&mut self, what: &str) -> Result<Blobs, String> {
        let bad = |detail: &str| format!("{what} table: {detail}");
        let len = self
            .u32_at(self.at)
            .ok_or_else(|| bad("file ends inside it"))?;
        let offsets = self.at + 4;
        let data = len
            .checked_add(1)
            .and_then(|n| n.checked_mul(4))
            .and_then(|n| n.checked_add(offsets))
            .filter(|&d| d <= self.buf.len())
            .ok_or_else(|| bad("file ends inside it"))?;
        let mut prev = 0;
        for i in 0..=len {
            let o = self.u32_at(offsets + 4 * i).unwrap_or(usize::MAX);
            if o < prev || (i == 0 && o != 0) {
                return Err(bad("offsets out of order"));
            }
            prev = o;
        }
        let end = data
            .checked_add(prev)
            .filter(|&e| e <= self.buf.len())
            .ok_or_else(|| bad("file ends inside it"))?;
        self.at = end;
        Ok(Blobs { offsets, data, len })
    }

    /// Bytes left after the last table read.
    pub(super) fn remaining(&self) -> usize {
        self.buf.len().saturating_sub(self.at)
    }
}

/// A fast 64-bit checksum (four independent multiply-rotate lanes over 8-byte words, then the
/// tail and the length). Not cryptographic: it detects damaged or truncated files, not forgery.
/// Any change of a single word changes the result, because every step is a bijection of the
/// lane state.
pub(super) fn checksum(bytes: &[u8]) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut lanes = [K, K ^ 1, K ^ 2, K ^ 3];
    let mut chunks = bytes.chunks_exact(32);
    for chunk in &mut chunks {
        for (lane, word) in lanes.iter_mut().zip(chunk.chunks_exact(8)) {
            let mut w = [0u8; 8];
            w.copy_from_slice(word);
            *lane = (*lane ^ u64::from_le_bytes(w))
                .wrapping_mul(K)
                .rotate_left(29);
        }
    }
    let mut h = bytes.len() as u64;
    for lane in lanes {
        h = (h ^ lane).wrapping_mul(K).rotate_left(31);
    }
    for &b in chunks.remainder() {
        h = (h ^ u64::from(b)).wrapping_mul(K).rotate_left(23);
    }
    h ^ (h >> 32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_round_trip_and_bad_frames_are_refused() {
        let mut buf = vec![9u8; 3];
        write_blobs(&mut buf, &[b"ab".as_slice(), b"", b"cde"]);
        write_blobs::<&[u8]>(&mut buf, &[]);
        let mut r = Reader::new(&buf, 3);
        let t = r.blobs("t").unwrap();
        assert_eq!(t.len(), 3);
        assert_eq!(t.get(&buf, 0), b"ab");
        assert_eq!(t.get(&buf, 1), b"");
        assert_eq!(t.get(&buf, 2), b"cde");
        assert_eq!(t.get(&buf, 3), b"");
        assert_eq!(r.blobs("empty").unwrap().len(), 0);
        assert_eq!(r.remaining(), 0);
        // Cut inside the first table's data (the empty table after it takes 8 bytes).
        assert!(Reader::new(&buf[..buf.len() - 9], 3).blobs("t").is_err());
        let mut swapped = buf.clone();
        swapped[3 + 4 + 4] = 7; // first entry ends after the second
        assert!(Reader::new(&swapped, 3).blobs("t").is_err());
    }

    #[test]
    fn checksum_sees_single_byte_changes() {
        let data: Vec<u8> = (0..1000u32).map(|i| (i * 7) as u8).collect();
        let base = checksum(&data);
        for i in [0, 31, 32, 500, 999] {
            let mut d = data.clone();
            d[i] ^= 1;
            assert_ne!(checksum(&d), base, "byte {i}");
        }
        assert_ne!(checksum(&data[..999]), base);
    }
}
