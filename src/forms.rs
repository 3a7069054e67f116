//! Form plumbing: field errors that travel back to the form with the typed values, and the
//! partials that render a labelled field with its message tied to it (`aria-describedby`).

use axum::{
    http::StatusCode,
    response::{IntoResponse, Response},
};
use maud::{Markup, html};

use crate::{context::Ctx, entities::thread::Visibility, layout, markdown};

/// Translation keys of the problems found, per field name, in the order they were found
/// (validate in the form's order: the error summary lists them so).
#[derive(Debug, Default, Clone)]
pub struct FieldErrors(Vec<(&'static str, &'static str)>);

impl FieldErrors {
    /// The first problem of a field is the one shown.
    pub fn add(&mut self, field: &'static str, key: &'static str) {
        if self.get(field).is_none() {
            self.0.push((field, key));
        }
    }

    pub fn get(&self, field: &str) -> Option<&'static str> {
        self.0.iter().find(|(f, _)| *f == field).map(|(_, k)| *k)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Required text, trimmed, within `max` characters.
    pub fn text(&mut self, field: &'static str, value: &str, max: usize) {
        let value = value.trim();
        if value.is_empty() {
            self.add(field, "form.required");
        } else if value.chars().count() > max {
            self.add(field, "form.too_long");
        }
    }

    /// A Markdown body (post, reply, summary): required text within `max` characters, and
    /// not nested deeper than [`markdown::MAX_NESTING`] quotes or lists, which would make
    /// every page showing it slow.
    pub fn markdown(&mut self, field: &'static str, value: &str, max: usize) {
        self.text(field, value, max);
        if self.get(field).is_none() && markdown::nesting_depth(value) > markdown::MAX_NESTING {
            self.add(field, "form.too_deeply_nested");
        }
    }

    pub fn email(&mut self, field: &'static str, value: &str) {
        let value = value.trim();
        if value.is_empty() {
            self.add(field, "form.required");
        } else if value.len() > 254 || !email_address::EmailAddress::is_valid(value) {
            self.add(field, "form.email_invalid");
        }
    }

    /// Who may read a thread (or a practice's new threads): one of the choices, and public
    /// only when the person ticked that they understand what public means.
    pub fn visibility(
        &mut self,
        field: &'static str,
        value: &str,
        public_ok: bool,
    ) -> Option<Visibility> {
        match Visibility::choice(value) {
            None => {
                self.add(field, "form.choose");
                None
            }
            Some(Visibility::Public) if !public_ok => {
                self.add(field, "visibility.public_confirm");
                None
            }
            chosen => chosen,
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &'static str)> + '_ {
        self.0.iter().copied()
    }
}

/// Lower-cased, trimmed: the one form of an address we store and compare.
/// Text of several lines as stored (a description, steps, a message, a reason): without
/// control characters other than line breaks and tabs (PostgreSQL refuses a NUL; a browser's
/// carriage returns go too) and without the bidi controls that turn text around, trimmed.
/// (Joiners stay: emoji and some scripts need them.)
pub fn multi_line(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
        .filter(|c| !matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'))
        .collect::<String>()
        .trim()
        .to_owned()
}

pub fn normalize_email(value: &str) -> String {
    value.trim().to_lowercase()
}

/// A form page answered with 422 because its input needs attention.
pub fn unprocessable(markup: Markup) -> Response {
    (StatusCode::UNPROCESSABLE_ENTITY, markup).into_response()
}

/// A problem with the form as a whole (too many attempts, wrong password), shown on top.
pub fn problem(ctx: &Ctx, key: Option<&str>) -> Markup {
    html! {
        @if let Some(key) = key {
            div.error-summary role="alert" { p { (ctx.t(key)) } }
        }
    }
}

/// The list of problems at the top of a form, each linking to its field.
pub fn error_summary(ctx: &Ctx, errors: &FieldErrors) -> Markup {
    html! {
        @if !errors.is_empty() {
            div.error-summary role="alert" aria-labelledby="error-summary-title" {
                h2 #error-summary-title { (ctx.t("form.summary_title")) }
                ul {
                    @for (field, key) in errors.iter() {
                        li { a href={ "#" (field) } { (ctx.t(&format!("field.{field}"))) ": " (ctx.t(key)) } }
                    }
                }
            }
        }
    }
}

pub struct Field<'a> {
    pub name: &'static str,
    pub value: &'a str,
    pub kind: &'static str,
    pub autocomplete: &'static str,
    pub hint: Option<&'static str>,
    pub required: bool,
    pub max_length: Option<usize>,
}

impl<'a> Field<'a> {
    pub fn new(name: &'static str, value: &'a str) -> Self {
        Field {
            name,
            value,
            kind: "text",
            autocomplete: "off",
            hint: None,
            required: true,
            max_length: None,
        }
    }
    pub fn kind(mut self, kind: &'static str) -> Self {
        self.kind = kind;
        self
    }
    pub fn autocomplete(mut self, autocomplete: &'static str) -> Self {
        self.autocomplete = autocomplete;
        self
    }
    pub fn hint(mut self, key: &'static str) -> Self {
        self.hint = Some(key);
        self
    }
    pub fn max_length(mut self, max: usize) -> Self {
        self.max_length = Some(max);
        self
    }
    pub fn optional(mut self) -> Self {
        self.required = false;
        self
    }
}

fn described_by(name: &str, has_hint: bool, has_error: bool) -> Option<String> {
    let mut ids = Vec::new();
    if has_hint {
        ids.push(format!("{name}-hint"));
    }
    if has_error {
        ids.push(format!("{name}-error"));
    }
    (!ids.is_empty()).then(|| ids.join(" "))
}

fn field_frame(ctx: &Ctx, field: &Field, errors: &FieldErrors, control: Markup) -> Markup {
    let error = errors.get(field.name);
    html! {
        div.field.has-error[error.is_some()] {
            label for=(field.name) { (ctx.t(&format!("field.{}", field.name))) }
            @if let Some(hint) = field.hint {
                p.hint id={ (field.name) "-hint" } { (ctx.t(hint)) }
            }
            @if let Some(key) = error {
                p.field-error id={ (field.name) "-error" } { (ctx.t(key)) }
            }
            (control)
        }
    }
}

pub fn input(ctx: &Ctx, field: Field, errors: &FieldErrors) -> Markup {
    let error = errors.get(field.name).is_some();
    let described = described_by(field.name, field.hint.is_some(), error);
    let value = if field.kind == "password" {
        ""
    } else {
        field.value
    };
    let control = html! {
        input id=(field.name) name=(field.name) type=(field.kind) value=(value)
            autocomplete=(field.autocomplete) required[field.required] maxlength=[field.max_length]
            aria-invalid=[error.then_some("true")]
            aria-describedby=[described.as_deref()];
    };
    field_frame(ctx, &field, errors, control)
}

pub fn textarea(ctx: &Ctx, field: Field, errors: &FieldErrors) -> Markup {
    let error = errors.get(field.name).is_some();
    let described = described_by(field.name, field.hint.is_some(), error);
    let control = html! {
        textarea id=(field.name) name=(field.name) rows="6" required[field.required]
            aria-invalid=[error.then_some("true")]
            aria-describedby=[described.as_deref()] { (field.value) }
    };
    field_frame(ctx, &field, errors, control)
}

/// A form with the CSRF token, the error summary and a submit button.
pub fn form(ctx: &Ctx, action: &str, errors: &FieldErrors, submit: &str, fields: Markup) -> Markup {
    html! {
        (error_summary(ctx, errors))
        form.stacked method="post" action=(action) novalidate {
            (layout::csrf_field(ctx))
            (fields)
            button.primary type="submit" { (submit) }
        }
    }
}

/// The choice of who may read: members-only first, and under "public" the plain warning of
/// what public means (search engines, digests, feeds) with the box to tick. The warning
/// shows while public is chosen (CSS), and always without CSS.
pub fn visibility_field(
    ctx: &Ctx,
    name: &'static str,
    legend_key: &str,
    current: &str,
    public_ok: bool,
    errors: &FieldErrors,
) -> Markup {
    let error = errors.get(name);
    html! {
        fieldset.field.visibility-choice.has-error[error.is_some()] id=(name)
            aria-describedby=[error.map(|_| format!("{name}-error"))] {
            legend { (ctx.t(legend_key)) }
            @if let Some(key) = error { p.field-error id={ (name) "-error" } { (ctx.t(key)) } }
            @for value in Visibility::CHOICES {
                div.check {
                    input type="radio" name=(name) value=(value) id={ (name) "-" (value) }
                        checked[current == value.as_str()];
                    label for={ (name) "-" (value) } { (ctx.t(&format!("visibility.{value}"))) }
                }
            }
            div.public-warning id={ (name) "-warning" } {
                p { (ctx.t("visibility.public_warning")) }
                div.check {
                    input type="checkbox" name="public_ok" value="1" id={ (name) "-public-ok" }
                        checked[public_ok];
                    label for={ (name) "-public-ok" } { (ctx.t("visibility.public_ok")) }
                }
            }
        }
    }
}
