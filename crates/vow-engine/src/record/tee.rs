//! A body that passes every frame through unchanged while keeping at most a prefix of the bytes,
//! and says once, when the body ends, what it kept. The proxy never holds a whole body.

use std::pin::Pin;
use std::task::{Context, Poll};

use hyper::body::{Body, Bytes, Frame, SizeHint};
use vow_core::record::RawBody;

/// What happens with the captured prefix when the body ends.
pub(crate) type OnEnd = Box<dyn FnOnce(RawBody) + Send + Sync>;

pub(crate) struct Tee<B: Body + Unpin> {
    inner: B,
    kept: Vec<u8>,
    size: u64,
    limit: usize,
    overflow: bool,
    on_end: Option<OnEnd>,
}

impl<B: Body + Unpin> std::fmt::Debug for Tee<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tee")
            .field("size", &self.size)
            .finish_non_exhaustive()
    }
}

impl<B: Body + Unpin> Tee<B> {
    /// Keeps up to `limit` bytes of `inner`; `on_end` gets them once the body has ended (and is
    /// dropped unused if the body is abandoned before its end).
    pub(crate) fn new(inner: B, limit: usize, on_end: Option<OnEnd>) -> Tee<B> {
        Tee {
            inner,
            kept: Vec::new(),
            size: 0,
            limit,
            overflow: false,
            on_end,
        }
    }

    fn end(&mut self) {
        if let Some(on_end) = self.on_end.take() {
            on_end(RawBody {
                bytes: std::mem::take(&mut self.kept),
                size: self.size,
                complete: !self.overflow,
            });
        }
    }
}

impl<B> Body for Tee<B>
where
    B: Body<Data = Bytes> + Unpin,
{
    type Data = Bytes;
    type Error = B::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, B::Error>>> {
        let this = &mut *self;
        let polled = Pin::new(&mut this.inner).poll_frame(cx);
        match &polled {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    this.size += data.len() as u64;
                    if !this.overflow {
                        if this.kept.len() + data.len() <= this.limit {
                            this.kept.extend_from_slice(data);
                        } else {
                            // Past the limit nothing is parsed, so nothing more is kept.
                            this.overflow = true;
                            this.kept = Vec::new();
                        }
                    }
                }
                // The server may not poll again once the body says it has ended.
                if this.inner.is_end_stream() {
                    this.end();
                }
            }
            Poll::Ready(None) => this.end(),
            Poll::Ready(Some(Err(_))) => this.on_end = None,
            Poll::Pending => {}
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

impl<B: Body + Unpin> Drop for Tee<B> {
    fn drop(&mut self) {
        // An empty body may never be polled; one cut short is abandoned (`on_end` is not called).
        if self.inner.is_end_stream() {
            self.end();
        }
    }
}
