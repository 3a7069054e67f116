//! Passwords: argon2id with OWASP's parameters (19 MiB, 2 passes, 1 lane), hashed on the
//! blocking pool so the async runtime keeps serving. Unknown addresses are checked against a
//! dummy hash so a sign-in takes as long whether or not the address exists.

use std::sync::OnceLock;

use argon2::{
    Algorithm, Argon2, Params, Version,
    password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash},
};

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

pub async fn hash(password: String) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || {
        hasher()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| anyhow::anyhow!("hashing failed: {e}"))
    })
    .await?
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        hasher()
            .hash_password(b"a password nobody has, to spend the time")
            .map(|h| h.to_string())
            .unwrap_or_default()
    })
}

/// True when `password` matches `stored`; with no stored hash, spends the same time and
/// answers false.
pub async fn verify(password: String, stored: Option<String>) -> anyhow::Result<bool> {
    tokio::task::spawn_blocking(move || {
        let known = stored.is_some();
        let phc = stored.unwrap_or_else(|| dummy_hash().to_string());
        let Ok(parsed) = PasswordHash::new(&phc) else {
            return Ok(false);
        };
        let matches = hasher()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        Ok(known && matches)
    })
    .await?
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
        let stored = hash("fiets-molen-Kade-zomer7".into()).await?;
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify("fiets-molen-Kade-zomer7".into(), Some(stored.clone())).await?);
        assert!(!verify("fiets-molen-Kade-zomer8".into(), Some(stored)).await?);
        assert!(!verify("anything at all".into(), None).await?);
        Ok(())
    }
}
