// Ed25519 signature verification (RFC 8032 §5.1.7), strict as
// ed25519-dalek's verify_strict: S below the group order, no small-order
// public key or R, and R compared by its encoding. Plain JS with BigInt,
// for browsers whose WebCrypto lacks Ed25519; SHA-512 included, since
// crypto.subtle is missing outside secure contexts.
"use strict";

const PiagamEd25519 = (() => {
  const P = 2n ** 255n - 19n;
  const L = 2n ** 252n + 27742317777372353535851937790883648493n;
  const mod = (a, m = P) => ((a % m) + m) % m;
  const pow = (b, e, m = P) => {
    let r = 1n;
    b = mod(b, m);
    while (e > 0n) {
      if (e & 1n) r = (r * b) % m;
      b = (b * b) % m;
      e >>= 1n;
    }
    return r;
  };
  const inv = (a) => pow(a, P - 2n);
  const D = mod(-121665n * inv(121666n));
  const SQRT_M1 = pow(2n, (P - 1n) / 4n);

  // Points in extended coordinates (X, Y, Z, T), x = X/Z, y = Y/Z, xy = T/Z.
  const IDENTITY = [0n, 1n, 1n, 0n];
  const GY = mod(4n * inv(5n));

  function add(p, q) {
    const [x1, y1, z1, t1] = p;
    const [x2, y2, z2, t2] = q;
    const a = mod((y1 - x1) * (y2 - x2));
    const b = mod((y1 + x1) * (y2 + x2));
    const c = mod(2n * D * t1 * t2);
    const d = mod(2n * z1 * z2);
    const e = b - a;
    const f = d - c;
    const g = d + c;
    const h = b + a;
    return [mod(e * f), mod(g * h), mod(f * g), mod(e * h)];
  }

  function multiply(p, n) {
    let result = IDENTITY;
    let addend = p;
    while (n > 0n) {
      if (n & 1n) result = add(result, addend);
      addend = add(addend, addend);
      n >>= 1n;
    }
    return result;
  }

  function bytesToBigLE(bytes) {
    let n = 0n;
    for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]);
    return n;
  }

  /// The point an encoding stands for, or null. Like ed25519-dalek, y is
  /// read modulo p.
  function decodePoint(bytes) {
    if (bytes.length !== 32) return null;
    const sign = bytes[31] >> 7;
    const copy = new Uint8Array(bytes); // a copy, also for a Node Buffer
    copy[31] &= 0x7f;
    const y = mod(bytesToBigLE(copy));
    const u = mod(y * y - 1n);
    const v = mod(D * y * y + 1n);
    let x = mod(u * pow(v, 3n) * pow(u * pow(v, 7n), (P - 5n) / 8n));
    const vx2 = mod(v * x * x);
    if (vx2 !== u) {
      if (vx2 === mod(-u)) x = mod(x * SQRT_M1);
      else return null;
    }
    if (Number(x & 1n) !== sign) x = mod(-x);
    return [x, y, 1n, mod(x * y)];
  }

  function encodePoint(p) {
    const zi = inv(p[2]);
    const x = mod(p[0] * zi);
    let y = mod(p[1] * zi);
    const out = new Uint8Array(32);
    for (let i = 0; i < 32; i++) {
      out[i] = Number(y & 0xffn);
      y >>= 8n;
    }
    out[31] |= Number(x & 1n) << 7;
    return out;
  }

  function isIdentity(p) {
    return mod(p[0]) === 0n && mod(p[1] - p[2]) === 0n;
  }

  /// True if [8]P is the identity: such a key or R binds nothing.
  function isSmallOrder(p) {
    let q = p;
    for (let i = 0; i < 3; i++) q = add(q, q);
    return isIdentity(q);
  }

  // --- SHA-512 (FIPS 180-4) ---------------------------------------------------
  const K = [
    "428a2f98d728ae22", "7137449123ef65cd", "b5c0fbcfec4d3b2f", "e9b5dba58189dbbc", "3956c25bf348b538",
    "59f111f1b605d019", "923f82a4af194f9b", "ab1c5ed5da6d8118", "d807aa98a3030242", "12835b0145706fbe",
    "243185be4ee4b28c", "550c7dc3d5ffb4e2", "72be5d74f27b896f", "80deb1fe3b1696b1", "9bdc06a725c71235",
    "c19bf174cf692694", "e49b69c19ef14ad2", "efbe4786384f25e3", "0fc19dc68b8cd5b5", "240ca1cc77ac9c65",
    "2de92c6f592b0275", "4a7484aa6ea6e483", "5cb0a9dcbd41fbd4", "76f988da831153b5", "983e5152ee66dfab",
    "a831c66d2db43210", "b00327c898fb213f", "bf597fc7beef0ee4", "c6e00bf33da88fc2", "d5a79147930aa725",
    "06ca6351e003826f", "142929670a0e6e70", "27b70a8546d22ffc", "2e1b21385c26c926", "4d2c6dfc5ac42aed",
    "53380d139d95b3df", "650a73548baf63de", "766a0abb3c77b2a8", "81c2c92e47edaee6", "92722c851482353b",
    "a2bfe8a14cf10364", "a81a664bbc423001", "c24b8b70d0f89791", "c76c51a30654be30", "d192e819d6ef5218",
    "d69906245565a910", "f40e35855771202a", "106aa07032bbd1b8", "19a4c116b8d2d0c8", "1e376c085141ab53",
    "2748774cdf8eeb99", "34b0bcb5e19b48a8", "391c0cb3c5c95a63", "4ed8aa4ae3418acb", "5b9cca4f7763e373",
    "682e6ff3d6b2b8a3", "748f82ee5defb2fc", "78a5636f43172f60", "84c87814a1f0ab72", "8cc702081a6439ec",
    "90befffa23631e28", "a4506cebde82bde9", "bef9a3f7b2c67915", "c67178f2e372532b", "ca273eceea26619c",
    "d186b8c721c0c207", "eada7dd6cde0eb1e", "f57d4f7fee6ed178", "06f067aa72176fba", "0a637dc5a2c898a6",
    "113f9804bef90dae", "1b710b35131c471b", "28db77f523047d84", "32caab7b40c72493", "3c9ebe0a15c9bebc",
    "431d67c49c100d4c", "4cc5d4becb3e42b6", "597f299cfc657e2a", "5fcb6fab3ad6faec", "6c44198c4a475817",
  ].map((h) => BigInt("0x" + h));
  const MASK = (1n << 64n) - 1n;
  const rotr = (x, n) => ((x >> n) | (x << (64n - n))) & MASK;

  function sha512(message) {
    let h = [
      "6a09e667f3bcc908", "bb67ae8584caa73b", "3c6ef372fe94f82b", "a54ff53a5f1d36f1",
      "510e527fade682d1", "9b05688c2b3e6c1f", "1f83d9abfb41bd6b", "5be0cd19137e2179",
    ].map((x) => BigInt("0x" + x));
    const bitLength = BigInt(message.length) * 8n;
    const padded = new Uint8Array(Math.ceil((message.length + 17) / 128) * 128);
    padded.set(message);
    padded[message.length] = 0x80;
    for (let i = 0; i < 16; i++) {
      padded[padded.length - 1 - i] = Number((bitLength >> BigInt(8 * i)) & 0xffn);
    }
    const w = new Array(80);
    for (let block = 0; block < padded.length; block += 128) {
      for (let i = 0; i < 16; i++) {
        let word = 0n;
        for (let j = 0; j < 8; j++) word = (word << 8n) | BigInt(padded[block + 8 * i + j]);
        w[i] = word;
      }
      for (let i = 16; i < 80; i++) {
        const s0 = rotr(w[i - 15], 1n) ^ rotr(w[i - 15], 8n) ^ (w[i - 15] >> 7n);
        const s1 = rotr(w[i - 2], 19n) ^ rotr(w[i - 2], 61n) ^ (w[i - 2] >> 6n);
        w[i] = (w[i - 16] + s0 + w[i - 7] + s1) & MASK;
      }
      let [a, b, c, d, e, f, g, hh] = h;
      for (let i = 0; i < 80; i++) {
        const S1 = rotr(e, 14n) ^ rotr(e, 18n) ^ rotr(e, 41n);
        const ch = (e & f) ^ (~e & MASK & g);
        const t1 = (hh + S1 + ch + K[i] + w[i]) & MASK;
        const S0 = rotr(a, 28n) ^ rotr(a, 34n) ^ rotr(a, 39n);
        const maj = (a & b) ^ (a & c) ^ (b & c);
        const t2 = (S0 + maj) & MASK;
        hh = g;
        g = f;
        f = e;
        e = (d + t1) & MASK;
        d = c;
        c = b;
        b = a;
        a = (t1 + t2) & MASK;
      }
      h = h.map((x, i) => (x + [a, b, c, d, e, f, g, hh][i]) & MASK);
    }
    const out = new Uint8Array(64);
    h.forEach((word, i) => {
      for (let j = 0; j < 8; j++) out[8 * i + j] = Number((word >> BigInt(56 - 8 * j)) & 0xffn);
    });
    return out;
  }

  const BASE = (() => {
    const yBytes = new Uint8Array(32);
    let y = GY;
    for (let i = 0; i < 32; i++) {
      yBytes[i] = Number(y & 0xffn);
      y >>= 8n;
    }
    return decodePoint(yBytes); // x is even: the sign bit is 0
  })();

  /// S (the signature's second half) is below the group order L.
  function isCanonicalS(signature) {
    return bytesToBigLE(signature.subarray(32, 64)) < L;
  }

  /// Strict verification; false for any failure.
  function verify(publicKey, message, signature) {
    if (publicKey.length !== 32 || signature.length !== 64) return false;
    if (!isCanonicalS(signature)) return false;
    const a = decodePoint(publicKey);
    const r = decodePoint(signature.subarray(0, 32));
    if (a === null || r === null || isSmallOrder(a) || isSmallOrder(r)) return false;
    const s = bytesToBigLE(signature.subarray(32, 64));
    const hashed = new Uint8Array(64 + message.length);
    hashed.set(signature.subarray(0, 32), 0);
    hashed.set(publicKey, 32);
    hashed.set(message, 64);
    const k = mod(bytesToBigLE(sha512(hashed)), L);
    const negA = [mod(-a[0]), a[1], a[2], mod(-a[3])];
    const rCheck = add(multiply(BASE, s), multiply(negA, k));
    const encoded = encodePoint(rCheck);
    return encoded.every((byte, i) => byte === signature[i]);
  }

  return { verify, decodePoint, isSmallOrder, isCanonicalS, sha512 };
})();

if (typeof module !== "undefined") module.exports = PiagamEd25519;
