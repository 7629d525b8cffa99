// Strict, deterministic CBOR (RFC 8949 §4.2), as docs/FORMAT.md asks: the
// same refusals as src/cbor.rs. Values: numbers (BigInt beyond 2^53),
// Uint8Array, string, Array, CborMap (entries in order), CborTag.
"use strict";

const PiagamCbor = (() => {
  const MAX_DEPTH = 8;

  class CborError extends Error {}

  class CborMap {
    constructor(entries) {
      this.entries = entries; // [[key, value], ...] in encoded order
    }
    get(key) {
      const hit = this.entries.find(([k]) => k === key);
      return hit === undefined ? undefined : hit[1];
    }
  }

  class CborTag {
    constructor(tag, value) {
      this.tag = tag;
      this.value = value;
    }
  }

  const utf8 = new TextDecoder("utf-8", { fatal: true });

  function compareBytes(a, b) {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) {
      if (a[i] !== b[i]) return a[i] - b[i];
    }
    return a.length - b.length;
  }

  function decode(bytes) {
    let pos = 0;
    const take = (n) => {
      if (n > bytes.length - pos) throw new CborError("the data ends in the middle of an item");
      const out = bytes.subarray(pos, pos + n);
      pos += n;
      return out;
    };
    const head = () => {
      const initial = take(1)[0];
      const major = initial >> 5;
      const info = initial & 31;
      if (major === 7) throw new CborError("unsupported CBOR item (floats and simple values)");
      if (info < 24) return [major, BigInt(info)];
      if (info === 31) throw new CborError("indefinite-length items are not allowed");
      if (info > 27) throw new CborError("unsupported CBOR item");
      const size = 1 << (info - 24);
      let n = 0n;
      for (const b of take(size)) n = (n << 8n) | BigInt(b);
      const least = size === 1 ? 24n : 1n << BigInt(4 * size);
      if (n < least) throw new CborError("a length or number is not in shortest form");
      return [major, n];
    };
    const length = (n) => {
      if (n > BigInt(bytes.length - pos)) throw new CborError("the data ends in the middle of an item");
      return Number(n);
    };
    const item = (depth) => {
      if (depth > MAX_DEPTH) throw new CborError("items are nested too deeply");
      const [major, n] = head();
      switch (major) {
        case 0:
          return n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
        case 1: {
          const v = -1n - n;
          return v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v;
        }
        case 2:
          return new Uint8Array(take(length(n))); // a copy
        case 3:
          try {
            return utf8.decode(take(length(n)));
          } catch (e) {
            throw new CborError("a text string is not valid UTF-8");
          }
        case 4: {
          const count = length(n);
          const items = [];
          for (let i = 0; i < count; i++) items.push(item(depth + 1));
          return items;
        }
        case 5: {
          const count = length(n * 2n) / 2;
          const entries = [];
          let previous = null;
          for (let i = 0; i < count; i++) {
            const start = pos;
            const key = item(depth + 1);
            const raw = bytes.subarray(start, pos);
            if (previous !== null) {
              const order = compareBytes(previous, raw);
              if (order === 0) throw new CborError("a map key appears twice");
              if (order > 0) throw new CborError("map keys are not in deterministic order");
            }
            previous = raw;
            entries.push([key, item(depth + 1)]);
          }
          return new CborMap(entries);
        }
        case 6:
          return new CborTag(n, item(depth + 1));
        default:
          throw new CborError("unsupported CBOR item");
      }
    };
    const value = item(0);
    if (pos !== bytes.length) {
      throw new CborError(`${bytes.length - pos} unexpected byte(s) after the item`);
    }
    return value;
  }

  /// A byte string's CBOR head and content, for the Sig_structure.
  function encodeBytes(b) {
    const n = b.length;
    let headBytes;
    if (n < 24) headBytes = [0x40 | n];
    else if (n < 256) headBytes = [0x58, n];
    else if (n < 65536) headBytes = [0x59, n >> 8, n & 0xff];
    else headBytes = [0x5a, (n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
    const out = new Uint8Array(headBytes.length + n);
    out.set(headBytes, 0);
    out.set(b, headBytes.length);
    return out;
  }

  return { decode, encodeBytes, CborError, CborMap, CborTag };
})();

if (typeof module !== "undefined") module.exports = PiagamCbor;
