//! Moving a site from SQLite to an empty PostgreSQL database (`erbij export --to postgres`).
//!
//! The target gets its schema from the migrations (so `seaql_migrations` is the migrator's
//! own), then every table's rows are copied through its entity: each value is read and
//! written with its Rust type, whatever the two databases store (SQLite keeps times as text
//! and truth as 0 or 1). The order comes from the target's foreign keys, parents first; a
//! cycle of references is broken at a nullable column, written NULL first and filled in
//! once every row is there. All rows are read in one read transaction (one moment of the
//! site) and written in one transaction (all or nothing), then every sequence is set past
//! the largest id, every table's rows are counted on both sides, and the search index,
//! which each database keeps in its own way, is built on the target from the texts.

use std::{
    collections::{BTreeMap, BTreeSet},
    marker::PhantomData,
};

use anyhow::Context as _;
use indicatif::ProgressBar;
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, EntityTrait,
    IdenStatic, IntoActiveModel, Iterable, ModelTrait, PrimaryKeyToColumn, QueryFilter, QueryOrder,
    QuerySelect, Statement, TransactionTrait, Value,
    sea_query::{Alias, Expr, ExprTrait, Query},
};

/// Tables not copied row by row: the migrator fills its own, and the search index is built
/// again on the target (SQLite's FTS5 tables and PostgreSQL's `tsvector` hold it apart).
fn rebuilt(table: &str) -> bool {
    ["seaql_migrations", "search_docs", "search_meta"].contains(&table)
        || table.starts_with("search_fts")
}

/// Each table's rows, before and after.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Count {
    pub name: String,
    pub source: u64,
    pub target: u64,
}

#[derive(Clone, Debug, Default)]
pub struct Exported {
    /// In the order they were copied.
    pub tables: Vec<Count>,
    pub rows: u64,
    /// Columns written NULL first and filled in after (to break a cycle of references).
    pub deferred: Vec<String>,
    /// Texts in the target's search index.
    pub indexed: u64,
}

/// Copies the site in `source` to `target`, a PostgreSQL database without rows.
pub async fn export(
    source: &DatabaseConnection,
    target: &DatabaseConnection,
    progress: &ProgressBar,
) -> anyhow::Result<Exported> {
    export_deferring(source, target, &[], progress).await
}

/// As [`export`], also writing these columns (table, column) NULL first and filling them in
/// after, as a cycle of references gets (the schema has none today; the tests use this).
pub async fn export_deferring(
    source: &DatabaseConnection,
    target: &DatabaseConnection,
    defer: &[(&str, &str)],
    progress: &ProgressBar,
) -> anyhow::Result<Exported> {
    anyhow::ensure!(
        target.get_database_backend() == DbBackend::Postgres,
        "the target of `export --to postgres` must be a PostgreSQL database"
    );
    crate::db::migrate(target)
        .await
        .context("creating the schema on the target failed")?;
    let known = tables();
    let by_name: BTreeMap<&str, &dyn Table> = known.iter().map(|t| (t.name(), &**t)).collect();
    let target_tables = table_names(target).await?;
    let with_rows = tables_with_rows(target, &target_tables).await?;
    anyhow::ensure!(
        with_rows.is_empty(),
        "the target database already has rows (in {}): `export --to postgres` only writes into \
         an empty database",
        with_rows.join(", ")
    );
    check_known(source, &by_name).await?;
    let mut plan = plan(&target_tables, &foreign_keys(target).await?)
        .map_err(|cycle| anyhow::anyhow!("cannot order the tables: {cycle}"))?;
    plan.deferred
        .extend(defer.iter().map(|(table, column)| ForeignKey {
            child: table.to_string(),
            columns: vec![column.to_string()],
            parent: String::new(),
            nullable: true,
        }));
    let copied: Vec<&dyn Table> = plan
        .order
        .iter()
        .filter(|name| !rebuilt(name))
        .map(|name| {
            by_name.get(name.as_str()).copied().with_context(|| {
                format!("the target has a table {name} that Erbij has no entity for")
            })
        })
        .collect::<anyhow::Result<_>>()?;

    // One moment of the source (SQLite: a read transaction sees one snapshot).
    let from = source.begin().await?;
    let mut counts = Vec::new();
    for table in &copied {
        counts.push(count(&from, table.name()).await?);
    }
    progress.set_length(counts.iter().sum());
    let to = target.begin().await?;
    let mut pending = Vec::new();
    for table in &copied {
        progress.set_message(table.name());
        let columns: Vec<String> = plan
            .deferred
            .iter()
            .filter(|fk| fk.child == table.name())
            .flat_map(|fk| fk.columns.iter().cloned())
            .collect();
        pending.extend(
            table
                .copy(&from, &to, &columns, progress)
                .await
                .with_context(|| format!("copying {} failed", table.name()))?,
        );
    }
    progress.set_message("references");
    for fill in pending {
        fill.apply(&to).await?;
    }
    progress.set_message("sequences");
    reset_sequences(&to).await?;
    to.commit().await?;
    from.commit().await?;

    let mut report = Exported {
        deferred: plan
            .deferred
            .iter()
            .flat_map(|fk| fk.columns.iter().map(|c| format!("{}.{c}", fk.child)))
            .collect(),
        ..Exported::default()
    };
    let mut differ = Vec::new();
    for (table, source) in copied.iter().zip(counts) {
        let target = count(target, table.name()).await?;
        if source != target {
            differ.push(format!("{}: {source} → {target}", table.name()));
        }
        report.rows += target;
        report.tables.push(Count {
            name: table.name().into(),
            source,
            target,
        });
    }
    anyhow::ensure!(
        differ.is_empty(),
        "the row counts differ after the copy ({})",
        differ.join(", ")
    );
    progress.reset();
    progress.set_message("search index");
    report.indexed = crate::search::index::reindex(target, progress).await?;
    Ok(report)
}

/// One table as the export copies it.
#[async_trait::async_trait]
trait Table: Send + Sync {
    fn name(&self) -> &'static str;
    fn columns(&self) -> Vec<&'static str>;
    /// Copies every row, `deferred` columns written NULL; returns what to fill in after.
    async fn copy(
        &self,
        from: &DatabaseTransaction,
        to: &DatabaseTransaction,
        deferred: &[String],
        progress: &ProgressBar,
    ) -> Result<Vec<FillIn>, DbErr>;
}

struct ByEntity<E>(PhantomData<fn() -> E>);

fn table<E>() -> Box<dyn Table>
where
    E: EntityTrait,
    E::Model: IntoActiveModel<E::ActiveModel> + Send + Sync,
    E::ActiveModel: Send,
{
    Box::new(ByEntity::<E>(PhantomData))
}

/// Every table with an entity (the order of copying comes from the foreign keys). A table
/// added to the schema without a line here stops the export (see [`check_known`]).
fn tables() -> Vec<Box<dyn Table>> {
    use crate::entities::*;
    vec![
        table::<application::Entity>(),
        table::<attachment::Entity>(),
        table::<audit_event::Entity>(),
        table::<block::Entity>(),
        table::<conversation::Entity>(),
        table::<conversation_member::Entity>(),
        table::<draft::Entity>(),
        table::<email_change::Entity>(),
        table::<expertise_tag::Entity>(),
        table::<export::Entity>(),
        table::<flag::Entity>(),
        table::<intervention::Entity>(),
        table::<intervention_version::Entity>(),
        table::<meeting::Entity>(),
        table::<meeting_organiser::Entity>(),
        table::<membership::Entity>(),
        table::<message::Entity>(),
        table::<message_report::Entity>(),
        table::<nomination::Entity>(),
        table::<notification::Entity>(),
        table::<organisation::Entity>(),
        table::<outbox_mail::Entity>(),
        table::<post::Entity>(),
        table::<post_revision::Entity>(),
        table::<practice::Entity>(),
        table::<read_position::Entity>(),
        table::<registration::Entity>(),
        table::<session::Entity>(),
        table::<subscriber::Entity>(),
        table::<subscriber_practice::Entity>(),
        table::<summary::Entity>(),
        table::<summary_practice::Entity>(),
        table::<summary_source::Entity>(),
        table::<summary_version::Entity>(),
        table::<thread::Entity>(),
        table::<throttle::Entity>(),
        table::<token::Entity>(),
        table::<user::Entity>(),
        table::<user_expertise::Entity>(),
        table::<user_organisation::Entity>(),
        table::<watch::Entity>(),
    ]
}

/// PostgreSQL takes at most 65,535 parameters a statement.
const MAX_PARAMETERS: usize = 60_000;
const BATCH: usize = 500;

#[async_trait::async_trait]
impl<E> Table for ByEntity<E>
where
    E: EntityTrait,
    E::Model: IntoActiveModel<E::ActiveModel> + Send + Sync,
    E::ActiveModel: Send,
{
    fn name(&self) -> &'static str {
        E::default().table_name()
    }

    fn columns(&self) -> Vec<&'static str> {
        E::Column::iter().map(|c| c.as_str()).collect()
    }

    async fn copy(
        &self,
        from: &DatabaseTransaction,
        to: &DatabaseTransaction,
        deferred: &[String],
        progress: &ProgressBar,
    ) -> Result<Vec<FillIn>, DbErr> {
        let key: Vec<E::Column> = E::PrimaryKey::iter().map(|k| k.into_column()).collect();
        let deferred: Vec<E::Column> = E::Column::iter()
            .filter(|c| deferred.iter().any(|d| d == c.as_str()))
            .collect();
        let batch = (MAX_PARAMETERS / E::Column::iter().count().max(1)).clamp(1, BATCH);
        let mut fill_in = Vec::new();
        let mut after: Option<Vec<Value>> = None;
        loop {
            // By primary key, from where the last batch ended (no OFFSET to skip past).
            let mut query = E::find();
            for column in &key {
                query = query.order_by_asc(*column);
            }
            if let Some(last) = after.take() {
                let columns = key.iter().map(|c| Expr::col(*c));
                let values = last.into_iter().map(Expr::val);
                query = query.filter(Expr::tuple(columns).gt(Expr::tuple(values)));
            }
            let rows = query.limit(batch as u64).all(from).await?;
            let Some(last) = rows.last() else {
                break;
            };
            after = Some(key.iter().map(|c| last.get(*c)).collect());
            let n = rows.len() as u64;
            let mut models = Vec::with_capacity(rows.len());
            for mut row in rows {
                for column in &deferred {
                    let value = row.get(*column);
                    let null = value.as_null();
                    if value != null {
                        row.try_set(*column, null)?;
                        fill_in.push(FillIn {
                            table: self.name(),
                            column: column.as_str(),
                            value,
                            key: key.iter().map(|k| (k.as_str(), row.get(*k))).collect(),
                        });
                    }
                }
                models.push(row.into_active_model());
            }
            E::insert_many(models).exec_without_returning(to).await?;
            progress.inc(n);
        }
        Ok(fill_in)
    }
}

/// A value of a deferred column, written once every row is there.
struct FillIn {
    table: &'static str,
    column: &'static str,
    value: Value,
    key: Vec<(&'static str, Value)>,
}

impl FillIn {
    async fn apply(self, db: &impl ConnectionTrait) -> Result<(), DbErr> {
        let mut update = Query::update();
        update
            .table(Alias::new(self.table))
            .value(Alias::new(self.column), self.value);
        for (column, value) in self.key {
            update.and_where(Expr::col(Alias::new(column)).eq(value));
        }
        db.execute(&update).await?;
        Ok(())
    }
}

/// The tables of a database (without SQLite's own).
async fn table_names(db: &impl ConnectionTrait) -> Result<Vec<String>, DbErr> {
    let sql = match db.get_database_backend() {
        DbBackend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
             ORDER BY name"
        }
        _ => {
            "SELECT table_name::text FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' \
             ORDER BY table_name"
        }
    };
    strings(db, sql, vec![]).await
}

async fn column_names(db: &impl ConnectionTrait, table: &str) -> Result<Vec<String>, DbErr> {
    match db.get_database_backend() {
        DbBackend::Sqlite => {
            strings(
                db,
                "SELECT name FROM pragma_table_info(?)",
                vec![table.into()],
            )
            .await
        }
        _ => {
            strings(
                db,
                "SELECT column_name::text FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name = $1",
                vec![table.into()],
            )
            .await
        }
    }
}

async fn strings(
    db: &impl ConnectionTrait,
    sql: &str,
    values: Vec<Value>,
) -> Result<Vec<String>, DbErr> {
    let backend = db.get_database_backend();
    db.query_all_raw(Statement::from_sql_and_values(backend, sql, values))
        .await?
        .iter()
        .map(|row| row.try_get_by_index::<String>(0))
        .collect()
}

/// Whether the export knows every table and column of `source` (it refuses to start
/// otherwise): a table added to the schema needs its entity in [`tables`].
pub async fn check_source(source: &impl ConnectionTrait) -> anyhow::Result<()> {
    let known = tables();
    let by_name: BTreeMap<&str, &dyn Table> = known.iter().map(|t| (t.name(), &**t)).collect();
    check_known(source, &by_name).await
}

/// Every table of the source is copied or rebuilt, and every column it has is in its
/// entity: nothing is left behind without a word.
async fn check_known(
    source: &impl ConnectionTrait,
    by_name: &BTreeMap<&str, &dyn Table>,
) -> anyhow::Result<()> {
    for name in table_names(source).await?.iter().filter(|n| !rebuilt(n)) {
        let table = by_name.get(name.as_str()).with_context(|| {
            format!("the site has a table {name} that the export does not know: nothing was copied")
        })?;
        let entity: BTreeSet<&str> = table.columns().into_iter().collect();
        let missing: Vec<String> = column_names(source, name)
            .await?
            .into_iter()
            .filter(|c| !entity.contains(c.as_str()))
            .collect();
        anyhow::ensure!(
            missing.is_empty(),
            "the site's table {name} has columns its entity lacks ({}): nothing was copied",
            missing.join(", ")
        );
    }
    Ok(())
}

fn quoted(identifier: &str) -> String {
    format!("\"{}\"", identifier.replace('"', "\"\""))
}

async fn count(db: &impl ConnectionTrait, table: &str) -> Result<u64, DbErr> {
    let backend = db.get_database_backend();
    let row = db
        .query_one_raw(Statement::from_string(
            backend,
            format!("SELECT COUNT(*) FROM {}", quoted(table)),
        ))
        .await?;
    let n: i64 = row.map(|r| r.try_get_by_index(0)).transpose()?.unwrap_or(0);
    Ok(u64::try_from(n).unwrap_or(0))
}

async fn tables_with_rows(
    db: &impl ConnectionTrait,
    names: &[String],
) -> Result<Vec<String>, DbErr> {
    let mut with_rows = Vec::new();
    for name in names.iter().filter(|n| n.as_str() != "seaql_migrations") {
        if count(db, name).await? > 0 {
            with_rows.push(name.clone());
        }
    }
    Ok(with_rows)
}

/// Every sequence (a serial or identity column) starts after the largest value copied.
async fn reset_sequences(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    let rows = db
        .query_all_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT table_name::text, column_name::text FROM information_schema.columns \
             WHERE table_schema = current_schema() \
             AND (column_default LIKE 'nextval(%' OR is_identity = 'YES')",
        ))
        .await?;
    for row in rows {
        let table: String = row.try_get_by_index(0)?;
        let column: String = row.try_get_by_index(1)?;
        db.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            format!(
                "SELECT setval(pg_get_serial_sequence($1, $2), \
                 COALESCE((SELECT MAX({column}) FROM {table}), 0) + 1, false)",
                column = quoted(&column),
                table = quoted(&table),
            ),
            [quoted(&table).into(), column.into()],
        ))
        .await?;
    }
    Ok(())
}

/// A foreign key of the target's schema.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ForeignKey {
    pub child: String,
    pub columns: Vec<String>,
    pub parent: String,
    /// Whether every column of it may be NULL.
    pub nullable: bool,
}

async fn foreign_keys(db: &impl ConnectionTrait) -> Result<Vec<ForeignKey>, DbErr> {
    let rows = db
        .query_all_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT con.conname::text, child.relname::text, parent.relname::text, \
                    att.attname::text, NOT att.attnotnull \
             FROM pg_constraint con \
             JOIN pg_class child ON child.oid = con.conrelid \
             JOIN pg_class parent ON parent.oid = con.confrelid \
             JOIN pg_namespace ns ON ns.oid = child.relnamespace \
             JOIN pg_attribute att ON att.attrelid = con.conrelid AND att.attnum = ANY(con.conkey) \
             WHERE con.contype = 'f' AND ns.nspname = current_schema() \
             ORDER BY 1, 2, 4",
        ))
        .await?;
    let mut keys: BTreeMap<(String, String), ForeignKey> = BTreeMap::new();
    for row in rows {
        let name: String = row.try_get_by_index(0)?;
        let child: String = row.try_get_by_index(1)?;
        let parent: String = row.try_get_by_index(2)?;
        let column: String = row.try_get_by_index(3)?;
        let nullable: bool = row.try_get_by_index(4)?;
        let key = keys
            .entry((child.clone(), name))
            .or_insert_with(|| ForeignKey {
                child,
                columns: Vec::new(),
                parent,
                nullable: true,
            });
        key.columns.push(column);
        key.nullable &= nullable;
    }
    Ok(keys.into_values().collect())
}

/// The order to fill the tables in, and the references to fill in after.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    pub order: Vec<String>,
    pub deferred: Vec<ForeignKey>,
}

/// Parents before children (by name where the keys leave a choice). A table that refers to
/// itself, or a cycle of tables, has a nullable reference deferred; a cycle of NOT NULL
/// references cannot be filled and is an error.
pub fn plan(tables: &[String], keys: &[ForeignKey]) -> Result<Plan, String> {
    let mut deferred: Vec<ForeignKey> = Vec::new();
    let mut waiting: Vec<&ForeignKey> = Vec::new();
    for key in keys {
        if key.child == key.parent {
            // Rows go in by primary key, which is not always the order they refer in.
            if key.nullable {
                deferred.push(key.clone());
            }
        } else if tables.contains(&key.child) && tables.contains(&key.parent) {
            waiting.push(key);
        }
    }
    let mut left: BTreeSet<&str> = tables.iter().map(String::as_str).collect();
    let mut order = Vec::new();
    while !left.is_empty() {
        let ready: Vec<&str> = left
            .iter()
            .copied()
            .filter(|t| {
                !waiting
                    .iter()
                    .any(|k| k.child == *t && left.contains(k.parent.as_str()))
            })
            .collect();
        if ready.is_empty() {
            // A cycle: defer the first nullable reference between tables still left.
            let inside = |k: &ForeignKey| {
                left.contains(k.child.as_str()) && left.contains(k.parent.as_str())
            };
            let Some(at) = waiting.iter().position(|k| inside(k) && k.nullable) else {
                let cycle: Vec<String> = waiting
                    .iter()
                    .filter(|k| inside(k))
                    .map(|k| format!("{}.{} → {}", k.child, k.columns.join("+"), k.parent))
                    .collect();
                return Err(format!(
                    "these tables refer to each other through columns that may not be NULL: {}",
                    cycle.join(", ")
                ));
            };
            deferred.push(waiting.remove(at).clone());
            continue;
        }
        for table in ready {
            left.remove(table);
            order.push(table.to_string());
        }
    }
    Ok(Plan { order, deferred })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(child: &str, column: &str, parent: &str, nullable: bool) -> ForeignKey {
        ForeignKey {
            child: child.into(),
            columns: vec![column.into()],
            parent: parent.into(),
            nullable,
        }
    }

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn parents_come_before_children() {
        let tables = names(&["posts", "threads", "users", "practices"]);
        let keys = [
            key("posts", "thread_id", "threads", false),
            key("posts", "author_id", "users", false),
            key("threads", "practice_id", "practices", false),
            key("threads", "author_id", "users", false),
        ];
        let plan = plan(&tables, &keys).unwrap();
        assert_eq!(
            plan.order,
            names(&["practices", "users", "threads", "posts"])
        );
        assert!(plan.deferred.is_empty());
    }

    #[test]
    fn a_cycle_is_broken_at_its_nullable_reference() {
        let tables = names(&["intervention_versions", "interventions", "users"]);
        let keys = [
            key(
                "intervention_versions",
                "intervention_id",
                "interventions",
                false,
            ),
            key("intervention_versions", "author_id", "users", false),
            key(
                "interventions",
                "published_version_id",
                "intervention_versions",
                true,
            ),
            key("posts", "reply_to", "posts", true),
        ];
        let plan = plan(&tables, &keys).unwrap();
        assert_eq!(
            plan.order,
            names(&["users", "interventions", "intervention_versions"])
        );
        assert_eq!(
            plan.deferred,
            vec![
                key("posts", "reply_to", "posts", true),
                key(
                    "interventions",
                    "published_version_id",
                    "intervention_versions",
                    true
                ),
            ]
        );
    }

    #[test]
    fn a_cycle_of_required_references_is_an_error() {
        let tables = names(&["a", "b"]);
        let keys = [key("a", "b_id", "b", false), key("b", "a_id", "a", false)];
        let error = plan(&tables, &keys).unwrap_err();
        assert!(
            error.contains("a.b_id → b") && error.contains("b.a_id → a"),
            "{error}"
        );
    }
}
