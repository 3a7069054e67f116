//! Passwords: argon2id with OWASP's parameters (19 MiB, 2 passes, 1 lane), hashed on the
//! blocking pool so the async runtime keeps serving, a few at a time ([`Hashing`]) so that
//! parallel sign-ins cannot take the memory. Unknown addresses are checked against a
//! dummy hash so a sign-in takes as long whether or not the address exists.

use std::{
    sync::{Arc, OnceLock},
    time::Duration,
};

use argon2::{
    Algorithm, Argon2, Params, Version,
    password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash},
};
use tokio::sync::Semaphore;

use crate::error::{AppError, AppResult};

pub const MIN_CHARS: usize = 12;
/// Generous, so long passphrases fit; bounded, so hashing cannot be made arbitrarily slow.
pub const MAX_CHARS: usize = 256;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Problem {
    TooShort,
    TooLong,
    TooCommon,
}

impl Problem {
    pub fn key(self) -> &'static str {
        match self {
            Problem::TooShort => "password.too_short",
            Problem::TooLong => "password.too_long",
            Problem::TooCommon => "password.too_common",
        }
    }
}

/// Length first, then zxcvbn, which knows the common-password and word lists and also
/// sees through the person's own name or address used as a password.
pub fn check(password: &str, personal: &[&str]) -> Result<(), Problem> {
    let chars = password.chars().count();
    if chars < MIN_CHARS {
        return Err(Problem::TooShort);
    }
    if chars > MAX_CHARS {
        return Err(Problem::TooLong);
    }
    let estimate = zxcvbn::zxcvbn(password, personal);
    if (estimate.score() as u8) < 3 {
        return Err(Problem::TooCommon);
    }
    Ok(())
}

fn hasher() -> Argon2<'static> {
    let params = Params::new(
        Params::DEFAULT_M_COST,
        Params::DEFAULT_T_COST,
        Params::DEFAULT_P_COST,
        None,
    )
    .unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// How many hashes may run at once. Each holds 19 MiB for its whole run and more at once
/// than there are cores only makes every one slower, so the number of cores, and at most
/// four, so that a big machine too stays near 76 MiB of hashing whatever arrives.
const MOST_AT_ONCE: usize = 4;
/// How long a request waits for its turn before it is asked to come back.
const WAIT_FOR_TURN: Duration = Duration::from_secs(2);

/// Every argon2 hash and check of the process goes through here: a few at a time on the
/// blocking pool, the rest waiting briefly in line and then answered "busy" (503 with
/// `Retry-After`), so that a crowd of sign-ins costs waiting, not memory.
#[derive(Clone, Debug)]
pub struct Hashing {
    turns: Arc<Semaphore>,
}

impl Default for Hashing {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        Hashing::with_turns(cores.min(MOST_AT_ONCE))
    }
}

impl Hashing {
    pub fn with_turns(at_once: usize) -> Self {
        Hashing {
            turns: Arc::new(Semaphore::new(at_once.max(1))),
        }
    }

    /// Runs `work` on the blocking pool once a turn is free. The turn goes along into the
    /// blocking task, so it is given back when the hashing ends, even if the request that
    /// asked for it was dropped meanwhile.
    async fn in_turn<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> AppResult<T> {
        let turn = tokio::time::timeout(WAIT_FOR_TURN, self.turns.clone().acquire_owned())
            .await
            .map_err(|_| AppError::Busy)?
            .map_err(|_| AppError::Busy)?;
        tokio::task::spawn_blocking(move || {
            let result = work();
            drop(turn);
            result
        })
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("hashing task failed: {e}")))
    }

    pub async fn hash(&self, password: String) -> AppResult<String> {
        self.in_turn(move || {
            hasher()
                .hash_password(password.as_bytes())
                .map(|h| h.to_string())
                .map_err(|e| AppError::Internal(anyhow::anyhow!("hashing failed: {e}")))
        })
        .await?
    }

    /// True when `password` matches `stored`; with no stored hash, spends the same time and
    /// answers false.
    pub async fn verify(&self, password: String, stored: Option<String>) -> AppResult<bool> {
        self.in_turn(move || {
            let known = stored.is_some();
            let phc = stored.unwrap_or_else(|| dummy_hash().to_string());
            let Ok(parsed) = PasswordHash::new(&phc) else {
                return false;
            };
            let matches = hasher()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok();
            known && matches
        })
        .await
    }
}

/// Made once, on the blocking pool and in turn (inside `verify`).
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        hasher()
            .hash_password(b"a password nobody has, to spend the time")
            .map(|h| h.to_string())
            .unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy() {
        assert_eq!(check("kort", &[]), Err(Problem::TooShort));
        assert_eq!(check("passwordpassword", &[]), Err(Problem::TooCommon));
        assert_eq!(check("123456789012", &[]), Err(Problem::TooCommon));
        assert_eq!(
            check(&"x".repeat(MAX_CHARS + 1), &[]),
            Err(Problem::TooLong)
        );
        assert_eq!(check("fiets-molen-Kade-zomer7", &[]), Ok(()));
    }

    #[tokio::test]
    async fn hash_and_verify() -> anyhow::Result<()> {
        let hashing = Hashing::default();
        let stored = hashing.hash("fiets-molen-Kade-zomer7".into()).await?;
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(
            hashing
                .verify("fiets-molen-Kade-zomer7".into(), Some(stored.clone()))
                .await?
        );
        assert!(
            !hashing
                .verify("fiets-molen-Kade-zomer8".into(), Some(stored))
                .await?
        );
        assert!(!hashing.verify("anything at all".into(), None).await?);
        Ok(())
    }

    #[tokio::test]
    async fn with_every_turn_taken_the_answer_is_busy_after_a_short_wait() {
        let hashing = Hashing::with_turns(1);
        let taken = hashing.turns.clone().acquire_owned().await;
        let started = std::time::Instant::now();
        let answer = hashing.verify("anything at all".into(), None).await;
        assert!(matches!(answer, Err(AppError::Busy)), "{answer:?}");
        assert!(started.elapsed() >= WAIT_FOR_TURN);
        drop(taken);
        assert!(matches!(
            hashing.verify("anything at all".into(), None).await,
            Ok(false)
        ));
    }
}
