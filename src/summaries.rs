//! The expert group's work: nominations (the curation queue) and curated summaries
//! (kennisbundels) with their workflow, versions, provenance, public pages and feeds.

pub mod edit;
pub mod model;
pub mod nominations;
pub mod public;
pub mod sources;

use crate::{context::Ctx, entities::user, error::AppError};

/// Experts, and administrators, who may do everything experts do.
pub fn require_expert(ctx: &Ctx) -> Result<&user::Model, AppError> {
    ctx.require_expert()
}
