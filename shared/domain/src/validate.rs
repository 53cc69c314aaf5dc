//! Collecting every rule an input breaks, so one 400 answer lists them all.

use crate::error::{DomainError, FieldError};

#[derive(Default, Debug)]
pub struct Violations(Vec<FieldError>);

impl Violations {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, field: impl Into<String>, rule: &str, message: impl Into<String>) {
        self.0.push(FieldError::new(field, rule, message));
    }

    /// Records a violation when `ok` is false.
    pub fn check(
        &mut self,
        ok: bool,
        field: impl Into<String>,
        rule: &str,
        message: impl Into<String>,
    ) {
        if !ok {
            self.add(field, rule, message);
        }
    }

    /// A string with `min..=max` characters (after trimming), recorded under `field`.
    pub fn text(&mut self, field: &str, value: &str, min: usize, max: usize) {
        let len = value.trim().chars().count();
        if len < min {
            self.add(
                field,
                "required",
                format!("must have at least {min} non-blank character(s)"),
            );
        } else if len > max {
            self.add(
                field,
                "max_length",
                format!("must be at most {max} characters"),
            );
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn into_result(self) -> Result<(), DomainError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(DomainError::Invalid(self.0))
        }
    }
}
