// Generic GGUF v3 file writer: typed metadata, f32/f16/q8_0 tensors, 32-byte alignment, atomic temp-file write.
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const GGUF_MAGIC = 0x46554747; // "GGUF" read as a little-endian u32
const GGUF_VERSION = 3;
/** Alignment of the tensor data section and of every tensor in it (GGUF's default, `general.alignment`). */
export const GGUF_ALIGNMENT = 32;
/** llama.cpp's GGML_MAX_NAME is 64 bytes including the terminating NUL. */
const MAX_TENSOR_NAME_BYTES = 63;
const MAX_TENSOR_DIMS = 4;
const Q8_0_BLOCK = 32;
const Q8_0_BLOCK_BYTES = 2 + Q8_0_BLOCK; // f16 scale + 32 int8

/** Scalar metadata value types and the JS values they hold. */
interface GgufScalarValues {
  u8: number;
  i8: number;
  u16: number;
  i16: number;
  u32: number;
  i32: number;
  f32: number;
  bool: boolean;
  string: string;
  u64: number | bigint;
  i64: number | bigint;
  f64: number;
}
export type GgufScalarType = keyof GgufScalarValues;

const VALUE_TYPE_CODE = {
  u8: 0,
  i8: 1,
  u16: 2,
  i16: 3,
  u32: 4,
  i32: 5,
  f32: 6,
  bool: 7,
  string: 8,
  u64: 10,
  i64: 11,
  f64: 12,
} as const satisfies Record<GgufScalarType, number>;
const ARRAY_TYPE_CODE = 9;

/** One scalar metadata value, e.g. `{type: "u32", value: 4}`. */
export type GgufScalarValue = {
  [K in GgufScalarType]: { type: K; value: GgufScalarValues[K] };
}[GgufScalarType];
/** A homogeneous array metadata value, e.g. `{type: "array", itemType: "string", value: ["a", "b"]}`. */
export type GgufArrayValue = {
  [K in GgufScalarType]: { type: "array"; itemType: K; value: readonly GgufScalarValues[K][] };
}[GgufScalarType];
export type GgufMetadataValue = GgufScalarValue | GgufArrayValue;
/** One metadata key/value pair; entries are written in the order given. */
export type GgufMetadataEntry = { key: string } & GgufMetadataValue;

export type GgmlTensorType = "f32" | "f16" | "q8_0";
const GGML_TYPE_CODE = { f32: 0, f16: 1, q8_0: 8 } as const satisfies Record<GgmlTensorType, number>;

export interface GgufTensorSpec {
  name: string;
  /** Dimensions in ggml order: shape[0] is the fastest-varying (row length). */
  shape: readonly number[];
  type: GgmlTensorType;
  /** Writes the tensor's values (row-major in ggml order) into a zeroed array of shape's element count. */
  fill(data: Float32Array): void;
}

/** The temp file a write goes to before it is renamed to `target`: hidden, next to it, unique per write. */
function tempFileNameFor(target: string): string {
  return `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
}

/** Whether a file name is one of this writer's temp files (left behind when its process was killed). */
export function isGgufTempFileName(name: string): boolean {
  return /^\..+\.\d+\.[0-9a-f]{8}\.tmp$/.test(name);
}

export interface GgufWriteResult {
  /** Size of the written file in bytes. */
  bytes: number;
  /** Hex SHA-256 of the written file. */
  sha256: string;
}

export function tensorElementCount(shape: readonly number[]): number {
  return shape.reduce((acc, dim) => acc * dim, 1);
}

export function tensorByteSize(type: GgmlTensorType, shape: readonly number[]): number {
  const elements = tensorElementCount(shape);
  switch (type) {
    case "f32":
      return elements * 4;
    case "f16":
      return elements * 2;
    case "q8_0":
      if (shape[0] % Q8_0_BLOCK !== 0) throw new Error(`q8_0 needs shape[0] % ${Q8_0_BLOCK} == 0`);
      return (elements / Q8_0_BLOCK) * Q8_0_BLOCK_BYTES;
  }
}

const alignUp = (n: number): number => Math.ceil(n / GGUF_ALIGNMENT) * GGUF_ALIGNMENT;

// ------------------------------------------------------------------ number encoding

const f32Scratch = new Float32Array(1);
const u32Scratch = new Uint32Array(f32Scratch.buffer);

/** IEEE half-precision bits of a float (round half up on the dropped mantissa bits, as the verified recipe). */
export function f32ToF16(value: number): number {
  f32Scratch[0] = value;
  const bits = u32Scratch[0];
  const sign = (bits >>> 16) & 0x8000;
  const rawExp = (bits >>> 23) & 0xff;
  const exp = rawExp - 127 + 15;
  let mant = bits & 0x7fffff;
  if (rawExp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0); // inf / nan
  if (exp <= 0) {
    if (exp < -10) return sign; // underflows to ±0
    mant |= 0x800000;
    const shift = 14 - exp;
    let half = mant >>> shift;
    if ((mant >>> (shift - 1)) & 1) half++;
    return sign | half; // subnormal
  }
  if (exp >= 31) return sign | 0x7c00; // overflows to ±inf
  let half = sign | (exp << 10) | (mant >>> 13);
  if (mant & 0x1000) half++; // a carry into the exponent is the correct rounding
  return half;
}

const littleEndianHost = os.endianness() === "LE";

function encodeTensor(type: GgmlTensorType, data: Float32Array): Buffer {
  switch (type) {
    case "f32": {
      if (littleEndianHost) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
      const out = Buffer.allocUnsafe(data.length * 4);
      for (let i = 0; i < data.length; i++) out.writeFloatLE(data[i], i * 4);
      return out;
    }
    case "f16": {
      const out = Buffer.allocUnsafe(data.length * 2);
      for (let i = 0; i < data.length; i++) {
        const half = f32ToF16(data[i]);
        out[i * 2] = half & 0xff;
        out[i * 2 + 1] = half >>> 8;
      }
      return out;
    }
    case "q8_0": {
      const blocks = data.length / Q8_0_BLOCK;
      const out = Buffer.allocUnsafe(blocks * Q8_0_BLOCK_BYTES);
      for (let b = 0; b < blocks; b++) {
        const start = b * Q8_0_BLOCK;
        let absMax = 0;
        for (let j = 0; j < Q8_0_BLOCK; j++) absMax = Math.max(absMax, Math.abs(data[start + j]));
        const scale = absMax / 127;
        const inverse = scale ? 1 / scale : 0;
        const at = b * Q8_0_BLOCK_BYTES;
        const half = f32ToF16(scale);
        out[at] = half & 0xff;
        out[at + 1] = half >>> 8;
        for (let j = 0; j < Q8_0_BLOCK; j++) {
          const q = Math.max(-127, Math.min(127, Math.round(data[start + j] * inverse)));
          out[at + 2 + j] = q & 0xff; // two's complement int8
        }
      }
      return out;
    }
  }
}

// ------------------------------------------------------------------ header serialization

class HeaderWriter {
  private readonly chunks: Buffer[] = [];
  length = 0;

  private push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.length += chunk.length;
  }

  private fixed(size: number, write: (b: Buffer) => void): void {
    const b = Buffer.alloc(size);
    write(b);
    this.push(b);
  }

  u32(v: number): void {
    this.fixed(4, (b) => b.writeUInt32LE(v));
  }

  u64(v: number | bigint): void {
    this.fixed(8, (b) => b.writeBigUInt64LE(BigInt(v)));
  }

  string(s: string): void {
    const bytes = Buffer.from(s, "utf8");
    this.u64(bytes.length);
    this.push(bytes);
  }

  scalar(value: GgufScalarValue): void {
    switch (value.type) {
      case "u8":
        this.fixed(1, (b) => b.writeUInt8(value.value));
        break;
      case "i8":
        this.fixed(1, (b) => b.writeInt8(value.value));
        break;
      case "u16":
        this.fixed(2, (b) => b.writeUInt16LE(value.value));
        break;
      case "i16":
        this.fixed(2, (b) => b.writeInt16LE(value.value));
        break;
      case "u32":
        this.u32(value.value);
        break;
      case "i32":
        this.fixed(4, (b) => b.writeInt32LE(value.value));
        break;
      case "f32":
        this.fixed(4, (b) => b.writeFloatLE(value.value));
        break;
      case "bool":
        this.fixed(1, (b) => b.writeUInt8(value.value ? 1 : 0));
        break;
      case "string":
        this.string(value.value);
        break;
      case "u64":
        this.u64(value.value);
        break;
      case "i64":
        this.fixed(8, (b) => b.writeBigInt64LE(BigInt(value.value)));
        break;
      case "f64":
        this.fixed(8, (b) => b.writeDoubleLE(value.value));
        break;
    }
  }

  entry(entry: GgufMetadataEntry): void {
    this.string(entry.key);
    if (entry.type === "array") {
      this.u32(ARRAY_TYPE_CODE);
      this.u32(VALUE_TYPE_CODE[entry.itemType]);
      this.u64(entry.value.length);
      for (const item of entry.value) this.scalar({ type: entry.itemType, value: item } as GgufScalarValue);
    } else {
      this.u32(VALUE_TYPE_CODE[entry.type]);
      this.scalar(entry);
    }
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.chunks, this.length);
  }
}

function validateTensors(tensors: readonly GgufTensorSpec[]): void {
  const names = new Set<string>();
  for (const t of tensors) {
    if (names.has(t.name)) throw new Error(`duplicate tensor name ${t.name}`);
    names.add(t.name);
    if (Buffer.byteLength(t.name, "utf8") > MAX_TENSOR_NAME_BYTES)
      throw new Error(`tensor name too long: ${t.name}`);
    if (t.shape.length < 1 || t.shape.length > MAX_TENSOR_DIMS)
      throw new Error(`tensor ${t.name}: 1..4 dims`);
    for (const dim of t.shape) {
      if (!Number.isSafeInteger(dim) || dim < 1) throw new Error(`tensor ${t.name}: bad dimension ${dim}`);
    }
    tensorByteSize(t.type, t.shape); // throws on a shape the type cannot encode
  }
}

/**
 * Creates `dir` and its missing ancestors one level at a time. (Node 20's `mkdirSync(dir, {recursive: true})` spins
 * forever when mkdir answers ENOENT under an existing parent, e.g. below /proc.)
 */
function makeDirectories(dir: string): void {
  const missing: string[] = [];
  for (let current = dir; !fs.existsSync(current); current = path.dirname(current)) {
    missing.push(current);
    if (path.dirname(current) === current) break;
  }
  for (const folder of missing.reverse()) {
    try {
      fs.mkdirSync(folder);
    } catch (error) {
      if (!(error instanceof Error && "code" in error && error.code === "EEXIST")) throw error;
    }
  }
}

function writeFully(fd: number, chunk: Uint8Array): void {
  let written = 0;
  while (written < chunk.length) written += fs.writeSync(fd, chunk, written, chunk.length - written);
}

/**
 * Writes a GGUF v3 file: header (metadata in the given order, tensor infos), padding, then each tensor's data
 * (filled one at a time, so memory stays at one tensor) padded to the alignment. The file is written to a temp
 * file in the same folder and renamed over `outPath`, so readers never see a half-written file.
 */
export function writeGguf(
  outPath: string,
  metadata: readonly GgufMetadataEntry[],
  tensors: readonly GgufTensorSpec[],
): GgufWriteResult {
  validateTensors(tensors);
  const header = new HeaderWriter();
  header.u32(GGUF_MAGIC);
  header.u32(GGUF_VERSION);
  header.u64(tensors.length);
  header.u64(metadata.length);
  for (const entry of metadata) header.entry(entry);
  let dataOffset = 0;
  for (const t of tensors) {
    header.string(t.name);
    header.u32(t.shape.length);
    for (const dim of t.shape) header.u64(dim);
    header.u32(GGML_TYPE_CODE[t.type]);
    header.u64(dataOffset);
    dataOffset += alignUp(tensorByteSize(t.type, t.shape));
  }
  const headerBytes = header.toBuffer();
  const headerPadded = alignUp(headerBytes.length);

  const target = path.resolve(outPath);
  const dir = path.dirname(target);
  makeDirectories(dir);
  const tempPath = path.join(dir, tempFileNameFor(target));
  const hash = createHash("sha256");
  const write = (fd: number, chunk: Uint8Array): void => {
    writeFully(fd, chunk);
    hash.update(chunk);
  };

  const fd = fs.openSync(tempPath, "wx");
  try {
    try {
      write(fd, headerBytes);
      write(fd, Buffer.alloc(headerPadded - headerBytes.length));
      for (const t of tensors) {
        const data = new Float32Array(tensorElementCount(t.shape));
        t.fill(data);
        const encoded = encodeTensor(t.type, data);
        write(fd, encoded);
        const padding = alignUp(encoded.length) - encoded.length;
        if (padding) write(fd, Buffer.alloc(padding));
      }
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tempPath, target);
  } catch (error) {
    fs.rmSync(tempPath, { force: true });
    throw error;
  }
  return { bytes: headerPadded + dataOffset, sha256: hash.digest("hex") };
}
