//! A ZIP of a run's document files, streamed: each file is stored as it
//! is made, in document order, so neither the archive nor its documents
//! are ever held whole. The same writer serves a file in the output
//! folder and, for a front end, any stream (an HTTP response).

use std::io::Write;

use zip::write::{SimpleFileOptions, StreamWriter};
use zip::{CompressionMethod, DateTime, ZipWriter};

/// The ZIP a run writes beside its files.
pub const ZIP_FILE: &str = "charters.zip";

/// Document files, stored (PDFs are compressed already) with a fixed
/// date, so the same documents always make the same archive.
pub struct DocumentZip<W: Write> {
    zip: ZipWriter<StreamWriter<W>>,
    bytes: u64,
}

impl<W: Write> DocumentZip<W> {
    pub fn new(out: W) -> DocumentZip<W> {
        DocumentZip {
            zip: ZipWriter::new_stream(out),
            bytes: 0,
        }
    }

    /// Adds one file under `name`.
    pub fn add(&mut self, name: &str, bytes: &[u8]) -> std::io::Result<()> {
        let options = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Stored)
            .last_modified_time(DateTime::default())
            .unix_permissions(0o644)
            .large_file(bytes.len() as u64 >= u64::from(u32::MAX));
        self.zip.start_file(name, options).map_err(zip_error)?;
        self.zip.write_all(bytes)?;
        self.bytes += bytes.len() as u64;
        Ok(())
    }

    /// Writes the archive's directory; returns the stream.
    pub fn finish(self) -> std::io::Result<W> {
        Ok(self.zip.finish().map_err(zip_error)?.into_inner())
    }

    /// The bytes of the files added so far.
    pub fn content_bytes(&self) -> u64 {
        self.bytes
    }
}

fn zip_error(e: zip::result::ZipError) -> std::io::Error {
    match e {
        zip::result::ZipError::Io(e) => e,
        other => std::io::Error::other(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_files_make_the_same_archive_and_read_back() {
        let make = || {
            let mut zip = DocumentZip::new(Vec::new());
            zip.add("001-piagam-a.pdf", b"%PDF-1.7 first").unwrap();
            zip.add("002-piagam-b.pdf", b"%PDF-1.7 second").unwrap();
            zip.finish().unwrap()
        };
        let bytes = make();
        assert_eq!(bytes, make());
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        assert_eq!(archive.len(), 2);
        let mut text = String::new();
        std::io::Read::read_to_string(&mut archive.by_index(1).unwrap(), &mut text).unwrap();
        assert_eq!(text, "%PDF-1.7 second");
        assert_eq!(
            archive.by_index(0).unwrap().name().unwrap(),
            "001-piagam-a.pdf"
        );
    }
}
