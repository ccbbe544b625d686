//! What durable dispatch asks the store before each call. Defined here, implemented
//! by the delivery engine, so that dispatching does not depend on delivery.

use std::future::Future;
use std::pin::Pin;

use crate::handler::BoxError;
use crate::idempotency::KeyClaim;

/// The future of a gate operation.
pub(crate) type GateFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, BoxError>> + Send + 'a>>;

/// Durable dispatch's view of the store: pairs already done, idempotency keys.
pub(crate) trait Gate: Sync {
    /// Whether the pair already succeeded in an earlier attempt.
    fn is_done(&self, pair: &str) -> bool;
    /// Claims an idempotency key.
    fn claim_key(&self, key: String) -> GateFuture<'_, KeyClaim>;
    /// Releases it, as done when the handler succeeded.
    fn finish_key(&self, key: String, succeeded: bool) -> GateFuture<'_, ()>;
}
