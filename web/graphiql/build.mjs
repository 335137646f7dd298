// Build GraphiQL for /graphql from the locked npm packages: a script and a style sheet named by
// their content's hash (served for a year, immutable) and the page that loads them from this
// origin only. No CDN: the page works on an intranet and offline.
//
//   node build.mjs [OUT_DIR]        (default: dist/)
//
// The output depends only on the sources and the locked dependencies (rebuilding gives the same
// bytes).

import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const out = resolve(process.argv[2] ?? join(here, 'dist'));
const pkg = JSON.parse(await readFile(join(here, 'package.json'), 'utf8'));
const lock = JSON.parse(await readFile(join(here, 'package-lock.json'), 'utf8'));
const digest = (bytes) => createHash('sha256').update(bytes).digest('hex').slice(0, 16);

const built = await esbuild.build({
  entryPoints: [join(here, 'src/main.jsx')],
  bundle: true,
  write: false,
  outdir: 'out',
  format: 'esm',
  target: 'es2020',
  minify: true,
  charset: 'utf8',
  legalComments: 'none',
  // Fonts and images the style sheet names are inlined, so it loads nothing else.
  loader: { '.woff': 'dataurl', '.woff2': 'dataurl', '.ttf': 'dataurl', '.svg': 'dataurl', '.png': 'dataurl' },
  define: { 'process.env.NODE_ENV': '"production"' },
  logLevel: 'warning',
});
const script = built.outputFiles.find((f) => f.path.endsWith('.js')).text;
const style = built.outputFiles.find((f) => f.path.endsWith('.css')).text;
for (const bad of [/@import/i, /url\(\s*["']?(https?:)?\/\//i]) {
  if (bad.test(style)) throw new Error(`the style sheet loads from another host: ${bad}`);
}

// The licences of the bundled packages travel with the script.
const notices = [];
for (const [path, meta] of Object.entries(lock.packages)) {
  if (!path.startsWith('node_modules/') || meta.dev) continue;
  notices.push(`${path.slice('node_modules/'.length)} ${meta.version} (${meta.license ?? 'see package'})`);
}
const licensed = `${script}\n/*! Bundled packages (their licences: each package's LICENSE file on npm):\n${notices.sort().join('\n').replaceAll('*/', '* /')}\n*/\n`;

const scriptName = `graphiql-${digest(licensed)}.js`;
const styleName = `graphiql-${digest(style)}.css`;
const template = await readFile(join(here, 'src/index.html'), 'utf8');
const html = template.replace('__STYLE__', () => styleName).replace('__SCRIPT__', () => scriptName);

await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });
await writeFile(join(out, scriptName), licensed);
await writeFile(join(out, styleName), style);
await writeFile(join(out, 'index.html'), html);
await writeFile(
  join(out, 'build.json'),
  JSON.stringify({ version: pkg.version, graphiql: lock.packages['node_modules/graphiql'].version, script: scriptName, style: styleName }, null, 2) + '\n',
);
console.log(`built ${out}/index.html (${Math.round(Buffer.byteLength(licensed) / 1024)} KiB of script)`);
