//! Verifies one seal: `verify ISSUER.jwks.json "QR TEXT"`. What the crate's
//! README shows, as a program. Exits 0 for a valid seal, 1 otherwise.

use piagam_seal::{verify_qr_text, Date, Jwks, Status, Trust, VerifyOptions};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(trust_file), Some(text)) = (args.next(), args.next()) else {
        eprintln!("usage: verify ISSUER.jwks.json \"QR TEXT\"");
        std::process::exit(2);
    };
    let jwks: Jwks = serde_json::from_str(&std::fs::read_to_string(trust_file)?)?;
    let trust = Trust::from_jwks(&jwks)?;
    let options = VerifyOptions {
        today: Date::today_utc(),
        expected_url: None,
        revocations: None,
    };
    let report = verify_qr_text(&text, &trust, &options);
    match (&report.status, &report.claims) {
        (Status::Valid, Some(c)) => {
            println!("valid: {} for {}, {}", c.serial, c.recipient, c.achievement)
        }
        (Status::Invalid(e), _) => {
            println!("not valid ({}): {e}", e.code());
            std::process::exit(1);
        }
        (Status::Valid, None) => unreachable!("a valid report carries its claims"),
    }
    Ok(())
}
