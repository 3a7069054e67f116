//! Connecting, migrating and seeding. SQLite is tuned here for a small busy site: WAL so
//! readers never wait for the writer, a busy timeout so writers queue instead of failing,
//! foreign keys on, and a modest pool (one writer at a time is SQLite's nature).
//!
//! Several instances may share one PostgreSQL database: what must not run on two of them at
//! once (migrating, start-up work over the whole site, composing mails) runs under one of
//! the advisory locks of [`Lock`], through [`one_at_a_time`].

use std::time::Duration;

use chrono::Utc;
use migrations::{Migrator, MigratorTrait};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter,
    sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous},
};

use crate::{
    config::Settings,
    entities::{expertise_tag, practice, thread},
};

pub async fn connect(settings: &Settings) -> Result<DatabaseConnection, DbErr> {
    let mut opts = ConnectOptions::new(settings.database_url.clone());
    opts.sqlx_logging(false)
        .acquire_timeout(Duration::from_secs(10));
    if settings.is_sqlite() {
        std::fs::create_dir_all(&settings.data_dir).map_err(|e| {
            DbErr::Custom(format!(
                "cannot create {}: {e}",
                settings.data_dir.display()
            ))
        })?;
        opts.max_connections(settings.database_max_connections.unwrap_or(4))
            .min_connections(1)
            .map_sqlx_sqlite_opts(|o| {
                o.journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(5))
                    // Deleted and overwritten text is zeroed in the file, not just
                    // unlinked: a redacted revision must not be readable from it.
                    .pragma("secure_delete", "ON")
                    // Memory per connection (issue 16): 1 MB of pages instead of SQLite's
                    // 2 MB (the operating system caches the file as well), and the 32 most
                    // recent prepared statements instead of 100.
                    .pragma("cache_size", "-1024")
                    .statement_cache_capacity(32)
                    .create_if_missing(true)
            });
    } else {
        opts.max_connections(settings.database_max_connections.unwrap_or(16));
    }
    Database::connect(opts).await
}

/// After text was erased on purpose (a redacted version, a removed post, a deleted account):
/// with `secure_delete` the freed space in the SQLite file is already zeroed, but the
/// write-ahead log still holds the pages as they were until a checkpoint, which this forces,
/// truncating the log. A checkpoint blocked by a long reader is retried by SQLite's own next
/// automatic one; it is logged, not an error for the person who erased. (PostgreSQL keeps
/// old row versions until autovacuum reclaims them; its files are not readable to users.)
pub async fn flush_erased(db: &DatabaseConnection) -> Result<(), DbErr> {
    if db.get_database_backend() != sea_orm::DbBackend::Sqlite {
        return Ok(());
    }
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Sqlite,
            "PRAGMA wal_checkpoint(TRUNCATE)",
        ))
        .await?;
    let busy: i32 = row.map(|r| r.try_get_by_index(0)).transpose()?.unwrap_or(0);
    if busy != 0 {
        tracing::warn!("checkpoint after erasing text was blocked by a reader; SQLite retries it");
    }
    Ok(())
}

/// Work that instances sharing a PostgreSQL database do one at a time. Each is an advisory
/// lock of its own (PostgreSQL keeps them per database, so other sites on the same server
/// never wait for ours).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lock {
    /// Migrating and seeding: the first instance to start does it, the others wait and find
    /// it done (two migrating at once fail on each other's tables).
    Schema = 1,
    /// Building the search index at start-up.
    SearchIndex = 2,
    /// Rendering again the post bodies an older renderer made.
    StaleBodies = 3,
    /// Cleaning the images uploaded before uploads were cleaned.
    EarlierImages = 4,
    /// Composing mails (notifications, messages, reminders, digests): what one instance
    /// gathered is queued and marked as mailed before another gathers.
    Mails = 5,
}

impl Lock {
    /// "Erbij" in the high bytes, the lock's number in the lowest.
    fn key(self) -> i64 {
        0x4572_6269_6a00_0000 | self as i64
    }
}

/// Runs `work` while this instance holds `lock`. On PostgreSQL that is an advisory lock on
/// one connection of the pool, held for the whole work: another instance asking for it waits
/// until the work is done (and then finds it done). The lock ends with the work, and also when
/// the process dies, since its connection closes. On SQLite (one instance per file) the work
/// just runs. The error is only about taking the lock; the work's outcome is returned as is.
pub async fn one_at_a_time<T>(
    db: &DatabaseConnection,
    lock: Lock,
    work: impl Future<Output = T>,
) -> Result<T, DbErr> {
    if db.get_database_backend() != sea_orm::DbBackend::Postgres {
        return Ok(work.await);
    }
    let mut held = Held {
        connection: Some(
            db.get_postgres_connection_pool()
                .acquire()
                .await
                .map_err(lock_error)?,
        ),
        key: lock.key(),
    };
    held.run("SELECT pg_advisory_lock($1)").await?;
    let outcome = work.await;
    held.release().await;
    Ok(outcome)
}

/// A pool connection that holds (or is taking) an advisory lock.
struct Held {
    connection: Option<sea_orm::sqlx::pool::PoolConnection<sea_orm::sqlx::Postgres>>,
    key: i64,
}

impl Held {
    async fn run(&mut self, sql: &'static str) -> Result<(), DbErr> {
        let Some(connection) = self.connection.as_mut() else {
            return Err(DbErr::Custom("the lock's connection is gone".into()));
        };
        sea_orm::sqlx::query(sql)
            .bind(self.key)
            .execute(&mut **connection)
            .await
            .map(drop)
            .map_err(lock_error)
    }

    /// Unlocks and gives the connection back to the pool; when unlocking fails, the
    /// connection is closed instead, which ends the lock too.
    async fn release(mut self) {
        match self.run("SELECT pg_advisory_unlock($1)").await {
            Ok(()) => drop(self.connection.take()),
            Err(err) => tracing::warn!(error = %err, "unlocking failed; closing the connection"),
        }
    }
}

impl Drop for Held {
    /// Not released (the work was dropped midway, or failed to unlock): the connection is
    /// closed rather than returned to the pool with the lock still on it.
    fn drop(&mut self) {
        if let Some(connection) = self.connection.take() {
            drop(connection.detach());
        }
    }
}

fn lock_error(err: sea_orm::sqlx::Error) -> DbErr {
    DbErr::Custom(format!("cannot take a lock shared by the instances: {err}"))
}

/// Brings the schema up to date, then fills derived columns a migration added (name
/// skeletons need Unicode tables the database does not have). On PostgreSQL one instance at
/// a time ([`Lock::Schema`]).
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    if db.get_database_backend() == sea_orm::DbBackend::Sqlite {
        // On SQLite the migrator runs each migration's statements without a transaction,
        // and on a pool they would go to different connections: a table rebuilt on one
        // while another still reads the schema from before ("index … already exists"),
        // and `PRAGMA foreign_keys` set on one connection only. One connection does it all.
        let pool = db.get_sqlite_connection_pool();
        let one = sea_orm::sqlx::sqlite::SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with((*pool.connect_options()).clone())
            .await
            .map_err(|err| DbErr::Custom(format!("cannot open the database to migrate: {err}")))?;
        let single = sea_orm::SqlxSqliteConnector::from_sqlx_sqlite_pool(one);
        Migrator::up(&single, None).await?;
        crate::names::backfill_skeletons(&single).await?;
        single.close().await?;
        return Ok(());
    }
    one_at_a_time(db, Lock::Schema, async {
        Migrator::up(db, None).await?;
        crate::names::backfill_skeletons(db).await?;
        Ok(())
    })
    .await?
}

struct SeedPractice {
    slug: &'static str,
    name_nl: &'static str,
    name_en: &'static str,
    description_nl: &'static str,
    description_en: &'static str,
    archived: bool,
}

const PRACTICES: &[SeedPractice] = &[
    SeedPractice {
        slug: "migranten",
        name_nl: "Migranten",
        name_en: "Migrants",
        description_nl: "Mensen met een niet-westerse achtergrond voelen zich vaker eenzaam dan gemiddeld. Hier delen we wat helpt om hen te bereiken en te steunen.",
        description_en: "People of non-western origin are lonely more often than average. Here we share what helps to reach and support them.",
        archived: false,
    },
    SeedPractice {
        slug: "jongeren",
        name_nl: "Jongeren",
        name_en: "Young people",
        description_nl: "Hoe breng je eenzaamheid ter sprake bij jongeren, hoe zie je het, en wat kun je ze aanbieden?",
        description_en: "How to talk about loneliness with young people, how to notice it, and what to offer them.",
        archived: false,
    },
    SeedPractice {
        slug: "typologieen",
        name_nl: "Typologieën",
        name_en: "Typologies",
        description_nl: "Eenzaamheid heeft vele gezichten. We leren de verschillende vormen kennen, zodat we ze eerder opmerken.",
        description_en: "Loneliness has many faces. We learn its different forms so that we notice them sooner.",
        archived: false,
    },
    SeedPractice {
        slug: "netwerkversterking",
        name_nl: "Informele netwerkversterking",
        name_en: "Strengthening informal networks",
        description_nl: "Over het vergroten en verstevigen van het netwerk rond eenzame ouderen: buren, familie, vrijwilligers.",
        description_en: "Widening and strengthening the circle around lonely older people: neighbours, family, volunteers.",
        archived: false,
    },
    SeedPractice {
        slug: "zingeving",
        name_nl: "Zingeving",
        name_en: "Meaning-making",
        description_nl: "Wie weinig zin ervaart, raakt sneller eenzaam. Hier werken we aan aandacht voor betekenis en zingeving in ons werk.",
        description_en: "People who find little meaning become lonely more easily. Here we work on giving meaning its place in our work.",
        archived: false,
    },
    SeedPractice {
        slug: "huisbezoeken-75",
        name_nl: "Huisbezoeken 75+",
        name_en: "Home visits 75+",
        description_nl: "Sinds 2015 bezoeken we Rotterdammers van 75 jaar en ouder thuis. Sinds 2018 hoort dit bij het gewone welzijnswerk; deze praktijk is nu een archief.",
        description_en: "Since 2015 we have visited Rotterdam residents aged 75 and over at home. Since 2018 this is part of regular welfare work; this practice is now an archive.",
        archived: true,
    },
];

/// Seeds the practices and the expert group on a new database. It only adds what is absent,
/// judged per kind, so an administrator's renames, archivals or removals are never undone.
/// Instances starting together seed one after another ([`Lock::Schema`]): the second finds
/// everything there.
pub async fn seed(db: &DatabaseConnection) -> Result<(), DbErr> {
    one_at_a_time(db, Lock::Schema, seed_absent(db)).await?
}

async fn seed_absent(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    let now = Utc::now();
    let practices = practice::Entity::find()
        .filter(practice::Column::Kind.eq(practice::Kind::Practice))
        .count(db)
        .await?;
    if practices == 0 {
        let rows = PRACTICES
            .iter()
            .enumerate()
            .map(|(i, p)| practice::ActiveModel {
                slug: Set(p.slug.into()),
                kind: Set(practice::Kind::Practice),
                name_nl: Set(p.name_nl.into()),
                name_en: Set(p.name_en.into()),
                description_nl: Set(p.description_nl.into()),
                description_en: Set(p.description_en.into()),
                position: Set(i32::try_from(i).unwrap_or(0) + 1),
                archived: Set(p.archived),
                default_visibility: Set(thread::Visibility::Members),
                created_at: Set(now),
                ..Default::default()
            });
        practice::Entity::insert_many(rows).exec(db).await?;
    }
    let experts = practice::Entity::find()
        .filter(practice::Column::Kind.eq(practice::Kind::Expert))
        .count(db)
        .await?;
    if experts == 0 {
        practice::ActiveModel {
            slug: Set("expertgroep".into()),
            kind: Set(practice::Kind::Expert),
            name_nl: Set("Expertgroep".into()),
            name_en: Set("Expert group".into()),
            description_nl: Set("Ervaren deelnemers uit de praktijken, met wetenschappelijke inbreng, die de kennis uit alle praktijken bundelen en verspreiden.".into()),
            description_en: Set("Experienced participants from the practices, with academic input, who bundle and spread the knowledge of all practices.".into()),
            position: Set(0),
            archived: Set(false),
            default_visibility: Set(thread::Visibility::Experts),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    // A first list of expertise for the directory; administrators keep it from then on.
    if expertise_tag::Entity::find().count(db).await? == 0 {
        let rows =
            EXPERTISE
                .iter()
                .enumerate()
                .map(|(i, (slug, nl, en))| expertise_tag::ActiveModel {
                    slug: Set((*slug).into()),
                    name_nl: Set((*nl).into()),
                    name_en: Set((*en).into()),
                    position: Set(i32::try_from(i).unwrap_or(0)),
                    ..Default::default()
                });
        expertise_tag::Entity::insert_many(rows).exec(db).await?;
    }
    Ok(())
}

/// The expertise a new site starts with (slug, Dutch, English).
const EXPERTISE: [(&str, &str, &str); 10] = [
    ("huisbezoeken", "Huisbezoeken", "Home visits"),
    (
        "signaleren",
        "Eenzaamheid signaleren",
        "Spotting loneliness",
    ),
    ("mantelzorg", "Mantelzorg", "Informal care"),
    ("dementie", "Dementie", "Dementia"),
    (
        "migranten-en-taal",
        "Migranten en taal",
        "Migrants and language",
    ),
    ("jongeren", "Jongeren", "Young people"),
    ("zingeving", "Zingeving", "Meaning-making"),
    (
        "netwerkversterking",
        "Netwerkversterking",
        "Strengthening networks",
    ),
    (
        "vrijwilligers",
        "Vrijwilligers begeleiden",
        "Guiding volunteers",
    ),
    (
        "geldzorgen",
        "Geldzorgen en schulden",
        "Money worries and debt",
    ),
];
