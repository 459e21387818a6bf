//! `Read + Seek` over a file the page was given, without copying the file: each read asks the
//! browser for one slice (`Blob.slice` + `FileReaderSync`, which only a worker may use). The engine
//! reads the zip's directory, the prefixes it sniffs and the entries its checks open, so a 2.5 GB
//! package costs what those reads cost, not 2.5 GB.
//!
//! The reading logic — a small read-ahead window, ranges the engine says it will read fetched
//! together, bounded reads, seeks checked against the size — is [`RangeReader`] over any
//! [`RangeSource`], tested natively over memory; [`BlobSource`] is the browser's side.

use std::io::{self, Read, Seek, SeekFrom};

use bootdoctor_core::archive::{ByteRange, PackageRead};

/// Small reads (zip headers, a 4-byte signature) are served from a window of this many bytes
/// read at once, so that the directory is not fetched 46 bytes per browser call. Measured on the
/// benchmark package (bench/browser): a browser read costs about 1.2 ms per call plus 7 ms per
/// MiB; 8 KiB windows took 1,703 calls and 2.2 s, 64 KiB 767 calls and 1.3 s, 256 KiB 638 calls
/// and 1.8 s (170 MB fetched).
pub const READ_AHEAD: usize = 64 << 10;

/// The most one read asks the source for: a caller's huge buffer is filled in parts.
pub const MAX_READ: usize = 8 << 20;

/// The largest the window grows to while reads go on where the last window ended (an entry
/// being inflated): each browser call costs far more than the bytes it copies.
pub const MAX_WINDOW: usize = 1 << 20;

/// Most bytes held from the engine's read-ahead hints ([`PackageRead::prefetch`]); a hint asking
/// for more gets its first ranges (the most wanted), and the rest is read as usual.
pub const PREFETCH_BUDGET: u64 = 32 << 20;

/// Most bytes one fetch of hinted ranges asks for (more are fetched in several calls).
pub const MAX_PREFETCH_CALL: usize = 16 << 20;

/// Hinted ranges closer than this are fetched as one range (fewer, larger slices).
const MERGE_GAP: u64 = 128 << 10;

/// Something that can hand out byte ranges of a fixed-size file.
pub trait RangeSource {
    /// The size in bytes.
    fn size(&self) -> u64;
    /// Fills `dest` with the bytes at `offset..offset + dest.len()` (within [`RangeSource::size`]).
    fn read_at(&mut self, offset: u64, dest: &mut [u8]) -> io::Result<()>;
    /// Fills `dest` with the ranges `(offset, len)` one after another (their lengths sum to
    /// `dest.len()`). One call by default per range; a source whose calls are costly makes one.
    fn read_ranges(&mut self, ranges: &[(u64, usize)], dest: &mut [u8]) -> io::Result<()> {
        let mut at = 0;
        for &(offset, len) in ranges {
            self.read_at(offset, &mut dest[at..at + len])?;
            at += len;
        }
        Ok(())
    }
    /// Milliseconds spent reading so far, for sources that keep time (the browser's does).
    fn elapsed_ms(&self) -> f64 {
        0.0
    }
}

/// What a reader has fetched from its source so far.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ReadStats {
    /// Bytes fetched (read-ahead included).
    pub bytes: u64,
    /// Calls made to the source.
    pub reads: u64,
    /// Milliseconds spent in them, when the source can tell ([`RangeSource::elapsed_ms`]).
    pub read_ms: f64,
}

/// Bytes fetched ahead on a hint, kept until the next hint: `len` bytes of the file from `start`,
/// held in `buffers[buffer][at..]` (one buffer per source call).
struct Segment {
    start: u64,
    len: usize,
    buffer: usize,
    at: usize,
}

/// `Read + Seek` over a [`RangeSource`], calling `on_read` after each fetch (for progress).
pub struct RangeReader<S, F> {
    source: S,
    pos: u64,
    window: Vec<u8>,
    window_start: u64,
    window_len: usize,
    /// What the last [`PackageRead::prefetch`] fetched or kept, sorted by start. One may overlap
    /// the one before it; a read is served by the last starting at or before its position.
    prefetched: Vec<Segment>,
    /// The bytes of `prefetched`, one buffer per source call.
    buffers: Vec<Vec<u8>>,
    stats: ReadStats,
    on_read: F,
}

impl<S: RangeSource, F: FnMut(ReadStats)> RangeReader<S, F> {
    /// A reader at offset 0.
    pub fn new(source: S, on_read: F) -> Self {
        RangeReader {
            source,
            pos: 0,
            window: Vec::new(),
            window_start: 0,
            window_len: READ_AHEAD,
            prefetched: Vec::new(),
            buffers: Vec::new(),
            stats: ReadStats::default(),
            on_read,
        }
    }

    /// What has been fetched so far.
    pub fn stats(&self) -> ReadStats {
        self.stats
    }

    fn fetch(&mut self, offset: u64, dest: &mut [u8]) -> io::Result<()> {
        self.source.read_at(offset, dest)?;
        self.count_fetch(dest.len());
        Ok(())
    }

    fn count_fetch(&mut self, bytes: usize) {
        self.stats.bytes += bytes as u64;
        self.stats.reads += 1;
        self.stats.read_ms = self.source.elapsed_ms();
        (self.on_read)(self.stats);
    }

    /// Copies what a prefetched segment holds at the current position, if one holds any.
    fn copy_from_prefetched(&self, buf: &mut [u8]) -> Option<usize> {
        let after = self.prefetched.partition_point(|s| s.start <= self.pos);
        let segment = &self.prefetched[after.checked_sub(1)?];
        let start = usize::try_from(self.pos - segment.start).ok().filter(|&s| s < segment.len)?;
        let n = buf.len().min(segment.len - start);
        let held = &self.buffers[segment.buffer][segment.at + start..segment.at + start + n];
        buf[..n].copy_from_slice(held);
        Some(n)
    }

    /// Copies what the window holds at the current position, if it holds any.
    fn copy_from_window(&mut self, buf: &mut [u8]) -> Option<usize> {
        let start = self.pos.checked_sub(self.window_start)?;
        let start = usize::try_from(start).ok().filter(|&s| s < self.window.len())?;
        let n = buf.len().min(self.window.len() - start);
        buf[..n].copy_from_slice(&self.window[start..start + n]);
        Some(n)
    }
}

impl<S: RangeSource, F: FnMut(ReadStats)> Read for RangeReader<S, F> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let remaining = self.source.size().saturating_sub(self.pos);
        if buf.is_empty() || remaining == 0 {
            return Ok(0);
        }
        let n = if let Some(n) = self.copy_from_window(buf).or_else(|| self.copy_from_prefetched(buf)) {
            n
        } else if buf.len() >= READ_AHEAD {
            // Large reads go straight into the caller's buffer, at most MAX_READ at a time.
            let n = buf.len().min(MAX_READ).min(usize::try_from(remaining).unwrap_or(usize::MAX));
            self.fetch(self.pos, &mut buf[..n])?;
            n
        } else {
            // Reading on from where the window ended: the next window is twice as large. (Counting
            // reads a little past the end as reading on too fetched 30 % more bytes for 11 %
            // fewer calls on the benchmark package: no faster.)
            let sequential = !self.window.is_empty() && self.pos == self.window_start + self.window.len() as u64;
            self.window_len = if sequential { (self.window_len * 2).min(MAX_WINDOW) } else { READ_AHEAD };
            let len = self.window_len.min(usize::try_from(remaining).unwrap_or(usize::MAX));
            let mut window = std::mem::take(&mut self.window);
            window.resize(len, 0);
            let fetched = self.fetch(self.pos, &mut window);
            self.window = window;
            if let Err(e) = fetched {
                self.window.clear();
                return Err(e);
            }
            self.window_start = self.pos;
            self.copy_from_window(buf).unwrap_or(0)
        };
        self.pos += n as u64;
        Ok(n)
    }
}

impl<S: RangeSource, F: FnMut(ReadStats)> Seek for RangeReader<S, F> {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let target = match to {
            SeekFrom::Start(n) => Some(n),
            SeekFrom::End(d) => self.source.size().checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        };
        let target =
            target.ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "seek before the start of the file"))?;
        self.pos = target;
        Ok(target)
    }
}

/// The spans a hint asks for: its ranges within the file and [`PREFETCH_BUDGET`] (the first
/// ones given win), sorted, with overlapping and nearly touching ones merged, none longer than
/// [`MAX_PREFETCH_CALL`].
fn plan_spans(ranges: &[ByteRange], size: u64) -> Vec<(u64, u64)> {
    let mut budget = PREFETCH_BUDGET;
    let mut spans: Vec<(u64, u64)> = Vec::new();
    for r in ranges {
        let end = r.start.saturating_add(r.len).min(size);
        let len = end.saturating_sub(r.start).min(budget);
        if len == 0 {
            continue;
        }
        budget -= len;
        spans.push((r.start, r.start + len));
    }
    spans.sort_unstable();
    let mut merged: Vec<(u64, u64)> = Vec::with_capacity(spans.len());
    for (start, end) in spans {
        match merged.last_mut() {
            Some(last) if start <= last.1.saturating_add(MERGE_GAP) => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    let call = MAX_PREFETCH_CALL as u64;
    merged
        .into_iter()
        .flat_map(|(start, end)| (start..end).step_by(MAX_PREFETCH_CALL).map(move |at| (at, (at + call).min(end))))
        .collect()
}

impl<S: RangeSource, F: FnMut(ReadStats)> PackageRead for RangeReader<S, F> {
    /// Fetches the hinted ranges in as few source calls as [`MAX_PREFETCH_CALL`] allows and keeps
    /// them until the next hint. Spans the previous hint already fetched are served from its
    /// buffers, which stay while they serve the new hint (the ELF reader's hint follows the
    /// sniffer's over the same files). A failed fetch is forgotten: the reads report errors.
    fn prefetch(&mut self, ranges: &[ByteRange]) {
        let spans = plan_spans(ranges, self.source.size());
        let (kept, missing) = self.keep_covering(&spans);
        self.prefetched = kept;
        let mut call: Vec<(u64, usize)> = Vec::new();
        let mut call_bytes = 0usize;
        for (i, &(start, end)) in missing.iter().enumerate() {
            let len = (end - start) as usize;
            call.push((start, len));
            call_bytes += len;
            let last = i + 1 == missing.len();
            if last || call_bytes + (missing[i + 1].1 - missing[i + 1].0) as usize > MAX_PREFETCH_CALL {
                let mut bytes = vec![0u8; call_bytes];
                if self.source.read_ranges(&call, &mut bytes).is_err() {
                    self.prefetched.clear();
                    self.buffers.clear();
                    return;
                }
                self.count_fetch(call_bytes);
                let mut at = 0;
                for &(start, len) in &call {
                    self.prefetched.push(Segment { start, len, buffer: self.buffers.len(), at });
                    at += len;
                }
                self.buffers.push(bytes);
                call.clear();
                call_bytes = 0;
            }
        }
        self.prefetched.sort_by_key(|s| s.start);
    }
}

impl<S: RangeSource, F: FnMut(ReadStats)> RangeReader<S, F> {
    /// Of the segments held, keeps those that wholly hold one of `spans` (and their buffers,
    /// renumbered) and drops the rest; returns the kept segments and the spans still to fetch.
    fn keep_covering(&mut self, spans: &[(u64, u64)]) -> (Vec<Segment>, Vec<(u64, u64)>) {
        let old = std::mem::take(&mut self.prefetched);
        let mut used = vec![false; old.len()];
        let mut missing = Vec::new();
        for &(start, end) in spans {
            let after = old.partition_point(|s| s.start <= start);
            match after.checked_sub(1).filter(|&i| end <= old[i].start + old[i].len as u64) {
                Some(i) => used[i] = true,
                None => missing.push((start, end)),
            }
        }
        let mut buffers = std::mem::take(&mut self.buffers);
        let mut renumbered: Vec<Option<usize>> = vec![None; buffers.len()];
        let mut kept = Vec::new();
        for (segment, _) in old.into_iter().zip(used).filter(|(_, used)| *used) {
            let buffer = *renumbered[segment.buffer].get_or_insert_with(|| {
                self.buffers.push(std::mem::take(&mut buffers[segment.buffer]));
                self.buffers.len() - 1
            });
            kept.push(Segment { buffer, ..segment });
        }
        (kept, missing)
    }
}

/// The browser's file, read slice by slice with `FileReaderSync` (available in workers only).
pub struct BlobSource {
    blob: web_sys::Blob,
    size: u64,
    reader: web_sys::FileReaderSync,
    elapsed_ms: f64,
}

impl BlobSource {
    /// A source over `blob`; fails outside a worker, where `FileReaderSync` does not exist.
    pub fn new(blob: web_sys::Blob) -> io::Result<Self> {
        let reader = web_sys::FileReaderSync::new().map_err(js_error)?;
        let size = blob.size() as u64;
        Ok(BlobSource { blob, size, reader, elapsed_ms: 0.0 })
    }
}

/// A browser exception as an I/O error, with its message (`NotReadableError: …` when the file
/// was moved or changed after it was dropped).
fn js_error(e: wasm_bindgen::JsValue) -> io::Error {
    let message = js_sys::Reflect::get(&e, &"message".into())
        .ok()
        .and_then(|m| m.as_string())
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "the browser could not read the file".to_string());
    io::Error::other(message)
}

impl RangeSource for BlobSource {
    fn size(&self) -> u64 {
        self.size
    }

    fn elapsed_ms(&self) -> f64 {
        self.elapsed_ms
    }

    fn read_at(&mut self, offset: u64, dest: &mut [u8]) -> io::Result<()> {
        let started = js_sys::Date::now();
        let result = self.read_slice(offset, dest);
        self.elapsed_ms += js_sys::Date::now() - started;
        result
    }

    /// One browser call for all the ranges: a `Blob` made of their slices (which copies nothing)
    /// read at once.
    fn read_ranges(&mut self, ranges: &[(u64, usize)], dest: &mut [u8]) -> io::Result<()> {
        let started = js_sys::Date::now();
        let result = self.read_slices(ranges, dest);
        self.elapsed_ms += js_sys::Date::now() - started;
        result
    }
}

impl BlobSource {
    fn read_slices(&mut self, ranges: &[(u64, usize)], dest: &mut [u8]) -> io::Result<()> {
        let parts = js_sys::Array::new();
        for &(offset, len) in ranges {
            let end = offset + len as u64;
            let slice = self.blob.slice_with_f64_and_f64(offset as f64, end as f64).map_err(js_error)?;
            parts.push(&slice);
        }
        let joined = web_sys::Blob::new_with_blob_sequence(&parts).map_err(js_error)?;
        self.copy_blob(&joined, dest)
    }

    fn read_slice(&mut self, offset: u64, dest: &mut [u8]) -> io::Result<()> {
        let end = offset + dest.len() as u64;
        let slice = self.blob.slice_with_f64_and_f64(offset as f64, end as f64).map_err(js_error)?;
        self.copy_blob(&slice, dest)
    }

    /// Reads all of `slice` (a slice of the file, or several joined) into `dest`.
    fn copy_blob(&mut self, slice: &web_sys::Blob, dest: &mut [u8]) -> io::Result<()> {
        let buffer = self.reader.read_as_array_buffer(slice).map_err(js_error)?;
        let bytes = js_sys::Uint8Array::new(&buffer);
        if bytes.length() as usize != dest.len() {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the file is shorter than when it was dropped (was it changed?)",
            ));
        }
        bytes.copy_to(dest);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Memory as a source, recording each range asked for and each call (several ranges fetched
    /// together are one call, as in the browser's source).
    struct Memory {
        bytes: Vec<u8>,
        asked: Vec<(u64, usize)>,
        calls: usize,
    }

    impl Memory {
        fn new(bytes: Vec<u8>) -> Self {
            Memory { bytes, asked: Vec::new(), calls: 0 }
        }
    }

    impl RangeSource for Memory {
        fn size(&self) -> u64 {
            self.bytes.len() as u64
        }
        fn read_at(&mut self, offset: u64, dest: &mut [u8]) -> io::Result<()> {
            self.calls += 1;
            self.asked.push((offset, dest.len()));
            let start = offset as usize;
            dest.copy_from_slice(&self.bytes[start..start + dest.len()]);
            Ok(())
        }
        fn read_ranges(&mut self, ranges: &[(u64, usize)], dest: &mut [u8]) -> io::Result<()> {
            let mut at = 0;
            for &(offset, len) in ranges {
                self.read_at(offset, &mut dest[at..at + len])?;
                at += len;
            }
            self.calls -= ranges.len().saturating_sub(1);
            Ok(())
        }
    }

    fn reader(len: usize) -> RangeReader<Memory, impl FnMut(ReadStats)> {
        let bytes = (0..len).map(|i| (i % 251) as u8).collect();
        RangeReader::new(Memory::new(bytes), |_| {})
    }

    #[test]
    fn reads_what_a_cursor_reads_at_every_seek() {
        let mut r = reader(300_000);
        let expected: Vec<u8> = (0..300_000).map(|i| (i % 251) as u8).collect();
        for (at, len) in [(0u64, 4usize), (299_990, 100), (123_456, 70_000), (5, 1), (65_530, 20)] {
            r.seek(SeekFrom::Start(at)).unwrap();
            let mut got = Vec::new();
            r.by_ref().take(len as u64).read_to_end(&mut got).unwrap();
            let end = (at as usize + len).min(expected.len());
            assert_eq!(got, expected[at as usize..end], "at {at} len {len}");
        }
        assert_eq!(r.seek(SeekFrom::End(-10)).unwrap(), 299_990);
        assert!(r.seek(SeekFrom::Current(-300_000)).is_err(), "before the start");
        r.seek(SeekFrom::Start(1 << 40)).unwrap();
        assert_eq!(r.read(&mut [0; 16]).unwrap(), 0, "past the end reads nothing");
    }

    #[test]
    fn small_reads_share_one_window_and_large_ones_are_bounded() {
        let mut r = reader(40 << 20);
        let mut header = [0u8; 30];
        for _ in 0..100 {
            r.read_exact(&mut header).unwrap();
        }
        assert_eq!(r.source.asked.len(), 1, "3,000 bytes of small reads: one fetch");
        let mut big = vec![0u8; 20 << 20];
        // What the window still holds comes first (a short read), then the source is asked
        // directly, at most MAX_READ at a time.
        assert_eq!(r.read(&mut big).unwrap(), READ_AHEAD - 3000);
        assert_eq!(r.read(&mut big).unwrap(), MAX_READ);
        assert!(r.source.asked.iter().all(|&(_, len)| len <= MAX_READ));
        assert_eq!(r.stats().bytes, (READ_AHEAD + MAX_READ) as u64);
    }

    #[test]
    fn reading_on_grows_the_window_and_a_seek_shrinks_it() {
        let mut r = reader(8 << 20);
        let mut chunk = [0u8; 4096];
        for _ in 0..(4 << 20) / 4096 {
            r.read_exact(&mut chunk).unwrap();
        }
        let sizes: Vec<usize> = r.source.asked.iter().map(|&(_, len)| len).collect();
        assert_eq!(&sizes[..5], &[READ_AHEAD, 2 * READ_AHEAD, 4 * READ_AHEAD, 8 * READ_AHEAD, MAX_WINDOW]);
        assert!(sizes.len() < 10, "4 MiB read in {} calls", sizes.len());
        r.seek(SeekFrom::Start(100)).unwrap();
        r.read_exact(&mut chunk).unwrap();
        assert_eq!(r.source.asked.last().unwrap().1, READ_AHEAD, "a seek starts small again");
    }

    #[test]
    fn a_zip_reads_through_it_as_from_memory() {
        let zip = bootdoctor_core::synth::ZipBuilder::new()
            .dos_file("bootstrap", b"#!/bin/bash\r\necho hi\r\n")
            .unix_file("lib/a.txt", 0o644, &vec![b'x'; 200_000])
            .finish();
        let request = bootdoctor_core::report::Request::default();
        let from_memory = bootdoctor_core::report::diagnose(Some(("f.zip", io::Cursor::new(&zip))), &request);
        let lazily = RangeReader::new(Memory::new(zip.clone()), |_| {});
        let through = bootdoctor_core::report::diagnose(Some(("f.zip", lazily)), &request);
        assert_eq!(through.unwrap(), from_memory.unwrap());
    }

    #[test]
    fn hinted_ranges_are_fetched_in_one_call_and_then_served_from_memory() {
        let mut r = reader(4 << 20);
        let hint = [(3_000_000u64, 500u64), (10, 100), (1_000_000, 2_000), (1_002_100, 50)];
        let ranges: Vec<ByteRange> = hint.iter().map(|&(start, len)| ByteRange { start, len }).collect();
        r.prefetch(&ranges);
        assert_eq!(r.source.calls, 1, "one call for every hinted range");
        // Sorted, and the two ranges 50 bytes apart merged into one.
        assert_eq!(r.source.asked, vec![(10, 100), (1_000_000, 2_150), (3_000_000, 500)]);
        for (start, len) in hint {
            r.seek(SeekFrom::Start(start)).unwrap();
            let mut got = vec![0u8; len as usize];
            r.read_exact(&mut got).unwrap();
            let expected: Vec<u8> = (start..start + len).map(|i| (i % 251) as u8).collect();
            assert_eq!(got, expected, "at {start}");
        }
        assert_eq!(r.source.calls, 1, "the hinted reads asked the source nothing more");
        r.seek(SeekFrom::Start(2_000_000)).unwrap();
        r.read_exact(&mut [0u8; 16]).unwrap();
        assert_eq!(r.source.calls, 2, "a read outside the hint is fetched as usual");
    }

    #[test]
    fn a_hint_within_what_the_last_one_fetched_is_served_without_fetching_again() {
        let mut r = reader(4 << 20);
        let hint =
            |spans: &[(u64, u64)]| spans.iter().map(|&(start, len)| ByteRange { start, len }).collect::<Vec<_>>();
        r.prefetch(&hint(&[(0, 200_000), (1_000_000, 300_000), (3_000_000, 1_000)]));
        assert_eq!(r.source.calls, 1);
        // Two ranges inside the first hint's spans, one partly outside and one elsewhere.
        r.prefetch(&hint(&[(1_000, 5_000), (1_100_000, 100_000), (3_000_500, 2_000), (2_000_000, 100)]));
        assert_eq!(r.source.calls, 2, "one call for what the first hint did not hold");
        assert_eq!(r.source.asked[3..], [(2_000_000, 100), (3_000_500, 2_000)]);
        let calls = r.source.calls;
        for (start, len) in [(1_000u64, 5_000u64), (1_100_000, 100_000), (3_000_500, 2_000), (2_000_000, 100)] {
            r.seek(SeekFrom::Start(start)).unwrap();
            let mut got = vec![0u8; len as usize];
            r.read_exact(&mut got).unwrap();
            let expected: Vec<u8> = (start..start + len).map(|i| (i % 251) as u8).collect();
            assert_eq!(got, expected, "at {start}");
        }
        assert_eq!(r.source.calls, calls, "every hinted read was served from memory");
        // The first hint's third span served nothing of the second: it is gone.
        r.prefetch(&hint(&[(3_000_000, 400)]));
        assert_eq!(r.source.calls, calls + 1);
    }

    #[test]
    fn a_hint_is_bounded_by_its_budget_and_the_file() {
        let mut r = reader(1 << 20);
        r.prefetch(&[
            ByteRange { start: 1000, len: PREFETCH_BUDGET },
            ByteRange { start: 900_000, len: 10 },
            ByteRange { start: 1 << 40, len: 5 },
        ]);
        let fetched: usize = r.source.asked.iter().map(|&(_, len)| len).sum();
        assert_eq!(fetched, (1 << 20) - 1000, "clipped to the file; past its end, nothing");
        let mut big = reader(PREFETCH_BUDGET as usize + (2 << 20));
        big.prefetch(&[ByteRange { start: 0, len: PREFETCH_BUDGET + 100 }, ByteRange { start: 2, len: 10 }]);
        let fetched: u64 = big.source.asked.iter().map(|&(_, len)| len as u64).sum();
        assert_eq!(fetched, PREFETCH_BUDGET, "the first range wins the budget");
        assert!(big.source.asked.iter().all(|&(_, len)| len <= MAX_PREFETCH_CALL));
    }

    /// 150 small executables between 200 KiB fillers: without the engine's hints each sniff
    /// would be its own call (more than 150); with them the package is read in a handful.
    #[test]
    fn a_package_of_scattered_executables_is_read_in_a_few_calls() {
        let mut zip =
            bootdoctor_core::synth::ZipBuilder::new().unix_file("bootstrap", 0o755, b"#!/bin/sh\nexec ./bin/t0\n");
        let filler: Vec<u8> = (0..200_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8).collect();
        for i in 0..150 {
            zip = zip.unix_file(&format!("bin/t{i}"), 0o755, format!("#!/bin/sh\necho {i}\n").as_bytes()).unix_file(
                &format!("data/f{i}.dat"),
                0o644,
                &filler,
            );
        }
        let zip = zip.finish();
        let request = bootdoctor_core::report::Request::default();
        let from_memory = bootdoctor_core::report::diagnose(Some(("f.zip", io::Cursor::new(&zip))), &request).unwrap();
        let mut lazily = RangeReader::new(Memory::new(zip), |_| {});
        let through = bootdoctor_core::report::diagnose(Some(("f.zip", &mut lazily)), &request).unwrap();
        assert_eq!(through, from_memory);
        assert_eq!(from_memory.package.as_ref().unwrap().files_sniffed, 151);
        let calls = lazily.source.calls;
        assert!(calls <= 12, "{calls} calls to the source");
    }

    /// Every corpus package reads the same through the lazy reader (with the engine's hints) as
    /// from a file.
    #[test]
    fn corpus_packages_read_lazily_as_from_a_file() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
        let Ok(listing) = std::fs::read_dir(dir.join("packages")) else {
            println!("SKIPPED corpus tier: ../shared/corpus not found");
            return;
        };
        let mut compared = 0;
        for path in listing.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|e| e == "zip")) {
            let bytes = std::fs::read(&path).unwrap();
            let request = bootdoctor_core::report::Request::default();
            let from_file = bootdoctor_core::report::diagnose(Some(("p.zip", io::Cursor::new(&bytes))), &request);
            let lazily = RangeReader::new(Memory::new(bytes), |_| {});
            let through = bootdoctor_core::report::diagnose(Some(("p.zip", lazily)), &request);
            assert_eq!(through.unwrap(), from_file.unwrap(), "{}", path.display());
            compared += 1;
        }
        println!("corpus: {compared} packages read lazily as from a file");
        assert!(compared > 10);
    }
}
