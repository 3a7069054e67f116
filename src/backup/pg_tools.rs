//! `pg_dump` and `pg_restore`, PostgreSQL's own tools for a consistent dump and its restore.
//! The password never goes on a command line (where `ps` shows it) nor into a message: the
//! tools get the URL without it, and the password in `PGPASSWORD`.

use std::{path::Path, process::Stdio};

use anyhow::Context as _;
use tokio::process::Command;

/// The URL with its password left out, to show and to give the tools.
pub fn without_password(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(None);
            parsed.to_string()
        }
        Ok(parsed) => parsed.to_string(),
        Err(_) => "(the configured database)".into(),
    }
}

/// The password of a URL, percent-decoded, as `PGPASSWORD` wants it.
fn password(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url).ok()?;
    parsed.password().map(percent_decode)
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (other, _) => {
                out.push(other);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Quotes a word for a shell command shown to the operator.
fn shell_word(word: &str) -> String {
    if word
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_./=:@".contains(c))
    {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// Runs a PostgreSQL tool against `url` with `args`; a missing tool is explained with the
/// exact command to run by hand.
async fn run(tool: &str, url: &str, args: &[&str]) -> anyhow::Result<()> {
    let target = without_password(url);
    let mut command = Command::new(tool);
    command
        .arg("--dbname")
        .arg(&target)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(password) = password(url) {
        command.env("PGPASSWORD", password);
    }
    let output = match command.output().await {
        Ok(output) => output,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            let by_hand = [tool.to_string(), "--dbname".into(), shell_word(&target)]
                .into_iter()
                .chain(args.iter().map(|a| shell_word(a)))
                .collect::<Vec<_>>()
                .join(" ");
            let password = if password(url).is_some() {
                "PGPASSWORD=… "
            } else {
                ""
            };
            anyhow::bail!(
                "{tool} is not on PATH: install PostgreSQL's client tools, of the server's major \
                 version or newer (Debian, Ubuntu: apt install postgresql-client), and run this \
                 again. What Erbij runs for the database is:\n\n    {password}{by_hand}\n"
            );
        }
        Err(err) => return Err(err).with_context(|| format!("cannot run {tool}")),
    };
    anyhow::ensure!(
        output.status.success(),
        "{tool} failed ({}):\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr).trim()
    );
    Ok(())
}

/// A dump in `pg_dump`'s custom format: one repeatable-read snapshot, so it is consistent
/// while the site keeps writing.
pub async fn dump(url: &str, file: &Path) -> anyhow::Result<()> {
    let file = file.to_string_lossy();
    run("pg_dump", url, &["--format=custom", "--file", &file]).await
}

/// Restores a dump into an empty database, all or nothing: in one transaction, stopping at
/// the first error. Ownership and grants of the old server are left out (its roles need not
/// exist here); the configured user owns what is restored.
pub async fn restore(url: &str, file: &Path) -> anyhow::Result<()> {
    let file = file.to_string_lossy();
    run(
        "pg_restore",
        url,
        &[
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            &file,
        ],
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_is_left_out_and_decoded_apart() {
        let url = "postgres://erbij:p%40ss%2Fw%20rd@db.example.nl:5432/erbij?sslmode=require";
        assert_eq!(
            without_password(url),
            "postgres://erbij@db.example.nl:5432/erbij?sslmode=require"
        );
        assert_eq!(password(url).as_deref(), Some("p@ss/w rd"));
        assert_eq!(password("postgres://erbij@db/erbij"), None);
        assert!(!without_password("not a url").contains("not a url"));
    }

    #[test]
    fn a_command_to_run_by_hand_is_quoted() {
        assert_eq!(shell_word("--format=custom"), "--format=custom");
        assert_eq!(shell_word("/b/it's here"), r"'/b/it'\''s here'");
        assert_eq!(
            shell_word("postgres://erbij@db/erbij?sslmode=require"),
            "'postgres://erbij@db/erbij?sslmode=require'"
        );
    }
}
