//! The verification report as data: what was checked and what was found.
//! How it reads, in words or JSON, is for the front ends.

use super::claims::Claims;
use super::revocation::Revoked;
use super::VerifyError;
use crate::date::Date;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    Passed,
    Failed,
    /// Not reached because an earlier check failed, or nothing to check against.
    NotChecked,
}

impl Check {
    /// The stable code of the JSON report (docs/FORMAT.md).
    pub fn code(self) -> &'static str {
        match self {
            Check::Passed => "pass",
            Check::Failed => "fail",
            Check::NotChecked => "not-checked",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checks {
    pub signature: Check,
    pub issuer: Check,
    pub revocation: Check,
    pub dates: Check,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    Valid,
    Invalid(VerifyError),
}

/// What a verifier found. Claims are present only if the signature is good.
#[derive(Debug, Clone)]
pub struct Report {
    pub status: Status,
    pub checked_on: Date,
    pub verify_url: Option<String>,
    pub kid: Option<String>,
    pub issuer: Option<String>,
    pub claims: Option<Claims>,
    pub checks: Checks,
    /// The date of the revocation list consulted, if any.
    pub revocation_list_date: Option<Date>,
    /// The revocation entry, if the seal was revoked.
    pub revoked: Option<Revoked>,
}

impl Report {
    pub(crate) fn new(today: Date) -> Report {
        Report {
            status: Status::Invalid(VerifyError::Empty),
            checked_on: today,
            verify_url: None,
            kid: None,
            issuer: None,
            claims: None,
            checks: Checks {
                signature: Check::NotChecked,
                issuer: Check::NotChecked,
                revocation: Check::NotChecked,
                dates: Check::NotChecked,
            },
            revocation_list_date: None,
            revoked: None,
        }
    }

    pub fn is_valid(&self) -> bool {
        self.status == Status::Valid
    }
}
