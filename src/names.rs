//! Display names that cannot pass for someone else's. A name is stored in NFC; invisible
//! characters (zero-width, bidi controls, other format and control characters) are refused;
//! and a name whose confusable skeleton (Unicode TS #39: `Mаrieke` with a Cyrillic `а`
//! becomes `Marieke`) matches another member's is refused. Each person's skeleton is kept
//! in `users.name_skeleton` (set by the user entity on every save, indexed), so the check is
//! one indexed query.

use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter};
use unicode_normalization::UnicodeNormalization;
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

use crate::{entities::user, forms::FieldErrors};

/// The longest name, in characters.
pub const MAX_CHARS: usize = 100;

/// NFC, trimmed: the one form of a name that is stored and shown.
pub fn normalize(input: &str) -> String {
    input.nfc().collect::<String>().trim().to_string()
}

/// Characters that show nothing (or turn text around) and so let two names that look the
/// same differ: general categories Cc, Cf (zero-width, bidi controls), Zl, Zp, Co, Cn, Cs,
/// plus the blank letters and selectors that Unicode marks default-ignorable.
fn is_invisible(c: char) -> bool {
    matches!(
        c.general_category(),
        GeneralCategory::Control
            | GeneralCategory::Format
            | GeneralCategory::LineSeparator
            | GeneralCategory::ParagraphSeparator
            | GeneralCategory::PrivateUse
            | GeneralCategory::Unassigned
            | GeneralCategory::Surrogate
    ) || matches!(
        c,
        '\u{034F}'
            | '\u{115F}'
            | '\u{1160}'
            | '\u{17B4}'
            | '\u{17B5}'
            | '\u{180B}'..='\u{180F}'
            | '\u{2800}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FFA0}'
            | '\u{E0100}'..='\u{E01EF}'
    )
}

/// What a name looks like, for comparing: the Unicode TS #39 skeleton of the NFC name, with runs of
/// spaces made one (a page shows two spaces as one). Capitals are kept, as TS #39 keeps
/// them: `Iris` and `lris` look alike, `MARIEKE` and `Marieke` do not.
pub fn skeleton(name: &str) -> String {
    let spaced = normalize(name)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    unicode_security::confusable_detection::skeleton(&spaced).collect()
}

/// Checks the name typed in `field` (required, not too long, nothing invisible, not
/// confusable with another member's; `me` is the person renaming themselves) and gives the
/// form to store. Problems go on `field`; the typed text stays in the form.
pub async fn check(
    db: &impl ConnectionTrait,
    errors: &mut FieldErrors,
    field: &'static str,
    typed: &str,
    me: Option<i32>,
) -> Result<String, DbErr> {
    let name = normalize(typed);
    if name.is_empty() {
        errors.add(field, "form.required");
    } else if name.chars().count() > MAX_CHARS {
        errors.add(field, "form.too_long");
    } else if name.chars().any(is_invisible) {
        errors.add(field, "form.name_invisible");
    } else if looks_like_another(db, &name, me).await? {
        errors.add(field, "form.name_taken");
    }
    Ok(name)
}

/// Whether a member other than `me` has a name that looks like `name`.
pub async fn looks_like_another(
    db: &impl ConnectionTrait,
    name: &str,
    me: Option<i32>,
) -> Result<bool, DbErr> {
    let mut query = user::Entity::find().filter(user::Column::NameSkeleton.eq(skeleton(name)));
    if let Some(me) = me {
        query = query.filter(user::Column::Id.ne(me));
    }
    Ok(query.count(db).await? > 0)
}

/// Gives every person without a skeleton (rows from before it was kept) theirs. One query
/// when there are none.
pub async fn backfill_skeletons(db: &impl ConnectionTrait) -> Result<u64, DbErr> {
    // A deleted account has no name to protect.
    let missing = user::Entity::find()
        .filter(user::Column::NameSkeleton.is_null())
        .filter(user::Column::DeletedAt.is_null())
        .all(db)
        .await?;
    for person in &missing {
        user::Entity::update_many()
            .col_expr(
                user::Column::NameSkeleton,
                sea_orm::sea_query::Expr::value(skeleton(&person.name)),
            )
            .filter(user::Column::Id.eq(person.id))
            .exec(db)
            .await?;
    }
    Ok(missing.len() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookalikes_share_a_skeleton() {
        let real = skeleton("Marieke de Vries");
        assert_eq!(skeleton("M\u{0430}rieke de Vries"), real, "Cyrillic а");
        assert_eq!(skeleton("Marieke  de Vries "), real);
        assert_eq!(skeleton("Iris"), skeleton("lris"));
        assert_ne!(skeleton("Marieke de Vries-Bos"), real);
    }

    #[test]
    fn invisible_characters_are_found() {
        for c in [
            '\u{200B}', '\u{200D}', '\u{202E}', '\u{2066}', '\u{FEFF}', '\u{0007}', '\u{3164}',
        ] {
            assert!(is_invisible(c), "{:04X}", c as u32);
        }
        for c in "Zeynep Yılmaz-Özdemir 'Ans' Ñ 李".chars() {
            assert!(!is_invisible(c), "{c}");
        }
    }

    #[test]
    fn names_are_stored_composed() {
        assert_eq!(normalize("  Zoe\u{0308} "), "Zo\u{00EB}");
    }
}
