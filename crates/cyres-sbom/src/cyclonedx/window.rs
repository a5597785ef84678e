//! A JSON document read through a window of reused memory, one value at a time.
//!
//! Why: reading a 250 MB SBOM into one buffer costs the kernel a fresh, zeroed page for every
//! 4 KiB of it; on the project's machine clearing and filling those pages was half the time of
//! such a scan. Here the file is read into a window of [`START`] bytes (grown only when one value
//! is larger than the window), each value is parsed out of the window by serde_json, and the
//! window is refilled in place. The caller ([`super::keep::read_window`]) asks for the
//! document's tokens and values in order; any surprise ends the reading with [`Stop`], and the
//! caller then reads the whole file the ordinary way, which reports what was wrong and where.
//!
//! What is checked as the ordinary reader checks it: the bytes are UTF-8 (checked as they are
//! read, a sequence split by the window's end is checked when the rest arrives, so a string
//! skipped unparsed cannot hide invalid bytes), a UTF-8 byte-order mark at the start is
//! skipped, the size limit holds, and nothing but JSON whitespace follows the document.

use serde::de::DeserializeOwned;
use std::io::Read;

/// The window's first size.
const START: usize = 1 << 20;

/// The document cannot be read this way; the ordinary reader must read it.
#[derive(Debug)]
pub(crate) struct Stop;

/// A JSON text read from `R` through a window.
pub(crate) struct Window<R> {
    src: R,
    buf: Vec<u8>,
    /// Start of the bytes not consumed yet.
    pos: usize,
    /// End of the bytes checked to be UTF-8 (a sequence cut by the end of a read waits).
    checked: usize,
    eof: bool,
    read: u64,
    max: u64,
    /// Whether the first read (where a byte-order mark may be) was looked at.
    started: bool,
    /// Where in the file `src` started.
    base: u64,
}

impl<R: Read> Window<R> {
    /// A window over `src`, refusing (with [`Stop`]) more than `max` bytes in all.
    pub(crate) fn new(src: R, max: u64) -> Self {
        Self {
            src,
            buf: Vec::with_capacity(START),
            pos: 0,
            checked: 0,
            eof: false,
            read: 0,
            max,
            started: false,
            base: 0,
        }
    }

    /// A window over `src`, which starts at `base` in the file, not at its start (no
    /// byte-order mark is looked for); at most `max` bytes from there.
    pub(crate) fn at(src: R, base: u64, max: u64) -> Self {
        Self {
            started: true,
            base,
            ..Self::new(src, max)
        }
    }

    /// Where in the file the next byte not consumed is.
    pub(crate) fn offset(&self) -> u64 {
        self.base + self.read - (self.buf.len() - self.pos) as u64
    }

    /// The checked bytes not consumed yet.
    fn avail(&self) -> &[u8] {
        &self.buf[self.pos..self.checked]
    }

    /// Reads more of the file after what is left; `false` at the end of the file.
    fn more(&mut self) -> Result<bool, Stop> {
        if self.eof {
            return Ok(false);
        }
        if self.pos > 0 {
            self.buf.copy_within(self.pos.., 0);
            self.buf.truncate(self.buf.len() - self.pos);
            self.checked -= self.pos;
            self.pos = 0;
        }
        if self.buf.len() == self.buf.capacity() {
            // One value fills the window: double it.
            self.buf.reserve(self.buf.capacity().max(START));
        }
        let room = (self.buf.capacity() - self.buf.len()) as u64;
        // `read_to_end` on a `Take` fills the spare capacity without zeroing it first.
        let n = (&mut self.src)
            .take(room)
            .read_to_end(&mut self.buf)
            .map_err(|_| Stop)?;
        self.read += n as u64;
        if self.read > self.max {
            return Err(Stop);
        }
        if n == 0 {
            self.eof = true;
        }
        if !self.started && (self.buf.len() >= 3 || self.eof) {
            self.started = true;
            if self.checked == 0 && self.buf.starts_with(b"\xEF\xBB\xBF") {
                self.pos = 3;
                self.checked = 3;
            }
        }
        match std::str::from_utf8(&self.buf[self.checked..]) {
            Ok(_) => self.checked = self.buf.len(),
            // A sequence cut by the end of this read: checked when the rest arrives.
            Err(e) if e.error_len().is_none() && !self.eof => self.checked += e.valid_up_to(),
            Err(_) => return Err(Stop),
        }
        Ok(n > 0)
    }

    /// The next byte that is not JSON whitespace, not consumed; `None` at the end of the file.
    pub(crate) fn peek(&mut self) -> Result<Option<u8>, Stop> {
        loop {
            let skip = self
                .avail()
                .iter()
                .position(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'));
            match skip {
                Some(n) => {
                    self.pos += n;
                    return Ok(Some(self.buf[self.pos]));
                }
                None => {
                    self.pos = self.checked;
                    if !self.more()? {
                        // Bytes left unchecked at the end are a cut UTF-8 sequence.
                        return if self.checked == self.buf.len() {
                            Ok(None)
                        } else {
                            Err(Stop)
                        };
                    }
                }
            }
        }
    }

    /// Consumes the next non-whitespace byte if it is `b`.
    pub(crate) fn eat(&mut self, b: u8) -> Result<bool, Stop> {
        if self.peek()? == Some(b) {
            self.pos += 1;
            return Ok(true);
        }
        Ok(false)
    }

    /// Parses the next JSON value as `T` and consumes it; `raw`, when given, receives the
    /// value's text.
    pub(crate) fn value<T: DeserializeOwned>(
        &mut self,
        raw: Option<&mut Vec<u8>>,
    ) -> Result<T, Stop> {
        self.value_with(raw, |text| {
            let mut it = serde_json::Deserializer::from_slice(text).into_iter::<T>();
            (it.next(), it.byte_offset())
        })
    }

    /// Parses the next JSON value with `parse` and consumes it. `parse` is given the window's
    /// text from the value on and answers what serde_json's stream deserializer gives for its
    /// first value (the result, and the offset after it), so a type that borrows from the text
    /// can be read and turned into an owned one inside it. It may be called again on a longer
    /// text: a value is only taken when something follows it in the window (or the file ends),
    /// so a number cut by the window's end is never read short.
    pub(crate) fn value_with<O>(
        &mut self,
        raw: Option<&mut Vec<u8>>,
        mut parse: impl FnMut(&[u8]) -> (Option<serde_json::Result<O>>, usize),
    ) -> Result<O, Stop> {
        self.peek()?.ok_or(Stop)?;
        loop {
            let avail = self.avail();
            match parse(avail) {
                (Some(Ok(v)), offset) if offset < avail.len() || self.eof => {
                    let end = self.pos + offset;
                    if let Some(raw) = raw {
                        raw.extend_from_slice(&self.buf[self.pos..end]);
                    }
                    self.pos = end;
                    return Ok(v);
                }
                (Some(Err(e)), _) if !e.is_eof() => return Err(Stop),
                // Cut by the window's end (or possibly so): read more and parse it again.
                _ => {
                    if !self.more()? {
                        return Err(Stop);
                    }
                }
            }
        }
    }
}

/// Reads a file from a position on with positioned reads, leaving the file's own cursor alone,
/// so that two threads can read one file at once.
#[cfg(unix)]
pub(crate) struct At<'f> {
    pub(crate) file: &'f std::fs::File,
    pub(crate) pos: u64,
}

#[cfg(unix)]
impl Read for At<'_> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        use std::os::unix::fs::FileExt;
        let n = self.file.read_at(out, self.pos)?;
        self.pos += n as u64;
        Ok(n)
    }
}

#[cfg(unix)]
impl<'f> Window<At<'f>> {
    /// Goes on reading at `to` (further on in the file): what lies between was read elsewhere.
    pub(crate) fn jump(&mut self, to: u64) -> Result<(), Stop> {
        if to < self.offset() {
            return Err(Stop);
        }
        // The limit is on the file: what this window could still have read counts from `to`.
        let limit = self.base.saturating_add(self.max);
        let file = self.src.file;
        *self = Window::at(At { file, pos: to }, to, limit.saturating_sub(to));
        Ok(())
    }
}

/// A reader that hands out at most `step` bytes per call, to cut values anywhere (tests).
#[cfg(test)]
pub(crate) struct Trickle<'a>(pub(crate) &'a [u8], pub(crate) usize);

#[cfg(test)]
impl Read for Trickle<'_> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let n = self.0.len().min(self.1).min(out.len());
        out[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(text: &[u8], step: usize) -> Result<Vec<String>, Stop> {
        let mut w = Window::new(Trickle(text, step), u64::MAX);
        let mut out = Vec::new();
        if !w.eat(b'[')? {
            return Err(Stop);
        }
        loop {
            let mut raw = Vec::new();
            let v: serde_json::Value = w.value(Some(&mut raw))?;
            out.push(format!("{v} {}", String::from_utf8(raw).unwrap()));
            if w.eat(b']')? {
                break;
            }
            if !w.eat(b',')? {
                return Err(Stop);
            }
        }
        if w.peek()?.is_some() {
            return Err(Stop);
        }
        Ok(out)
    }

    #[test]
    fn values_cut_anywhere_read_whole() {
        let text = "\u{feff}[12345, \"é\\\"x\", {\"a\": [1, 2.5e3]}, null, 678]\n".as_bytes();
        let whole = tokens(text, usize::MAX).unwrap();
        assert_eq!(whole[0], "12345 12345");
        assert_eq!(whole[4], "678 678");
        for step in 1..12 {
            assert_eq!(tokens(text, step).unwrap(), whole, "step {step}");
        }
    }

    #[test]
    fn stops_on_bad_bytes_trailing_text_and_size() {
        for bad in [
            &b"[1, \"\xff\"]"[..],
            b"[1, 2] x",
            b"[1, 2",
            b"[1 2]",
            b"[1, \"\xc3\"]",
            b"[1, \"ok\"]\xc3",
        ] {
            for step in [1, 3, 100] {
                assert!(tokens(bad, step).is_err(), "{:?} step {step}", bad);
            }
        }
        let mut w = Window::new(Trickle(b"[1, 2, 3]", 4), 5);
        assert!(w.value::<Vec<u8>>(None).is_err());
    }
}
