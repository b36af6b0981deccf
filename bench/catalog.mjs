// The catalog at a shop's size: a generated Google Merchant Center XML feed of 100,000 products (Japanese and English
// names, categories, seasons as keywords, a JAN code each), served on a loopback port and imported by a hub process
// through "sync now"; then the catalog search, asked many times with varied words, one request at a time.
// Prints the import's time and how much the hub's resident memory grew while it ran (sampled every 100 ms), a
// second sync of the same feed (every item unchanged), and each query's p50/p95 beside the aim (100 ms p95). The
// figures are measured, never asserted: two shared cores are noisy.
//
//   npm run bench:catalog                       PostgreSQL (a fresh database tsunagi_bench_catalog), then embedded
//   BENCH_DATABASES=postgres|embedded           one of them only
//   BENCH_PRODUCTS=100000                       the feed's size
//   BENCH_SAMPLES=100                           requests per query
//   BENCH_DATABASE_URL=postgresql://...         the server to use (default: postgres on 127.0.0.1:5432)
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { percentile } from './stats.mjs';

const PRODUCTS = Number(process.env.BENCH_PRODUCTS ?? 100_000);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 100);
const DATABASES = (process.env.BENCH_DATABASES ?? 'postgres,embedded').split(',').map((d) => d.trim());
const SERVER_URL = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const DATABASE = 'tsunagi_bench_catalog';
const ADMIN = { email: 'bench@example.com', password: 'bench catalog password' };
const SECRET_KEY = 'c'.repeat(64);
const AIM_MS = 100;
const AIM_MEMORY_MB = 300;

// What the generated shop sells: each noun with its half-width katakana form, which shoppers' phones often type.
const NOUNS = [
  ['ワンピース', 'ﾜﾝﾋﾟｰｽ', 'レディース'],
  ['シャツ', 'ｼｬﾂ', 'メンズ'],
  ['スカート', 'ｽｶｰﾄ', 'レディース'],
  ['ジャケット', 'ｼﾞｬｹｯﾄ', 'メンズ'],
  ['トートバッグ', 'ﾄｰﾄﾊﾞｯｸﾞ', 'バッグ'],
  ['スニーカー', 'ｽﾆｰｶｰ', 'シューズ'],
  ['マグカップ', 'ﾏｸﾞｶｯﾌﾟ', '雑貨'],
  ['ストール', 'ｽﾄｰﾙ', 'アクセサリー'],
  ['カーディガン', 'ｶｰﾃﾞｨｶﾞﾝ', 'レディース'],
  ['パーカー', 'ﾊﾟｰｶｰ', 'メンズ'],
];
const MATERIALS = [['リネン', 'linen'], ['コットン', 'cotton'], ['ウール', 'wool'], ['シルク', 'silk'], ['デニム', 'denim'], ['レザー', 'leather']];
const COLORS = ['ネイビー', 'ホワイト', 'ブラック', 'ベージュ', 'グレー', 'カーキ', 'レッド', 'ブルー'];
const SIZES = ['XS', 'S', 'M', 'L', 'XL'];
const SEASONS = ['春物', '夏物', '秋物', '冬物'];

/** The product at `index`, the same every run. */
function product(index) {
  const [noun, , top] = NOUNS[index % NOUNS.length];
  const [material, latin] = MATERIALS[Math.floor(index / NOUNS.length) % MATERIALS.length];
  const color = COLORS[Math.floor(index / 60) % COLORS.length];
  const size = SIZES[index % SIZES.length];
  const group = Math.floor(index / SIZES.length);
  return {
    id: `P${String(index).padStart(6, '0')}`,
    group: `G${group}`,
    title: `${material} ${noun} ${color} ${size}`,
    english: `${latin} ${['shirt', 'dress', 'bag', 'sneaker', 'mug'][index % 5]} ${group}`,
    category: `${top} > ${noun}`,
    season: SEASONS[index % SEASONS.length],
    gtin: jan(index),
    price: 1000 + (index % 200) * 100,
    availability: index % 11 === 0 ? 'out of stock' : 'in stock',
    color,
    size,
  };
}

/** A JAN (EAN-13) code with the 49 prefix and its check digit. */
function jan(index) {
  const body = `49${String(1_000_000_000 + index).slice(-10)}`;
  const sum = [...body].reduce((total, digit, i) => total + Number(digit) * (i % 2 ? 3 : 1), 0);
  return body + String((10 - (sum % 10)) % 10);
}

function itemXml(p) {
  return `<item><g:id>${p.id}</g:id><g:title>${p.title}</g:title><g:description>${p.english}</g:description><g:link>https://shop.example.jp/products/${p.id}</g:link><g:image_link>https://shop.example.jp/images/${p.id}.jpg</g:image_link><g:availability>${p.availability}</g:availability><g:price>${p.price} JPY</g:price><g:gtin>${p.gtin}</g:gtin><g:brand>SAKURA</g:brand><g:product_type>${p.category.replace('>', '&gt;')}</g:product_type><g:item_group_id>${p.group}</g:item_group_id><g:color>${p.color}</g:color><g:size>${p.size}</g:size><g:custom_label_0>${p.season}</g:custom_label_0><g:custom_label_1>${p.english}</g:custom_label_1></item>\n`;
}

/** Serves the feed, written as it is sent (never whole in memory): the shop's side of the sync. */
async function feedServer() {
  const server = http.createServer(async (request, response) => {
    response.writeHead(200, { 'content-type': 'application/xml; charset=utf-8' });
    response.write('<?xml version="1.0" encoding="UTF-8"?>\n<rss xmlns:g="http://base.google.com/ns/1.0" version="2.0"><channel><title>Bench shop</title>\n');
    for (let index = 0; index < PRODUCTS; index += 1000) {
      let chunk = '';
      for (let i = index; i < Math.min(PRODUCTS, index + 1000); i++) chunk += itemXml(product(i));
      if (!response.write(chunk)) await new Promise((resolve) => response.once('drain', resolve));
    }
    response.end('</channel></rss>\n');
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}/feed.xml`, close: () => new Promise((resolve) => server.close(resolve)) };
}

function freePort() {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function startHub(databaseUrl, dataDir) {
  const port = await freePort();
  const child = spawn(process.execPath, ['dist/main.js'], {
    env: {
      ...process.env,
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      PORT: String(port),
      ...(databaseUrl ? { DATABASE_URL: databaseUrl, HUB_SECRET_KEY: SECRET_KEY } : {}),
      HUB_DATA_DIR: dataDir,
      HUB_ADMIN_EMAIL: ADMIN.email,
      HUB_ADMIN_PASSWORD: ADMIN.password,
      HUB_TEAM_NAME: 'Bench catalog',
      // The feed is served on the loopback: an origin the operator allows, as for a shop's system on the LAN.
      HUB_ALLOWED_API_ORIGINS: 'http://127.0.0.1:*',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`the hub exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${base}/health`)).ok) return { base, pid: child.pid, stop: () => stop(child) };
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  child.kill('SIGTERM');
  throw new Error('the hub did not start within two minutes');
}

function stop(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', resolve);
    child.kill('SIGTERM');
  });
}

/** Resident memory of a process, MB (its threads included: the embedded database's too). */
function rssOf(pid) {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}

async function api(base, auth, method, path, body) {
  const { 'content-type': _type, ...withoutType } = auth;
  const response = await fetch(`${base}${path}`, { method, headers: body ? auth : withoutType, body: body ? JSON.stringify(body) : undefined });
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${await response.text()}`);
  return response.json();
}

/** Starts a sync and waits for it, sampling the hub's memory meanwhile. */
async function sync(hub, auth, sourceId) {
  const before = rssOf(hub.pid);
  let peak = before;
  const started = Date.now();
  const { id } = await api(hub.base, auth, 'POST', `/api/catalog/sources/${sourceId}/sync`);
  for (;;) {
    peak = Math.max(peak, rssOf(hub.pid));
    const state = await api(hub.base, auth, 'GET', `/api/catalog/sources/${sourceId}/syncs/${id}`);
    if (state.status !== 'running') return { ...state, seconds: (Date.now() - started) / 1000, beforeMb: before, peakMb: peak };
    await sleep(100);
  }
}

/** The queries, each asked SAMPLES times with its own varied parameters. */
function queries() {
  const pick = (i) => product((i * 7919) % PRODUCTS);
  return [
    ['name, half-width katakana', (i) => ({ q: NOUNS[i % NOUNS.length][1] })],
    ['name, two words', (i) => ({ q: `${MATERIALS[i % MATERIALS.length][0]} ${NOUNS[i % NOUNS.length][0]}` })],
    ['JAN code', (i) => ({ q: pick(i).gtin })],
    ['keyword + name', (i) => ({ q: `${SEASONS[i % SEASONS.length]} ${NOUNS[i % NOUNS.length][0]}` })],
    ['category', (i) => ({ category: `${NOUNS[i % NOUNS.length][2]} > ${NOUNS[i % NOUNS.length][0]}` })],
    ['category + in stock + word', (i) => ({ category: NOUNS[i % NOUNS.length][2], availability: 'in_stock', q: COLORS[i % COLORS.length] })],
    ['English words', (i) => ({ q: `${MATERIALS[i % MATERIALS.length][1]} shirt` })],
    // A letter doubled: nothing matches as typed, so the trigram fallback runs.
    ['English, a typing mistake', (i) => ({ q: `${MATERIALS[i % MATERIALS.length][1].replace(/(.)$/, '$1$1')} shirt` })],
  ];
}

async function measure(name, databaseUrl, feedUrl) {
  const dataDir = await mkdtemp(join(tmpdir(), 'tsunagi-bench-catalog-'));
  const hub = await startHub(databaseUrl, dataDir);
  try {
    const login = await api(hub.base, { 'content-type': 'application/json' }, 'POST', '/api/auth/login', ADMIN);
    const auth = { authorization: `Bearer ${login.accessToken}`, 'content-type': 'application/json' };
    const source = await api(hub.base, auth, 'POST', '/api/catalog/sources', { name: 'Bench feed', format: 'merchant_xml', url: feedUrl });
    const first = await sync(hub, auth, source.id);
    const second = await sync(hub, auth, source.id);
    console.log(`${name}: import of ${PRODUCTS.toLocaleString('en')} products ${first.status} in ${first.seconds.toFixed(1)} s (added ${first.added}, refused ${first.refusedCount}${first.error ? `, ${first.error}` : ''}); hub RSS ${first.beforeMb.toFixed(0)} MB before, ${first.peakMb.toFixed(0)} MB at most: +${(first.peakMb - first.beforeMb).toFixed(0)} MB (aim <= ${AIM_MEMORY_MB} MB)`);
    console.log(`${name}: the same feed again ${second.status} in ${second.seconds.toFixed(1)} s (unchanged ${second.unchanged}, updated ${second.updated}); +${(second.peakMb - second.beforeMb).toFixed(0)} MB`);
    console.log(`${'query'.padEnd(30)} ${'hits'.padStart(6)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)}  aim p95`);
    for (const [label, params] of queries()) {
      const times = [];
      let hits = 0;
      for (let i = 0; i < SAMPLES; i++) {
        const query = new URLSearchParams({ ...params(i), limit: '20' });
        const startedAt = performance.now();
        const { items } = await api(hub.base, auth, 'GET', `/api/catalog/products?${query}`);
        times.push(performance.now() - startedAt);
        hits += items.length;
      }
      const p95 = percentile(times, 95);
      console.log(`${label.padEnd(30)} ${String(Math.round(hits / SAMPLES)).padStart(6)} ${percentile(times, 50).toFixed(1).padStart(8)} ${p95.toFixed(1).padStart(8)}  <= ${AIM_MS} ms${p95 > AIM_MS ? '  OVER' : ''}`);
    }
  } finally {
    await hub.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function main() {
  const feed = await feedServer();
  console.log(`catalog: ${PRODUCTS.toLocaleString('en')} products in a Merchant Center XML feed; ${SAMPLES} requests per query, one at a time; databases ${DATABASES.join(', ')}`);
  try {
    for (const database of DATABASES) {
      if (database === 'postgres') {
        const admin = new pg.Client({ connectionString: SERVER_URL });
        await admin.connect();
        await admin.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
        await admin.query(`CREATE DATABASE ${DATABASE}`);
        await admin.end();
        const url = new URL(SERVER_URL);
        url.pathname = `/${DATABASE}`;
        await measure('postgres', url.toString(), feed.url);
      } else if (database === 'embedded') {
        await measure('embedded', null, feed.url);
      } else {
        throw new Error(`BENCH_DATABASES: unknown ${database} (postgres, embedded)`);
      }
    }
  } finally {
    await feed.close();
  }
}

await main();
