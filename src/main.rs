//! The `erbij` command: serve the site (default), run migrations, create an administrator.

/// mimalloc returns freed memory to the system, where glibc's allocator keeps arenas per
/// thread: resident memory stays near what is in use (issue 16). Built without transparent
/// huge pages (`no_thp`): with them, where the kernel gives them always, its first arena
/// alone was 16 MB resident at idle.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::process::ExitCode;

use chrono::Utc;
use clap::{Parser, Subcommand};
use erbij::{
    Application, Settings, app, audit,
    entities::user,
    forms,
    tokens::{self, Purpose},
};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use tracing_subscriber::{EnvFilter, fmt, prelude::*};

#[derive(Parser)]
#[command(
    name = "erbij",
    version,
    about = "Erbij: the forum of a learning community against loneliness"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Start the web server (the default).
    Serve,
    /// Bring the database schema up to date, then stop.
    Migrate,
    /// Administrator accounts.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Digests for subscribers.
    Digest {
        #[command(subcommand)]
        command: DigestCommand,
    },
    /// Apply the retention periods now (the server does this daily) and print what was
    /// removed.
    Retention,
    /// Fill the database with example content.
    Seed {
        #[command(subcommand)]
        command: SeedCommand,
    },
    /// The search index.
    Search {
        #[command(subcommand)]
        command: SearchCommand,
    },
    /// Where attachments are kept (the `storage` setting).
    Storage {
        #[command(subcommand)]
        command: StorageCommand,
    },
    /// Backups of the database and the attachments, taken while the site serves.
    Backup {
        #[command(subcommand)]
        command: BackupCommand,
    },
    /// Copy this SQLite site into an empty PostgreSQL database (then point DATABASE_URL
    /// at it): `erbij export --to postgres --url postgres://…`.
    Export {
        /// What to move the site to; PostgreSQL is the one other database.
        #[arg(long, value_parser = ["postgres"])]
        to: String,
        /// The PostgreSQL database, such as postgres://erbij:PASSWORD@localhost/erbij.
        #[arg(long, env = "ERBIJ_EXPORT_URL", hide_env_values = true)]
        url: String,
    },
}

#[derive(Subcommand)]
enum StorageCommand {
    /// Copy every attachment to the other backend, checking each copy; safe to run again
    /// after an interruption (it goes on where it stopped). Switch `storage` afterwards.
    Migrate {
        /// Where to: `s3` (from the local folder) or `local` (from the bucket).
        #[arg(long, value_parser = ["s3", "local"])]
        to: String,
    },
}

#[derive(Subcommand)]
enum BackupCommand {
    /// Back up the database and every attachment into a new folder, with a manifest of
    /// checksums.
    Create {
        /// Default: ./backups/erbij-YYYYMMDD-HHMMSS.
        #[arg(long)]
        to: Option<std::path::PathBuf>,
    },
    /// Restore a backup into this site's configured database and storage, which must be
    /// empty; every checksum is checked first.
    Restore { from: std::path::PathBuf },
}

#[derive(Subcommand)]
enum SearchCommand {
    /// Rebuild the whole search index, a batch at a time; safe while the site serves.
    Reindex,
}

#[derive(Subcommand)]
enum DigestCommand {
    /// Print the digest ADDRESS would get now (subject and text part); sends nothing.
    Preview {
        #[arg(long)]
        email: String,
    },
    /// Compose this period's digests into the outbox (once per address and period) and
    /// send what is due.
    Run {
        /// Only count what would be queued; queue and send nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Subcommand)]
enum SeedCommand {
    /// Dutch demo members, hundreds of threads, one thread of 500 replies and a dozen
    /// summaries.
    Demo {
        /// Make about this many posts of varied text instead (for benchmarks).
        #[arg(long)]
        scale: Option<usize>,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Make EMAIL an administrator and print a one-time link to set the password.
    Create {
        #[arg(long)]
        email: String,
        /// The name shown on the site (defaults to the part of the address before the @).
        #[arg(long)]
        name: Option<String>,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    let settings = match Settings::load() {
        Ok(s) => s,
        Err(err) => {
            eprintln!("erbij: the settings are not valid: {err}");
            return ExitCode::FAILURE;
        }
    };
    init_tracing(&settings);
    let cli = Cli::parse();
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(settings).await,
        Command::Migrate => migrate(settings).await,
        Command::Admin {
            command: AdminCommand::Create { email, name },
        } => create_admin(settings, &email, name).await,
        Command::Retention => run_retention(settings).await,
        Command::Seed {
            command: SeedCommand::Demo { scale },
        } => seed_demo(settings, scale).await,
        Command::Search {
            command: SearchCommand::Reindex,
        } => reindex(settings).await,
        Command::Storage {
            command: StorageCommand::Migrate { to },
        } => migrate_storage(settings, &to).await,
        Command::Backup {
            command: BackupCommand::Create { to },
        } => erbij::backup::create_command(settings, to).await,
        Command::Backup {
            command: BackupCommand::Restore { from },
        } => erbij::backup::restore_command(settings, &from).await,
        Command::Export { to: _, url } => erbij::backup::export_command(settings, &url).await,
        Command::Digest {
            command: DigestCommand::Preview { email },
        } => preview_digest(settings, &email).await,
        Command::Digest {
            command: DigestCommand::Run { dry_run },
        } => run_digests(settings, dry_run).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("erbij: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_tracing(settings: &Settings) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn"));
    let registry = tracing_subscriber::registry().with(filter);
    if settings.log_format == "json" {
        registry.with(fmt::layer().json()).init();
    } else {
        registry.with(fmt::layer()).init();
    }
}

async fn serve(settings: Settings) -> anyhow::Result<()> {
    let application = Application::build(settings).await?;
    let state = application.state().clone();
    tracing::info!(address = %state.settings.base_url, "Erbij is listening");
    if let Some(link) = app::first_admin_link(&state).await? {
        // Printed, not logged: it is meant for the person at the terminal, once.
        eprintln!(
            "\nErbij has no administrator yet. Open this link within 24 hours to create one:\n\n    {link}\n"
        );
    }
    eprintln!("Erbij runs at {}", state.settings.base_url);
    application.run_until_stopped().await
}

async fn migrate(settings: Settings) -> anyhow::Result<()> {
    let db = erbij::db::connect(&settings).await?;
    erbij::db::migrate(&db).await?;
    erbij::db::seed(&db).await?;
    eprintln!("The database is up to date.");
    Ok(())
}

async fn preview_digest(settings: Settings, email: &str) -> anyhow::Result<()> {
    use std::io::Write as _;
    let state = app::prepare(settings).await?;
    let found = erbij::entities::subscriber::Entity::find()
        .filter(erbij::entities::subscriber::Column::Email.eq(forms::normalize_email(email)))
        .one(&state.db)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no subscriber with the address {email}"))?;
    let period = erbij::digests::Period::ending(Utc::now(), &found.frequency);
    let mut out = std::io::stdout().lock();
    match erbij::digests::compose(&state.db, &found, period).await? {
        Some(digest) => {
            let mail = erbij::digests::render(&state, &found, &digest, period);
            writeln!(
                out,
                "To: {}\nSubject: {}\n\n{}",
                mail.to, mail.subject, mail.text
            )?;
        }
        None => writeln!(
            out,
            "Nothing new for {} in this period: no mail.",
            found.email
        )?,
    }
    Ok(())
}

fn bar(message: &'static str) -> anyhow::Result<indicatif::ProgressBar> {
    let bar = indicatif::ProgressBar::new(0).with_style(
        indicatif::ProgressStyle::with_template("{msg} {wide_bar} {pos}/{len} ({eta})")?
            .progress_chars("=> "),
    );
    bar.set_message(message);
    Ok(bar)
}

async fn run_digests(settings: Settings, dry_run: bool) -> anyhow::Result<()> {
    let state = app::prepare(settings).await?;
    // The same digest moment as the server's schedule: running by hand never makes a
    // second digest for a period.
    let (slot, frequencies) = erbij::delivery::due_now(
        Utc::now(),
        state.settings.digest_weekday,
        state.settings.digest_hour,
    );
    let queued =
        erbij::delivery::enqueue(&state, slot, &frequencies, dry_run, &bar("composing")?).await?;
    eprintln!(
        "{} to send, {} with nothing new, {} queued before{}",
        queued.queued,
        queued.nothing_new,
        queued.already,
        if dry_run {
            " (dry run: nothing queued)"
        } else {
            ""
        }
    );
    if !dry_run {
        let rate = state.settings.mail_per_second;
        let sent = erbij::delivery::deliver(&state, u64::MAX, rate, &bar("sending")?).await?;
        eprintln!(
            "{} sent, {} to retry later, {} bounced, {} given up",
            sent.sent, sent.retrying, sent.bounced, sent.failed
        );
    }
    // Rows a killed run (or a running server) claimed stay its own until their lease ends:
    // say so, rather than leave them out of every count.
    if let Some(leased) = erbij::delivery::leased_elsewhere(&state.db).await? {
        eprintln!(
            "{} waiting on another run's lease until {}; a run after that sends them",
            leased.count,
            leased
                .until
                .with_timezone(&chrono_tz::Europe::Amsterdam)
                .format("%Y-%m-%d %H:%M:%S %Z")
        );
    }
    Ok(())
}

async fn migrate_storage(settings: Settings, to: &str) -> anyhow::Result<()> {
    use erbij::storage::{Storage, migrate};
    let local = Storage::local(&settings)?;
    let s3 = Storage::s3(&settings)?;
    let (from, into) = if to == "s3" {
        (&local, &s3)
    } else {
        (&s3, &local)
    };
    let journal = settings
        .data_dir
        .join(format!("storage-migrate-to-{to}.journal"));
    eprintln!(
        "Copying attachments from the {} to the {}",
        from.description, into.description
    );
    let started = std::time::Instant::now();
    let done = migrate::migrate(&from.files, &into.files, &journal, &bar("files")?).await?;
    eprintln!(
        "{} files copied and checked ({:.1} MB) in {:.1} s, {} done in an earlier run. \
         Set storage = \"{to}\" and restart Erbij to use them; the journal {} may then go.",
        done.copied,
        done.bytes as f64 / 1e6,
        started.elapsed().as_secs_f64(),
        done.skipped,
        journal.display()
    );
    Ok(())
}

async fn run_retention(settings: Settings) -> anyhow::Result<()> {
    use std::io::Write as _;
    let state = app::prepare(settings).await?;
    let report = erbij::retention::run(&state.db, &state.storage).await?;
    let mut out = std::io::stdout().lock();
    for (name, n) in report.counts() {
        writeln!(out, "{name}: {n}")?;
    }
    Ok(())
}

async fn seed_demo(settings: Settings, scale: Option<usize>) -> anyhow::Result<()> {
    let state = app::prepare(settings).await?;
    let started = std::time::Instant::now();
    let progress = bar(if scale.is_some() { "posts" } else { "threads" })?;
    let summary = match scale {
        None => erbij::demo::seed(&state.db, &progress).await?,
        Some(posts) => erbij::demo::seed_scaled(&state.db, &progress, posts).await?,
    };
    eprintln!(
        "Added {} people, {} threads, {} posts, {} summaries, {} meetings ({} with a report) \
         and {} interventions, and indexed {} texts, in {:.1} s. Demo people sign in with their address (such as anouk.de-vries@{}) and the password {}",
        summary.people,
        summary.threads,
        summary.posts,
        summary.summaries,
        summary.meetings,
        summary.reports,
        summary.interventions,
        summary.indexed,
        started.elapsed().as_secs_f64(),
        erbij::demo::DOMAIN,
        erbij::demo::PASSWORD
    );
    Ok(())
}

async fn reindex(settings: Settings) -> anyhow::Result<()> {
    let state = app::prepare(settings).await?;
    let started = std::time::Instant::now();
    let n = erbij::search::index::reindex(&state.db, &bar("indexing")?).await?;
    let seconds = started.elapsed().as_secs_f64();
    eprintln!(
        "Indexed {n} texts in {seconds:.1} s ({:.0} per second)",
        n as f64 / seconds.max(1e-9)
    );
    Ok(())
}

async fn create_admin(settings: Settings, email: &str, name: Option<String>) -> anyhow::Result<()> {
    let mut errors = forms::FieldErrors::default();
    errors.email("email", email);
    if !errors.is_empty() {
        anyhow::bail!("'{email}' is not a valid email address");
    }
    let state = app::prepare(settings).await?;
    let email = forms::normalize_email(email);
    let existing = user::Entity::find()
        .filter(user::Column::Email.eq(&email))
        .one(&state.db)
        .await?;
    let person = match existing {
        Some(person) => {
            let mut active: user::ActiveModel = person.into();
            active.is_admin = Set(true);
            active.disabled = Set(false);
            active.update(&state.db).await?
        }
        None => {
            let name = name.unwrap_or_else(|| email.split('@').next().unwrap_or("").to_string());
            user::ActiveModel {
                email: Set(email.clone()),
                name: Set(name),
                organisation: Set(String::new()),
                job: Set(String::new()),
                is_admin: Set(true),
                lang: Set("nl".into()),
                created_at: Set(Utc::now()),
                ..Default::default()
            }
            .insert(&state.db)
            .await?
        }
    };
    audit::record(&state.db, None, "admin_created_cli", &email, "").await?;
    let secret = tokens::issue(&state.db, Purpose::SetPassword, Some(person.id)).await?;
    eprintln!(
        "{email} is an administrator. Open this link within 7 days to choose a password:\n\n    {}\n",
        state
            .settings
            .url(&format!("/wachtwoord-instellen/{secret}"))
    );
    Ok(())
}
