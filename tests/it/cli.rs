//! The `erbij` command as an operator uses it.

use std::process::Command;

fn erbij(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_erbij"))
        .args(args)
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .env_remove("SMTP_URL")
        .env("ERBIJ_DATA_DIR", dir.join("data"))
        .output()
        .expect("the binary runs")
}

#[test]
fn help_lists_the_commands() {
    let dir = tempfile::tempdir().expect("dir");
    let out = erbij(dir.path(), &["--help"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for command in ["serve", "migrate", "admin"] {
        assert!(text.contains(command), "{command} in:\n{text}");
    }
}

#[test]
fn migrate_is_idempotent_and_admin_create_prints_a_link() {
    let dir = tempfile::tempdir().expect("dir");
    for _ in 0..2 {
        let out = erbij(dir.path(), &["migrate"]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert!(dir.path().join("data/erbij.db").exists());

    let out = erbij(
        dir.path(),
        &["admin", "create", "--email", "Beheer@Coalitie.nl"],
    );
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{said}");
    assert!(
        said.contains("beheer@coalitie.nl is an administrator"),
        "{said}"
    );
    assert!(
        said.contains("http://127.0.0.1:3000/wachtwoord-instellen/"),
        "{said}"
    );

    let out = erbij(
        dir.path(),
        &["admin", "create", "--email", "not-an-address"],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a valid email address"));
}
