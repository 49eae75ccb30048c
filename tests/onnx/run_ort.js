// run_ort.js — runs an ONNX model in ONNX Runtime (npm onnxruntime-node) and
// compares its output with the one ember computed. Test-only.
//   node run_ort.js MODEL.onnx INPUT.idx EXPECTED.idx
// The .idx files are IDX (big-endian, float32, written by torch.io.write_idx).
// Prints one JSON line {shape, max_abs_diff}; exits 1 when ORT fails.
const fs = require('fs');
const ort = require('onnxruntime-node');

function readIdx(path) {
  const buf = fs.readFileSync(path);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (view.getUint16(0) !== 0 || view.getUint8(2) !== 0x0d) throw new Error(path + ': not a float32 IDX file');
  const ndim = view.getUint8(3);
  const dims = [];
  for (let i = 0; i < ndim; i++) dims.push(view.getUint32(4 + 4 * i));
  const n = dims.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  const start = 4 + 4 * ndim;
  for (let i = 0; i < n; i++) data[i] = view.getFloat32(start + 4 * i);
  return {dims, data};
}

(async () => {
  const [model, inputPath, expectedPath] = process.argv.slice(2);
  const x = readIdx(inputPath), want = readIdx(expectedPath);
  const session = await ort.InferenceSession.create(model);
  const feeds = {[session.inputNames[0]]: new ort.Tensor('float32', x.data, x.dims)};
  const out = (await session.run(feeds))[session.outputNames[0]];
  const same = out.dims.length === want.dims.length && out.dims.every((d, i) => Number(d) === want.dims[i]);
  let diff = same ? 0 : Infinity;
  if (same) for (let i = 0; i < want.data.length; i++) diff = Math.max(diff, Math.abs(out.data[i] - want.data[i]));
  console.log(JSON.stringify({shape: out.dims.map(Number), max_abs_diff: diff}));
})().catch((e) => { console.error('onnxruntime: ' + e.message); process.exit(1); });
