//! For a meeting's organisers: who registered (with counts), as a page and as CSV, and who
//! attended. A training's attendance gives the person a certificate, to print from a page
//! or download as PDF.

use std::collections::HashMap;

use axum::{
    extract::{Path, State},
    http::header,
    response::{IntoResponse, Redirect, Response},
};
use maud::{Markup, html};
use sea_orm::{
    ColumnTrait, EntityTrait, QueryFilter, QueryOrder, TransactionTrait,
    sea_query::{Expr, ExprTrait},
};
use serde::Deserialize;

use super::{joining, views};
use crate::{
    AppState,
    context::Ctx,
    csrf::CsrfForm,
    entities::{
        meeting,
        registration::{self, Status},
        user,
    },
    error::{AppError, AppResult},
    forum::{Scope, views::person_link},
    i18n::Lang,
    layout,
};

/// The meeting, if this person organises it.
async fn organised(state: &AppState, ctx: &Ctx, id: i32) -> AppResult<meeting::Model> {
    let person = ctx.require_user()?;
    let scope = Scope::for_viewer(&state.db, Some(person)).await?;
    let meeting = super::visible(&state.db, scope.reader(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let organiser = super::is_organiser(&state.db, meeting.id, person.id).await?;
    if !scope.organises(&meeting, organiser) {
        return Err(AppError::Forbidden);
    }
    Ok(meeting)
}

/// One registration as organisers see it: the member's account, or what the visitor gave.
struct Row {
    registration: registration::Model,
    member: Option<user::Model>,
}

impl Row {
    fn name(&self, lang: Lang) -> String {
        match &self.member {
            Some(u) if u.deleted_at.is_none() => u.name.clone(),
            Some(_) => lang.t("account.former_member").into_owned(),
            None => self.registration.name.clone(),
        }
    }

    fn organisation(&self) -> &str {
        match &self.member {
            Some(u) => &u.organisation,
            None => &self.registration.organisation,
        }
    }
}

/// Everyone who registered (not the unconfirmed), in order of registering.
async fn rows(state: &AppState, meeting_id: i32) -> AppResult<Vec<Row>> {
    let registrations = registration::Entity::find()
        .filter(registration::Column::MeetingId.eq(meeting_id))
        .filter(registration::Column::Status.ne(Status::Pending))
        .order_by_asc(registration::Column::Id)
        .all(&state.db)
        .await?;
    let mut people =
        crate::forum::people(&state.db, registrations.iter().filter_map(|r| r.user_id)).await?;
    Ok(registrations
        .into_iter()
        .map(|r| Row {
            member: r.user_id.and_then(|id| people.remove(&id)),
            registration: r,
        })
        .collect())
}

/// `GET /bijeenkomsten/{id}/aanmeldingen`.
pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i32>,
) -> AppResult<Markup> {
    let meeting = organised(&state, &ctx, id).await?;
    let rows = rows(&state, meeting.id).await?;
    let mut counts: HashMap<&'static str, i64> = HashMap::new();
    for r in &rows {
        *counts
            .entry(joining::status_key(r.registration.status))
            .or_default() += 1;
    }
    let attended = rows.iter().filter(|r| r.registration.attended).count();
    let title = rust_i18n::t!(
        "meetings.registrations_of",
        locale = ctx.lang.code(),
        title = meeting.title.as_str()
    );
    let base = format!("/bijeenkomsten/{}", meeting.id);
    Ok(layout::page(
        &ctx,
        &title,
        html! {
            p.breadcrumb { a href=(base) { (meeting.title) } }
            h1 { (title) }
            p { (views::when_text(ctx.lang, &meeting)) }
            ul.counts {
                li { (ctx.lang.plural("meetings.registered_count", counts.get("registered").copied().unwrap_or(0)))
                    @if let Some(cap) = meeting.capacity { " (" (ctx.lang.plural("meetings.capacity_count", i64::from(cap))) ")" } }
                li { (ctx.lang.plural("meetings.waiting_count", counts.get("waiting").copied().unwrap_or(0))) }
                li { (ctx.lang.plural("meetings.cancelled_count", counts.get("cancelled").copied().unwrap_or(0))) }
                li { (ctx.lang.plural("meetings.attended_count", attended as i64)) }
            }
            p { a href={ (base) "/aanmeldingen.csv" } { (ctx.t("meetings.download_csv")) } }
            @if rows.is_empty() {
                p.empty { (ctx.t("meetings.no_registrations")) }
            } @else {
                form method="post" action={ (base) "/aanwezigheid" } {
                    (layout::csrf_field(&ctx))
                    div.table-wrap {
                        table.registrations {
                            thead { tr {
                                th scope="col" { (ctx.t("field.name")) }
                                th scope="col" { (ctx.t("field.organisation")) }
                                th scope="col" { (ctx.t("meetings.status_column")) }
                                th scope="col" { (ctx.t("meetings.attended")) }
                            } }
                            tbody {
                                @for r in &rows {
                                    tr {
                                        td {
                                            @match &r.member {
                                                Some(u) => (person_link(&ctx, Some(u))),
                                                None => { (r.registration.name) " " span.badge { (ctx.t("meetings.visitor")) } },
                                            }
                                        }
                                        td { (r.organisation()) }
                                        td { (ctx.t(&format!("meetings.status_short.{}", joining::status_key(r.registration.status)))) }
                                        td {
                                            @if r.registration.status == Status::Registered || r.registration.attended {
                                                input type="checkbox" name="present" value=(r.registration.id)
                                                    id={ "present-" (r.registration.id) } checked[r.registration.attended]
                                                    aria-label={ (ctx.t("meetings.attended")) ": " (r.name(ctx.lang)) };
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                    button.primary type="submit" { (ctx.t("meetings.save_attendance")) }
                }
            }
        },
    ))
}

/// A CSV cell a spreadsheet will not read as a formula.
fn cell(value: &str) -> String {
    let clean: String = value.chars().filter(|c| !c.is_control()).collect();
    if clean.starts_with(['=', '+', '-', '@']) {
        format!("'{clean}")
    } else {
        clean
    }
}

/// `GET /bijeenkomsten/{id}/aanmeldingen.csv`.
pub async fn csv(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i32>,
) -> AppResult<Response> {
    let meeting = organised(&state, &ctx, id).await?;
    let rows = rows(&state, meeting.id).await?;
    let mut out = csv::Writer::from_writer(Vec::new());
    let header = [
        "field.name",
        "field.organisation",
        "field.email",
        "meetings.kind_column",
        "meetings.status_column",
        "meetings.registered_at",
        "meetings.attended",
    ]
    .map(|k| ctx.t(k).into_owned());
    let write = |out: &mut csv::Writer<Vec<u8>>, record: &[String]| {
        out.write_record(record)
            .map_err(|e| AppError::Internal(e.into()))
    };
    write(&mut out, &header)?;
    for r in &rows {
        let email = match &r.member {
            Some(u) if u.deleted_at.is_none() => u.email.clone(),
            Some(_) => String::new(),
            None => r.registration.email.clone(),
        };
        write(
            &mut out,
            &[
                cell(&r.name(ctx.lang)),
                cell(r.organisation()),
                cell(&email),
                ctx.t(if r.member.is_some() {
                    "meetings.member"
                } else {
                    "meetings.visitor"
                })
                .into_owned(),
                ctx.t(&format!(
                    "meetings.status_short.{}",
                    joining::status_key(r.registration.status)
                ))
                .into_owned(),
                ctx.lang.datetime(r.registration.created_at),
                ctx.t(if r.registration.attended {
                    "meetings.yes"
                } else {
                    "meetings.no"
                })
                .into_owned(),
            ],
        )?;
    }
    let body = out
        .into_inner()
        .map_err(|e| AppError::Internal(anyhow::anyhow!(e.to_string())))?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"aanmeldingen-{}.csv\"", meeting.id),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AttendanceForm {
    present: Vec<i32>,
}

/// `POST /bijeenkomsten/{id}/aanwezigheid`: who came (ticked) and who did not.
pub async fn save_attendance(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i32>,
    CsrfForm(form): CsrfForm<AttendanceForm>,
) -> AppResult<Response> {
    let meeting = organised(&state, &ctx, id).await?;
    let txn = state.db.begin().await?;
    registration::Entity::update_many()
        .col_expr(registration::Column::Attended, Expr::value(false))
        .filter(registration::Column::MeetingId.eq(meeting.id))
        .filter(registration::Column::Id.is_not_in(form.present.iter().copied()))
        .exec(&txn)
        .await?;
    registration::Entity::update_many()
        .col_expr(registration::Column::Attended, Expr::value(true))
        .filter(registration::Column::MeetingId.eq(meeting.id))
        .filter(registration::Column::Id.is_in(form.present.iter().copied()))
        .filter(
            registration::Column::Status
                .eq(Status::Registered)
                .or(registration::Column::Attended.eq(true)),
        )
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(Redirect::to(&format!("/bijeenkomsten/{}/aanmeldingen", meeting.id)).into_response())
}

/// Who a certificate is for, and of what.
struct Certificate {
    name: String,
    organisation: String,
    meeting: meeting::Model,
    practice: Option<String>,
}

async fn practice_name(
    state: &AppState,
    meeting: &meeting::Model,
    lang: Lang,
) -> AppResult<Option<String>> {
    Ok(match meeting.practice_id {
        Some(id) => crate::entities::practice::Entity::find_by_id(id)
            .one(&state.db)
            .await?
            .map(|p| p.name(lang).to_owned()),
        None => None,
    })
}

/// A member's certificate, when they attended a training.
async fn member_certificate(state: &AppState, ctx: &Ctx, id: i32) -> AppResult<Certificate> {
    let person = ctx.require_user()?;
    let meeting = super::visible(&state.db, ctx.reader(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mine = super::registration_of(&state.db, meeting.id, person.id).await?;
    if meeting.kind != meeting::Kind::Training || !mine.is_some_and(|r| r.attended) {
        return Err(AppError::NotFound);
    }
    Ok(Certificate {
        name: person.name.clone(),
        organisation: person.organisation.clone(),
        practice: practice_name(state, &meeting, ctx.lang).await?,
        meeting,
    })
}

/// A visitor's certificate, from their own link.
async fn visitor_certificate(state: &AppState, ctx: &Ctx, token: &str) -> AppResult<Certificate> {
    let row = joining::by_manage_token(&state.db, token)
        .await?
        .ok_or(AppError::NotFound)?;
    let meeting = joining::public_meeting(state, &row)
        .await?
        .ok_or(AppError::NotFound)?;
    if meeting.kind != meeting::Kind::Training || !row.attended {
        return Err(AppError::NotFound);
    }
    Ok(Certificate {
        name: row.name,
        organisation: row.organisation,
        practice: practice_name(state, &meeting, ctx.lang).await?,
        meeting,
    })
}

/// The certificate's sentences, the same on the page and in the PDF.
fn lines(lang: Lang, c: &Certificate) -> Vec<String> {
    let mut lines = vec![
        lang.t("meetings.certificate_title").into_owned(),
        rust_i18n::t!("meetings.certificate_declares", locale = lang.code()).into_owned(),
        c.name.clone(),
    ];
    if !c.organisation.trim().is_empty() {
        lines.push(c.organisation.clone());
    }
    lines.push(rust_i18n::t!("meetings.certificate_attended", locale = lang.code()).into_owned());
    lines.push(c.meeting.title.clone());
    lines.push(views::when_text(lang, &c.meeting));
    if let Some(p) = &c.practice {
        lines.push(
            rust_i18n::t!(
                "meetings.certificate_practice",
                locale = lang.code(),
                name = p.as_str()
            )
            .into_owned(),
        );
    }
    lines.push(lang.t("meetings.certificate_signed").into_owned());
    lines
}

fn certificate_page(ctx: &Ctx, c: &Certificate, pdf: &str) -> Markup {
    let lines = lines(ctx.lang, c);
    layout::page(
        ctx,
        &lines[0],
        html! {
            article.certificate {
                h1 { (lines[0]) }
                @for line in &lines[1..] { p { (line) } }
            }
            p.no-print { a.button href=(pdf) { (ctx.t("meetings.certificate_pdf")) } " " (ctx.t("meetings.certificate_print")) }
        },
    )
}

pub async fn member_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i32>,
) -> AppResult<Markup> {
    let c = member_certificate(&state, &ctx, id).await?;
    Ok(certificate_page(
        &ctx,
        &c,
        &format!("/bijeenkomsten/{id}/bewijs.pdf"),
    ))
}

pub async fn member_pdf(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i32>,
) -> AppResult<Response> {
    let c = member_certificate(&state, &ctx, id).await?;
    pdf_response(&lines(ctx.lang, &c))
}

pub async fn visitor_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
) -> AppResult<Markup> {
    let c = visitor_certificate(&state, &ctx, &token).await?;
    Ok(certificate_page(
        &ctx,
        &c,
        &format!("/bijeenkomsten/inschrijving/{token}/bewijs.pdf"),
    ))
}

pub async fn visitor_pdf(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let c = visitor_certificate(&state, &ctx, &token).await?;
    pdf_response(&lines(ctx.lang, &c))
}

fn pdf_response(lines: &[String]) -> AppResult<Response> {
    let pdf = certificate_pdf(lines).map_err(AppError::Internal)?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"bewijs-van-deelname.pdf\"",
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        pdf,
    )
        .into_response())
}

/// Text in the PDF's standard font (Helvetica, WinAnsi): Latin letters with their accents
/// as they are; anything the font cannot show as its closest plain letter, or `?`.
fn win_ansi(text: &str) -> Vec<u8> {
    use unicode_normalization::UnicodeNormalization;
    text.chars()
        .map(|c| match c {
            '–' => 0x96,
            '—' => 0x97,
            '‘' => 0x91,
            '’' => 0x92,
            '“' => 0x93,
            '”' => 0x94,
            '€' => 0x80,
            c if (c as u32) < 0x7f && !c.is_control() => c as u8,
            c if (0xa0..=0xff).contains(&(c as u32)) => c as u32 as u8,
            c => c
                .nfd()
                .next()
                .filter(char::is_ascii_alphanumeric)
                .map_or(b'?', |base| base as u8),
        })
        .collect()
}

/// A one-page A4 certificate: the title large, then the lines.
fn certificate_pdf(lines: &[String]) -> anyhow::Result<Vec<u8>> {
    use lopdf::{
        Document, Object, Stream, StringFormat,
        content::{Content, Operation},
        dictionary,
    };
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font_id = doc.add_object(dictionary! {
        "Type" => "Font",
        "Subtype" => "Type1",
        "BaseFont" => "Helvetica",
        "Encoding" => "WinAnsiEncoding",
    });
    let bold_id = doc.add_object(dictionary! {
        "Type" => "Font",
        "Subtype" => "Type1",
        "BaseFont" => "Helvetica-Bold",
        "Encoding" => "WinAnsiEncoding",
    });
    let resources_id = doc.add_object(dictionary! {
        "Font" => dictionary! { "F1" => font_id, "F2" => bold_id },
    });
    let mut operations = Vec::new();
    let mut y = 700;
    for (i, line) in lines.iter().enumerate() {
        let (font, size) = if i == 0 { ("F2", 26) } else { ("F1", 14) };
        operations.extend([
            Operation::new("BT", vec![]),
            Operation::new("Tf", vec![font.into(), size.into()]),
            Operation::new("Td", vec![72.into(), y.into()]),
            Operation::new(
                "Tj",
                vec![Object::String(win_ansi(line), StringFormat::Literal)],
            ),
            Operation::new("ET", vec![]),
        ]);
        y -= if i == 0 { 56 } else { 30 };
    }
    let content = Content { operations };
    let content_id = doc.add_object(Stream::new(dictionary! {}, content.encode()?));
    let page_id = doc.add_object(dictionary! {
        "Type" => "Page",
        "Parent" => pages_id,
        "Contents" => content_id,
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages",
            "Kids" => vec![page_id.into()],
            "Count" => 1,
            "Resources" => resources_id,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        }),
    );
    let catalog_id = doc.add_object(dictionary! {
        "Type" => "Catalog",
        "Pages" => pages_id,
    });
    doc.trailer.set("Root", catalog_id);
    let mut out = Vec::new();
    doc.save_to(&mut out)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn certificate_text_keeps_accents_in_the_font() {
        assert_eq!(win_ansi("Café – één"), b"Caf\xe9 \x96 \xe9\xe9n".to_vec());
        assert_eq!(win_ansi("Şule"), b"Sule".to_vec());
        assert_eq!(win_ansi("日本"), b"??".to_vec());
    }

    #[test]
    fn formulas_do_not_reach_a_spreadsheet() {
        assert_eq!(cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(cell("Anouk\u{7}"), "Anouk");
    }
}
