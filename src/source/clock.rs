//! Time as the live sources' HTTP clients see it, and their back-off:
//! everything that waits asks a [`Clock`], so the tests inject one that
//! only moves when the client sleeps and never wait for real.

use std::time::{Duration, Instant};

/// The longest back-off between two attempts.
pub const MAX_BACKOFF: Duration = Duration::from_secs(32);

/// Time as a client sees it: real, or the tests' (which advances on
/// `sleep`).
pub trait Clock: Send + Sync {
    /// Time since an arbitrary start.
    fn now(&self) -> Duration;
    fn sleep(&self, d: Duration);
    /// Seconds since 1970 (a JWT's expiry); the tests' clock counts from
    /// a fixed moment.
    fn unix_seconds(&self) -> u64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    }
}

/// The machine's clock.
pub struct RealClock(Instant);

impl Default for RealClock {
    fn default() -> Self {
        RealClock(Instant::now())
    }
}

impl Clock for RealClock {
    fn now(&self) -> Duration {
        self.0.elapsed()
    }
    fn sleep(&self, d: Duration) {
        std::thread::sleep(d)
    }
}

/// Exponential back-off with jitter: 1 s, 2 s, 4 s … (at most
/// [`MAX_BACKOFF`]), each plus up to half again at random, so that
/// parallel jobs do not retry in step.
pub struct Backoff(u64);

impl Default for Backoff {
    fn default() -> Self {
        Backoff(0x9e37_79b9_7f4a_7c15)
    }
}

impl Backoff {
    /// The wait before attempt `attempt + 1`.
    pub fn wait(&mut self, attempt: u32) -> Duration {
        let base = Duration::from_secs(1 << attempt.saturating_sub(1).min(5)).min(MAX_BACKOFF);
        // xorshift64: no dependency for a little noise
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        let frac = (self.0 % 1000) as f64 / 2000.0;
        base + base.mul_f64(frac)
    }
}

/// The tests' clock: advances by exactly what the client sleeps, and
/// remembers each sleep; its Unix time is a fixed moment.
#[cfg(test)]
#[derive(Clone, Default)]
pub struct FakeClock(pub std::sync::Arc<std::sync::Mutex<(Duration, Vec<Duration>)>>);

#[cfg(test)]
impl FakeClock {
    /// Every wait so far, in order.
    pub fn sleeps(&self) -> Vec<Duration> {
        self.0.lock().map(|g| g.1.clone()).unwrap_or_default()
    }
}

#[cfg(test)]
impl Clock for FakeClock {
    fn now(&self) -> Duration {
        self.0.lock().map(|g| g.0).unwrap_or_default()
    }
    fn sleep(&self, d: Duration) {
        if let Ok(mut g) = self.0.lock() {
            g.0 += d;
            g.1.push(d);
        }
    }
    fn unix_seconds(&self) -> u64 {
        1_700_000_000
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap_with_at_most_half_again() {
        let mut b = Backoff::default();
        for (attempt, base) in [(1, 1), (2, 2), (3, 4), (4, 8), (5, 16), (6, 32), (9, 32)] {
            let w = b.wait(attempt);
            let base = Duration::from_secs(base);
            assert!(w >= base && w <= base + base / 2, "{attempt}: {w:?}");
        }
    }
}
