//! Requests that carry both `Content-Length` and `Transfer-Encoding`: hyper reads
//! such a request as chunked and drops the `Content-Length` before any handler
//! sees it, but a proxy in front may have read it by its length, so the two
//! disagree on where the next request starts (request smuggling). RFC 9112 §6.3
//! lets a server refuse it; we do, with `400`, and close the connection.
//!
//! [`HeadScan`] watches the bytes of a connection as hyper reads them and marks
//! the connection when one header section (the lines up to an empty line) holds
//! both fields; the per-request guard of [`serve`](crate::serve) answers `400` to
//! every request of a marked connection. Only line starts are looked at; a body
//! would need raw CRLF lines starting with both field names to mark a connection,
//! which JSON cannot contain outside strings.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// Set once a header section of the connection held both fields.
#[derive(Debug, Clone, Default)]
pub(crate) struct Smuggling(Arc<AtomicBool>);

impl Smuggling {
    pub(crate) fn seen(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

const TE: &[u8] = b"transfer-encoding:";
const CL: &[u8] = b"content-length:";

/// The scanner's state between reads.
#[derive(Debug, Default)]
struct Scan {
    /// The first bytes of a line begun in an earlier read.
    start: [u8; 32],
    /// Bytes of that line so far (counted past `start`'s length).
    len: usize,
    te: bool,
    /// The section's `Content-Length`, when it has one (`usize::MAX`: unreadable).
    cl: Option<usize>,
    /// Body bytes still to pass over unscanned (a body of a known length).
    skip: usize,
}

impl Scan {
    /// Scans `bytes`; true when a section with both fields ended in them. Line ends
    /// are found with `memchr`, and only a line's first bytes are looked at.
    fn feed(&mut self, mut bytes: &[u8]) -> bool {
        let mut both = false;
        loop {
            if self.skip > 0 {
                let skipped = self.skip.min(bytes.len());
                self.skip -= skipped;
                bytes = &bytes[skipped..];
            }
            if bytes.is_empty() {
                return both;
            }
            let Some(end) = memchr::memchr(b'\n', bytes) else {
                self.carry(bytes);
                return both;
            };
            let piece = &bytes[..end];
            bytes = &bytes[end + 1..];
            if self.len == 0 {
                both |= self.line(piece, piece.len());
            } else {
                self.carry(piece);
                let (start, len) = (self.start, self.len);
                self.len = 0;
                both |= self.line(&start[..len.min(start.len())], len);
            }
        }
    }

    /// Keeps the first bytes of a line that goes on in the next read.
    fn carry(&mut self, bytes: &[u8]) {
        let at = self.len.min(self.start.len());
        let kept = (self.start.len() - at).min(bytes.len());
        self.start[at..at + kept].copy_from_slice(&bytes[..kept]);
        self.len += bytes.len();
    }

    /// A line ended: `start` is its beginning, `len` its whole length (with any
    /// `\r`). True when it ended a section holding both fields.
    fn line(&mut self, start: &[u8], len: usize) -> bool {
        if len == 0 || (len == 1 && start == b"\r") {
            // An empty line ends a header section; a body of known length follows
            // unscanned (a chunked one is scanned: it is rare).
            let both = self.te && self.cl.is_some();
            if let (false, Some(length)) = (self.te, self.cl)
                && length != usize::MAX
            {
                self.skip = length;
            }
            self.te = false;
            self.cl = None;
            return both;
        }
        let named = |name: &[u8]| {
            start.len() >= name.len() && start[..name.len()].eq_ignore_ascii_case(name)
        };
        if named(TE) {
            self.te = true;
        } else if named(CL) {
            // `\r` is ASCII whitespace: trimmed with the spaces.
            let digits = start[CL.len()..].trim_ascii();
            let length = std::str::from_utf8(digits)
                .ok()
                .and_then(|d| d.parse().ok());
            // A value past `start` or unreadable still counts as present.
            self.cl = Some(length.filter(|_| len <= start.len()).unwrap_or(usize::MAX));
        }
        false
    }
}

/// A connection's I/O, scanned as it is read.
pub(crate) struct HeadScan<I> {
    inner: I,
    scan: Scan,
    smuggling: Smuggling,
}

impl<I> HeadScan<I> {
    pub(crate) fn new(inner: I, smuggling: Smuggling) -> Self {
        Self {
            inner,
            scan: Scan::default(),
            smuggling,
        }
    }
}

impl<I: AsyncRead + Unpin> AsyncRead for HeadScan<I> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if polled.is_ready() {
            let this = &mut *self;
            if this.scan.feed(&buf.filled()[before..]) {
                this.smuggling.0.store(true, Ordering::Relaxed);
            }
        }
        polled
    }
}

impl<I: AsyncWrite + Unpin> AsyncWrite for HeadScan<I> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marks(chunks: &[&[u8]]) -> bool {
        let mut scan = Scan::default();
        chunks
            .iter()
            .fold(false, |seen, chunk| scan.feed(chunk) | seen)
    }

    #[test]
    fn both_fields_in_one_section_mark_it_in_any_order_case_and_split() {
        let te_cl = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n";
        let cl_te = b"POST / HTTP/1.1\r\ncontent-length: 4\r\nTRANSFER-ENCODING: chunked\r\n\r\n";
        assert!(marks(&[te_cl]));
        assert!(marks(&[cl_te]));
        // Byte by byte.
        let bytes: Vec<&[u8]> = te_cl.chunks(1).collect();
        assert!(marks(&bytes));
        // Bare `\n` line ends, as httparse accepts.
        assert!(marks(&[
            b"POST / HTTP/1.1\ntransfer-encoding: chunked\ncontent-length: 4\n\n"
        ]));
    }

    #[test]
    fn a_body_of_known_length_is_passed_over() {
        // The body holds a header section with both fields: it is not scanned.
        let body =
            b"x\r\n\r\nPOST / HTTP/1.1\r\ntransfer-encoding: chunked\r\ncontent-length: 4\r\n\r\n";
        let mut request =
            format!("POST / HTTP/1.1\r\nContent-Length: {}\r\n\r\n", body.len()).into_bytes();
        request.extend_from_slice(body);
        assert!(!marks(&[&request]));
        let bytes: Vec<&[u8]> = request.chunks(3).collect();
        assert!(!marks(&bytes));
        // The request after it is scanned again.
        request.extend_from_slice(
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 1\r\n\r\n",
        );
        assert!(marks(&[&request]));
    }

    #[test]
    fn one_field_per_section_or_a_json_body_does_not() {
        let keep_alive = b"POST / HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n";
        assert!(!marks(&[keep_alive]));
        let body = br#"POST / HTTP/1.1
Content-Length: 60

{"Transfer-Encoding: chunked": "Content-Length: 4"}
"#;
        assert!(!marks(&[body]));
        let long = [
            &b"POST / HTTP/1.1\r\nx-long: "[..],
            &[b'a'; 10_000],
            b"\r\ncontent-length: 1\r\n\r\n",
        ];
        assert!(!marks(&long));
    }
}
