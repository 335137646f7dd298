// Build the verifier page into one self-contained HTML file (script, style and the QR decoder's
// WebAssembly inlined), so that the page works as a saved copy and the service worker has one
// file to keep; plus the service worker and a small build record for the server.
//
//   node build.mjs [OUT_DIR]        (default: dist/)
//
// Configuration, from the environment at build time:
//   DTE_VERIFIER_ROOT_KEYS   registry root key(s) to pin (z6Mk…, comma or space separated).
//                            Unset: the page pins the key of the server it is loaded from on
//                            first use and warns about it (see docs/verifier-page.md).
//   DTE_VERIFIER_WARN_DAYS   warn when the trust bundle is older than this (default 3, max 7).
//
// The output depends only on the sources, the locked dependencies and that configuration, so
// rebuilding gives the same bytes (tests/web/test_page_build.py checks it).

import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const out = resolve(process.argv[2] ?? join(here, 'dist'));

const rootKeys = (process.env.DTE_VERIFIER_ROOT_KEYS ?? '').split(/[\s,]+/).filter(Boolean);
for (const key of rootKeys) {
  if (!/^z6Mk[1-9A-HJ-NP-Za-km-z]{44}$/.test(key)) throw new Error(`DTE_VERIFIER_ROOT_KEYS: ${key} is not an Ed25519 Multikey`);
}
const warnDays = Number(process.env.DTE_VERIFIER_WARN_DAYS ?? 3);
if (!(warnDays >= 1 && warnDays <= 7)) throw new Error('DTE_VERIFIER_WARN_DAYS must be 1 to 7');

const pkg = JSON.parse(await readFile(join(here, 'package.json'), 'utf8'));
const lock = JSON.parse(await readFile(join(here, 'package-lock.json'), 'utf8'));
const sha256 = (text) => createHash('sha256').update(text).digest();

const bundled = await esbuild.build({
  entryPoints: [join(here, 'src/main.js')],
  bundle: true,
  write: false,
  format: 'esm',
  target: 'es2022',
  minify: true,
  charset: 'utf8',
  legalComments: 'none',
  loader: { '.wasm': 'binary' },
  define: { __DTE_CONFIG__: JSON.stringify({ rootKeys, warnDays, version: pkg.version }) },
  logLevel: 'warning',
});
let script = bundled.outputFiles[0].text;

// The licences of what is inlined travel with the page, which is copied as one file.
const notices = [];
for (const name of Object.keys(pkg.dependencies)) {
  const dir = join(here, 'node_modules', name);
  const meta = lock.packages[`node_modules/${name}`];
  const license = await readFile(join(dir, 'LICENSE'), 'utf8').catch(() => readFile(join(dir, 'LICENSE.md'), 'utf8'));
  notices.push(`${name} ${meta.version} (${meta.license})\n\n${license.trim()}`);
}
script += `\n/*! Third-party code in this page:\n\n${notices.join('\n\n----\n\n').replaceAll('*/', '* /')}\n*/\n`;

for (const bad of ['</script', '<!--']) {
  if (script.toLowerCase().includes(bad)) throw new Error(`the bundled script contains ${bad}, which would end the inline script`);
}
const style = (await readFile(join(here, 'src/style.css'), 'utf8')).trim();
const hash = (text) => `'sha256-${sha256(text).toString('base64')}'`;
const csp = [
  "default-src 'none'",
  `script-src ${hash(script)} 'wasm-unsafe-eval'`,
  `style-src ${hash(style)}`,
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "connect-src 'self'",
  "worker-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');
const template = await readFile(join(here, 'src/index.html'), 'utf8');
const html = template
  .replace('__CSP__', () => csp)
  .replace('__STYLE__', () => style)
  .replace('__SCRIPT__', () => script);
const buildId = sha256(html).toString('hex').slice(0, 16);
const worker = (await readFile(join(here, 'src/sw.js'), 'utf8')).replace('__BUILD_ID__', buildId);

await mkdir(out, { recursive: true });
await writeFile(join(out, 'index.html'), html);
await writeFile(join(out, 'sw.js'), worker);
await writeFile(
  join(out, 'build.json'),
  JSON.stringify({ version: pkg.version, buildId, pinnedRootKeys: rootKeys, warnDays, bytes: Buffer.byteLength(html) }, null, 2) + '\n',
);
console.log(`built ${out}/index.html (${Math.round(Buffer.byteLength(html) / 1024)} KiB, build ${buildId})`);
