//! Passwords: argon2id with OWASP's parameters (19 MiB, 2 passes, 1 lane), hashed on the
//! blocking pool so the async runtime keeps serving, a few at a time ([`Hashing`]) so that
//! parallel sign-ins cannot take the memory. Unknown addresses are checked against a
//! dummy hash so a sign-in takes as long whether or not the address exists.

use std::{
    sync::{Arc, Mutex, OnceLock},
    time::Duration,
};

use argon2::{
    Algorithm, Argon2, Block, Params, Version, password_hash,
    password_hash::phc::{Output, ParamsString, PasswordHash, Salt},
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

fn params() -> Params {
    Params::new(
        Params::DEFAULT_M_COST,
        Params::DEFAULT_T_COST,
        Params::DEFAULT_P_COST,
        None,
    )
    .unwrap_or_default()
}

/// The 19 MiB that one hash works in, kept and used again. Left to argon2, every hash
/// allocates its own; the allocator keeps freed blocks of that size around and they
/// fragment, so that memory grew with every sign-in (to 300–450 MiB for a hundred, two at
/// a time). A few of these, one per turn, are all the hashing memory there is.
struct Memory(Vec<Block>);

impl Memory {
    /// At least as many blocks as `params` asks for (more only for an older, costlier hash).
    fn blocks_for(&mut self, params: &Params) -> &mut [Block] {
        let needed = params.block_count();
        if self.0.len() < needed {
            self.0.resize(needed, Block::default());
        }
        &mut self.0
    }

    fn hash(&mut self, password: &[u8]) -> Result<String, password_hash::Error> {
        let salt = password_hash::try_generate_salt().map_err(|_| password_hash::Error::Crypto)?;
        let params = params();
        let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
        let mut output = [0u8; Params::DEFAULT_OUTPUT_LEN];
        argon2.hash_password_into_with_memory(
            password,
            &salt,
            &mut output,
            self.blocks_for(&params),
        )?;
        let phc = PasswordHash {
            algorithm: Algorithm::Argon2id.ident(),
            version: Some(Version::V0x13.into()),
            params: ParamsString::try_from(&params)?,
            salt: Some(Salt::new(&salt)?),
            hash: Some(Output::new(&output)?),
        };
        Ok(phc.to_string())
    }

    /// Whether `password` gives `stored`'s hash under `stored`'s own settings.
    fn verify(&mut self, password: &[u8], stored: &PasswordHash) -> bool {
        let (Some(salt), Some(expected)) = (&stored.salt, &stored.hash) else {
            return false;
        };
        let (Ok(algorithm), Ok(params)) = (
            Algorithm::try_from(stored.algorithm.as_str()),
            Params::try_from(stored),
        ) else {
            return false;
        };
        let version = match stored.version.map(Version::try_from) {
            None => Version::default(),
            Some(Ok(version)) => version,
            Some(Err(_)) => return false,
        };
        let argon2 = Argon2::new(algorithm, version, params.clone());
        let mut output = vec![0u8; expected.len()];
        argon2
            .hash_password_into_with_memory(password, salt, &mut output, self.blocks_for(&params))
            .is_ok()
            // `Output` compares in constant time.
            && Output::new(&output).is_ok_and(|computed| computed == *expected)
    }
}

/// How many hashes may run at once. Each works in 19 MiB and more at once than there are
/// cores only makes every one slower, so the number of cores, and at most four, so that a
/// big machine too stays near 76 MiB of hashing memory whatever arrives.
const MOST_AT_ONCE: usize = 4;
/// How long a request waits for its turn before it is asked to come back.
const WAIT_FOR_TURN: Duration = Duration::from_secs(2);

/// Every argon2 hash and check of the process goes through here: a few at a time on the
/// blocking pool, each in a kept [`Memory`], the rest waiting briefly in line and then
/// answered "busy" (503 with `Retry-After`), so that a crowd of sign-ins costs waiting, not
/// memory.
#[derive(Clone, Debug)]
pub struct Hashing {
    turns: Arc<Semaphore>,
    memories: Arc<Mutex<Vec<Memory>>>,
}

impl std::fmt::Debug for Memory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Memory({} blocks)", self.0.len())
    }
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
            memories: Arc::default(),
        }
    }

    /// Runs `work` on the blocking pool once a turn is free, in a kept memory. The turn goes
    /// along into the blocking task, so it is given back when the hashing ends, even if the
    /// request that asked for it was dropped meanwhile; so there are never more memories
    /// than turns.
    async fn in_turn<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Memory) -> T + Send + 'static,
    ) -> AppResult<T> {
        let turn = tokio::time::timeout(WAIT_FOR_TURN, self.turns.clone().acquire_owned())
            .await
            .map_err(|_| AppError::Busy)?
            .map_err(|_| AppError::Busy)?;
        let memories = self.memories.clone();
        tokio::task::spawn_blocking(move || {
            let kept = memories.lock().ok().and_then(|mut kept| kept.pop());
            let mut memory = kept.unwrap_or(Memory(Vec::new()));
            let result = work(&mut memory);
            if let Ok(mut kept) = memories.lock() {
                kept.push(memory);
            }
            drop(turn);
            result
        })
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("hashing task failed: {e}")))
    }

    pub async fn hash(&self, password: String) -> AppResult<String> {
        self.in_turn(move |memory| {
            memory
                .hash(password.as_bytes())
                .map_err(|e| AppError::Internal(anyhow::anyhow!("hashing failed: {e}")))
        })
        .await?
    }

    /// True when `password` matches `stored`; with no stored hash, spends the same time and
    /// answers false.
    pub async fn verify(&self, password: String, stored: Option<String>) -> AppResult<bool> {
        self.in_turn(move |memory| {
            let known = stored.is_some();
            let phc = stored.unwrap_or_else(|| dummy_hash(memory).to_string());
            let Ok(parsed) = PasswordHash::new(&phc) else {
                return false;
            };
            let matches = memory.verify(password.as_bytes(), &parsed);
            known && matches
        })
        .await
    }
}

/// Made once, on the blocking pool and in turn (inside `verify`).
fn dummy_hash(memory: &mut Memory) -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        memory
            .hash(b"a password nobody has, to spend the time")
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

    /// Hashes stored before the kept memories (made by argon2's own `hash_password`) still
    /// verify, and ours verify with argon2's own check.
    #[tokio::test]
    async fn hashes_agree_with_argon2s_own() -> anyhow::Result<()> {
        use argon2::password_hash::{PasswordHasher, PasswordVerifier};
        let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params());
        let theirs = argon2
            .hash_password(b"fiets-molen-Kade-zomer7")
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .to_string();
        let hashing = Hashing::with_turns(1);
        assert!(
            hashing
                .verify("fiets-molen-Kade-zomer7".into(), Some(theirs))
                .await?
        );
        let ours = hashing.hash("fiets-molen-Kade-zomer7".into()).await?;
        let parsed = PasswordHash::new(&ours).map_err(|e| anyhow::anyhow!("{e}"))?;
        assert!(
            argon2
                .verify_password(b"fiets-molen-Kade-zomer7", &parsed)
                .is_ok()
        );
        assert!(
            argon2
                .verify_password(b"fiets-molen-Kade-zomer8", &parsed)
                .is_err()
        );
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
