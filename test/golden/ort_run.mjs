// ort_run.mjs - Run one ONNX model under onnxruntime (CPU) on raw inputs.
//
// TEST-ONLY: makes reference outputs for Tempo's end-to-end tests; tempoc
// never depends on it. ort_golden.py drives it; it can also run alone:
//
//   node test/golden/ort_run.mjs SPEC.json
//
// SPEC.json:
//   { "model": "model.onnx",
//     "inputs":  [ { "name": "x", "type": "float32", "dims": [1, 3, 128],
//                    "file": "x.bin" } ],
//     "outdir": "DIR" }
// Each input file holds the tensor's raw little-endian bytes. Types are
// onnxruntime's names: float32 float64 float16 int8 uint8 int16 uint16 int32
// uint32 int64 uint64 bool. Writes DIR/output_<i>.bin (raw little-endian
// bytes, in the model's output order) and DIR/outputs.json listing each
// output's name, type, dims and file. Exit code 0 on success.

import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import ort from "onnxruntime-node";

const TYPED_ARRAYS = {
  float32: Float32Array,
  float64: Float64Array,
  float16: Uint16Array, // raw IEEE half bits
  int8: Int8Array,
  uint8: Uint8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
  int64: BigInt64Array,
  uint64: BigUint64Array,
  bool: Uint8Array,
};

function fail(message) {
  process.stderr.write(`ort_run: ${message}\n`);
  process.exit(1);
}

function toTensor(input) {
  const Typed = TYPED_ARRAYS[input.type];
  if (!Typed) fail(`input '${input.name}': unsupported type '${input.type}'`);
  const bytes = readFileSync(input.file);
  const count = input.dims.reduce((a, b) => a * b, 1);
  if (bytes.length !== count * Typed.BYTES_PER_ELEMENT)
    fail(`input '${input.name}': '${input.file}' holds ${bytes.length} bytes, ` +
         `expected ${count * Typed.BYTES_PER_ELEMENT}`);
  // Copy into a fresh, aligned buffer (a Buffer may sit at any offset).
  const data = new Typed(count);
  new Uint8Array(data.buffer).set(bytes);
  return new ort.Tensor(input.type, data, input.dims);
}

async function main() {
  if (process.argv.length !== 3) fail("usage: node ort_run.mjs SPEC.json");
  const spec = JSON.parse(readFileSync(process.argv[2], "utf8"));
  const session = await ort.InferenceSession.create(spec.model, {
    executionProviders: ["cpu"],
    // The reference is the graph as written: no fusions, no reordering.
    graphOptimizationLevel: "disabled",
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
  });
  const feeds = {};
  for (const input of spec.inputs) {
    if (!session.inputNames.includes(input.name))
      fail(`the model has no input '${input.name}' (inputs: ${session.inputNames.join(", ")})`);
    feeds[input.name] = toTensor(input);
  }
  const results = await session.run(feeds);
  const manifest = [];
  session.outputNames.forEach((name, i) => {
    const t = results[name];
    if (!TYPED_ARRAYS[t.type]) fail(`output '${name}': unsupported type '${t.type}'`);
    const file = join(spec.outdir, `output_${i}.bin`);
    const d = t.data;
    writeFileSync(file, new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
    manifest.push({ name, type: t.type, dims: Array.from(t.dims), file });
  });
  writeFileSync(join(spec.outdir, "outputs.json"), JSON.stringify(manifest, null, 2) + "\n");
  await session.release();
}

main().catch((e) => fail(e && e.message ? e.message : String(e)));
