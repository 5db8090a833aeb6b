// SPDX-License-Identifier: GPL-3.0-or-later
//
// Computes face descriptors with @vladmandic/face-api's own code on
// TensorFlow.js's pure-JavaScript CPU backend: the reference the engine's
// port of the network is checked against (tests/identity/test-identity-port.c).
//
//   node face-api-descriptors.js FACE_API_DIR NODE_MODULES CHIPS.rgb N OUT.json
//
// FACE_API_DIR: the unpacked npm package (dist/, model/); NODE_MODULES: a
// node_modules folder with @tensorflow/tfjs (installed from the lock file in
// tests/identity/node); CHIPS.rgb: N aligned 150x150 face chips, raw 8-bit
// RGB one after the other. OUT.json gets an array of N arrays of 128 numbers.
'use strict';

const fs = require('fs');
const path = require('path');
const Module = require('module');

const CHIP = 150;

async function main() {
  const [faceApiDir, nodeModules, chipsPath, nString, outPath] = process.argv.slice(2);
  if (!outPath) {
    console.error('usage: node face-api-descriptors.js FACE_API_DIR NODE_MODULES CHIPS.rgb N OUT.json');
    process.exit(2);
  }
  const n = parseInt(nString, 10);

  // face-api's node-wasm build requires @tensorflow/tfjs and
  // @tensorflow/tfjs-backend-wasm by name. Give it the pinned tfjs from
  // NODE_MODULES and an empty wasm module: the CPU backend (pure
  // JavaScript, part of @tensorflow/tfjs) runs everything.
  const requireTfjs = Module.createRequire(path.join(path.resolve(nodeModules), 'index.js'));
  const tf = requireTfjs('@tensorflow/tfjs');
  const load = Module._load;
  Module._load = function (request, ...rest) {
    if (request === '@tensorflow/tfjs') return tf;
    if (request === '@tensorflow/tfjs-backend-wasm') return {};
    return load.call(this, request, ...rest);
  };
  const faceapi = require(path.join(path.resolve(faceApiDir), 'dist', 'face-api.node-wasm.js'));

  if (!(await tf.setBackend('cpu'))) throw new Error('the TensorFlow.js CPU backend is not available');
  await tf.ready();

  await faceapi.nets.faceRecognitionNet.loadFromDisk(path.join(faceApiDir, 'model'));

  const bytes = fs.readFileSync(chipsPath);
  if (bytes.length !== n * CHIP * CHIP * 3) throw new Error(`${chipsPath}: expected ${n} chips of ${CHIP}x${CHIP} RGB`);

  const out = [];
  for (let i = 0; i < n; i++) {
    const pixels = new Int32Array(bytes.subarray(i * CHIP * CHIP * 3, (i + 1) * CHIP * CHIP * 3));
    const input = tf.tensor3d(pixels, [CHIP, CHIP, 3], 'int32');
    const descriptor = await faceapi.nets.faceRecognitionNet.computeFaceDescriptor(input);
    input.dispose();
    out.push(Array.from(descriptor));
  }
  fs.writeFileSync(outPath, JSON.stringify({
    backend: tf.getBackend(),
    tfjs: tf.version.tfjs,
    faceapi: faceapi.version,
    descriptors: out,
  }));
}

main().catch((e) => {
  console.error(e && e.stack ? e.stack : String(e));
  process.exit(1);
});
