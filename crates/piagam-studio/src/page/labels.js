// Every word the studio shows, in Indonesian first and English. One
// table: a key missing in either language is a test failure.
export const LABELS = {
  id: {
    "title": "piagam studio",
    "other-language": "English",
    "event-heading": "Acara",
    "name": "Nama acara",
    "date": "Tanggal",
    "place": "Tempat",
    "verify_url": "Alamat halaman verifikasi",
    "signatory": "Penanda tangan",
    "signatory_name": "Nama",
    "signatory_title": "Jabatan",
    "signatory_nip": "NIP",
    "save": "Simpan",
    "saved": "Tersimpan di piagam.toml",
    "key-heading": "Kunci penerbit",
    "issuer": "Nama penerbit (instansi)",
    "make-key": "Buat kunci",
    "key-made": "Kunci penerbit {issuer} (id {kid}) tersimpan di folder kunci/. Kunci rahasia tidak pernah keluar dari komputer ini.",
    "key-none": "Belum ada kunci. Buat satu untuk menandatangani piagam.",
    "no-studio": "Studio tidak menjawab. Jalankan lagi piagam studio.",
    "problem:required": "Wajib diisi.",
    "problem:not-a-date": "Bukan tanggal (TTTT-BB-HH): {detail}",
    "problem:bad-address": "Alamat tidak dapat dipakai: {detail}",
    "problem:unreadable": "piagam.toml tidak dapat dibaca: {detail}",
    "problem:refused": "Pengaturan ditolak: {detail}",
    "problem:unwritable": "piagam.toml tidak dapat ditulis: {detail}",
    "problem:key-refused": "Kunci tidak dibuat: {detail}",
    "problem:not-allowed": "Akses ditolak: buka studio dari alamat yang dicetak piagam studio.",
  },
  en: {
    "title": "piagam studio",
    "other-language": "Bahasa Indonesia",
    "event-heading": "Event",
    "name": "Event name",
    "date": "Date",
    "place": "Place",
    "verify_url": "Verification page address",
    "signatory": "Signatory",
    "signatory_name": "Name",
    "signatory_title": "Title",
    "signatory_nip": "NIP (civil servant number)",
    "save": "Save",
    "saved": "Saved in piagam.toml",
    "key-heading": "Issuer key",
    "issuer": "Issuer name (office)",
    "make-key": "Make the key",
    "key-made": "The key of {issuer} (id {kid}) is kept in the kunci/ folder. The private key never leaves this computer.",
    "key-none": "No key yet. Make one to sign the charters.",
    "no-studio": "The studio does not answer. Start piagam studio again.",
    "problem:required": "Required.",
    "problem:not-a-date": "Not a date (YYYY-MM-DD): {detail}",
    "problem:bad-address": "This address cannot be used: {detail}",
    "problem:unreadable": "piagam.toml cannot be read: {detail}",
    "problem:refused": "The settings were refused: {detail}",
    "problem:unwritable": "piagam.toml cannot be written: {detail}",
    "problem:key-refused": "No key was made: {detail}",
    "problem:not-allowed": "Not allowed: open the studio from the address piagam studio printed.",
  },
};

export const LANGUAGES = Object.keys(LABELS);

/// The words for `key` in `lang`, with `{name}` filled from `values`. A
/// missing key shows as itself, so a gap is visible, never blank.
export function label(lang, key, values = {}) {
  const table = LABELS[lang] || LABELS.id;
  const text = Object.prototype.hasOwnProperty.call(table, key) ? table[key] : key;
  return text.replace(/\{(\w+)\}/g, (whole, name) =>
    Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole,
  );
}
