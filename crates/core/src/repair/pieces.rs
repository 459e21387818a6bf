//! The repaired zip as a list of pieces: byte ranges copied from the original package and new
//! bytes (headers, rewritten scripts, the central directory). The repair never holds what it
//! copies, so it costs the new bytes whatever the package's size; the caller writes the pieces
//! out (the CLI, copying from the input file) or hands them on (the page builds a `Blob` of
//! slices of the dropped file, copying nothing). [`PiecesReader`] reads them as one file, for
//! diagnosing the result.

use std::io::{self, Read, Seek, SeekFrom, Write};

use crate::archive::{ByteRange, PackageRead};

/// One part of a repaired zip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// `len` bytes of the original package from offset `start`.
    Copy {
        /// Offset in the original.
        start: u64,
        /// How many bytes.
        len: u64,
    },
    /// Bytes the repair wrote.
    New(Vec<u8>),
}

impl Piece {
    fn len(&self) -> u64 {
        match self {
            Piece::Copy { len, .. } => *len,
            Piece::New(bytes) => bytes.len() as u64,
        }
    }
}

/// A repaired zip: pieces of the original and new bytes, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RepairedZip {
    pieces: Vec<Piece>,
    /// Offset of each piece in the repaired zip.
    starts: Vec<u64>,
    len: u64,
}

impl RepairedZip {
    /// The whole original, unchanged.
    pub fn unchanged(len: u64) -> Self {
        let mut zip = RepairedZip::default();
        zip.push_copy(0, len);
        zip
    }

    /// The pieces, in order.
    pub fn pieces(&self) -> &[Piece] {
        &self.pieces
    }

    /// Size of the repaired zip in bytes.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// True when it has no bytes at all.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Bytes the repair wrote itself (the rest is copied from the original).
    pub fn new_bytes(&self) -> u64 {
        self.pieces.iter().filter(|p| matches!(p, Piece::New(_))).map(Piece::len).sum()
    }

    /// Appends `len` bytes of the original from `start`, joined to the previous piece when that
    /// ends where this begins.
    pub(crate) fn push_copy(&mut self, start: u64, len: u64) {
        if len == 0 {
            return;
        }
        if let Some(Piece::Copy { start: s, len: l }) = self.pieces.last_mut() {
            if *s + *l == start {
                *l += len;
                self.len += len;
                return;
            }
        }
        self.push(Piece::Copy { start, len });
    }

    /// Appends new bytes, joined to the previous piece when that is new bytes too.
    pub(crate) fn push_new(&mut self, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        if let Some(Piece::New(previous)) = self.pieces.last_mut() {
            previous.extend_from_slice(bytes);
            self.len += bytes.len() as u64;
            return;
        }
        self.push(Piece::New(bytes.to_vec()));
    }

    fn push(&mut self, piece: Piece) {
        self.starts.push(self.len);
        self.len += piece.len();
        self.pieces.push(piece);
    }

    /// The index of the piece holding offset `at`, if any.
    fn piece_at(&self, at: u64) -> Option<usize> {
        if at >= self.len {
            return None;
        }
        Some(self.starts.partition_point(|&s| s <= at) - 1)
    }

    /// The parts of the pieces that hold this zip's bytes `start..start + len` (within its size),
    /// in order: each piece, the offset into it and how many of its bytes.
    fn spans(&self, start: u64, len: u64) -> impl Iterator<Item = (&Piece, u64, u64)> + '_ {
        let end = start.saturating_add(len).min(self.len);
        let mut at = start;
        std::iter::from_fn(move || {
            let i = self.piece_at(at).filter(|_| at < end)?;
            let offset = at - self.starts[i];
            let take = (self.pieces[i].len() - offset).min(end - at);
            at += take;
            Some((&self.pieces[i], offset, take))
        })
    }

    /// `later`, made by repairing this zip again, as pieces of the original: its copies of this
    /// zip are resolved into this zip's own pieces.
    pub(crate) fn then(&self, later: RepairedZip) -> RepairedZip {
        let mut out = RepairedZip::default();
        for piece in later.pieces {
            match piece {
                Piece::New(bytes) => out.push_new(&bytes),
                Piece::Copy { start, len } => {
                    for (piece, offset, take) in self.spans(start, len) {
                        match piece {
                            Piece::Copy { start: s, .. } => out.push_copy(s + offset, take),
                            Piece::New(bytes) => out.push_new(&bytes[offset as usize..(offset + take) as usize]),
                        }
                    }
                }
            }
        }
        out
    }

    /// Writes the repaired zip to `out`, copying from `original`.
    pub fn write_to(&self, original: &mut (impl Read + Seek), out: &mut impl Write) -> io::Result<()> {
        for piece in &self.pieces {
            match piece {
                Piece::New(bytes) => out.write_all(bytes)?,
                Piece::Copy { start, len } => {
                    original.seek(SeekFrom::Start(*start))?;
                    let copied = io::copy(&mut original.by_ref().take(*len), out)?;
                    if copied != *len {
                        return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "the package got shorter"));
                    }
                }
            }
        }
        Ok(())
    }

    /// The repaired zip's bytes, from the original's (for callers holding both in memory).
    pub fn to_vec(&self, original: &[u8]) -> io::Result<Vec<u8>> {
        let mut out = Vec::with_capacity(usize::try_from(self.len).unwrap_or(0));
        self.write_to(&mut io::Cursor::new(original), &mut out)?;
        Ok(out)
    }

    /// Reads the repaired zip as one file, through `original`.
    pub fn reader<R: PackageRead>(&self, original: R) -> PiecesReader<'_, R> {
        PiecesReader { zip: self, original, pos: 0, original_pos: None }
    }
}

/// `Read + Seek` over a [`RepairedZip`]; read-ahead hints are passed on to the original for the
/// copied parts.
pub struct PiecesReader<'a, R> {
    zip: &'a RepairedZip,
    original: R,
    pos: u64,
    /// Where the original is known to be, so reading on needs no seek (a seek empties a
    /// `BufReader`'s buffer).
    original_pos: Option<u64>,
}

impl<R: PackageRead> Read for PiecesReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let zip = self.zip;
        let Some((piece, offset, want)) = zip.spans(self.pos, buf.len() as u64).next() else { return Ok(0) };
        let want = want as usize;
        let n = match piece {
            Piece::New(bytes) => {
                let from = offset as usize;
                buf[..want].copy_from_slice(&bytes[from..from + want]);
                want
            }
            Piece::Copy { start, .. } => {
                let at = start + offset;
                if self.original_pos != Some(at) {
                    self.original_pos = None;
                    self.original.seek(SeekFrom::Start(at))?;
                }
                let n = self.original.read(&mut buf[..want])?;
                self.original_pos = Some(at + n as u64);
                n
            }
        };
        self.pos += n as u64;
        Ok(n)
    }
}

impl<R: PackageRead> Seek for PiecesReader<'_, R> {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let target = match to {
            SeekFrom::Start(n) => Some(n),
            SeekFrom::End(d) => self.zip.len.checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        };
        self.pos = target.ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "seek before the start"))?;
        Ok(self.pos)
    }
}

impl<R: PackageRead> PackageRead for PiecesReader<'_, R> {
    fn prefetch(&mut self, ranges: &[ByteRange]) {
        let inner: Vec<ByteRange> = ranges
            .iter()
            .flat_map(|range| self.zip.spans(range.start, range.len))
            .filter_map(|(piece, offset, take)| match piece {
                Piece::Copy { start, .. } => Some(ByteRange { start: start + offset, len: take }),
                Piece::New(_) => None,
            })
            .collect();
        if !inner.is_empty() {
            self.original_pos = None;
            self.original.prefetch(&inner);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> (Vec<u8>, RepairedZip) {
        let original: Vec<u8> = (0..100u8).collect();
        let mut zip = RepairedZip::default();
        zip.push_copy(10, 5);
        zip.push_copy(15, 5); // joins the previous copy
        zip.push_new(b"ab");
        zip.push_new(b"cd"); // joins the previous new bytes
        zip.push_copy(90, 10);
        (original, zip)
    }

    #[test]
    fn pieces_join_and_write_out_in_order() {
        let (original, zip) = sample();
        assert_eq!(zip.pieces().len(), 3);
        assert_eq!(zip.len(), 24);
        assert_eq!(zip.new_bytes(), 4);
        let mut expected: Vec<u8> = (10..20).collect();
        expected.extend_from_slice(b"abcd");
        expected.extend(90..100);
        assert_eq!(zip.to_vec(&original).unwrap(), expected);
    }

    #[test]
    fn the_reader_reads_what_is_written_at_every_offset() {
        let (original, zip) = sample();
        let whole = zip.to_vec(&original).unwrap();
        let mut reader = zip.reader(io::Cursor::new(&original));
        for at in 0..=whole.len() as u64 {
            reader.seek(SeekFrom::Start(at)).unwrap();
            let mut got = Vec::new();
            reader.read_to_end(&mut got).unwrap();
            assert_eq!(got, whole[at as usize..], "from {at}");
        }
    }

    #[test]
    fn a_second_repair_resolves_to_pieces_of_the_original() {
        let (original, first) = sample();
        let first_bytes = first.to_vec(&original).unwrap();
        let mut second = RepairedZip::default();
        second.push_copy(8, 10); // straddles the first's copy, new bytes and last copy
        second.push_new(b"Z");
        second.push_copy(0, 3);
        let composed = first.then(second.clone());
        let expected = second.to_vec(&first_bytes).unwrap();
        assert_eq!(composed.to_vec(&original).unwrap(), expected);
    }

    #[test]
    fn a_truncated_original_is_an_error_not_a_short_zip() {
        let (original, zip) = sample();
        let mut out = Vec::new();
        assert!(zip.write_to(&mut io::Cursor::new(&original[..95]), &mut out).is_err());
    }
}
