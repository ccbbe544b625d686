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
    /// Notes that the pair succeeded in this attempt.
    fn succeeded(&self, pair: String);
    /// Claims an idempotency key; the number names this claim when it is released.
    fn claim_key(&self, key: String) -> GateFuture<'_, (KeyClaim, u64)>;
    /// Releases the key's claim `holder`, as done when the handler succeeded.
    fn finish_key(&self, key: String, holder: u64, succeeded: bool) -> GateFuture<'_, ()>;
}
