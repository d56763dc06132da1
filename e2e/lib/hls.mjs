// A camera platform for the video test: the demo's 4-second HLS stream of
// ffmpeg's test pattern (invented, 示例; committed in demo/hls/site/ with
// the command that made it in data/README.md, so CI needs no ffmpeg),
// served from 127.0.0.1 port 0 with the CORS header hls.js needs.
// Resolves { origin, url, close }.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'demo', 'hls', 'site');

export function hlsServer() {
  const types = { m3u8: 'application/vnd.apple.mpegurl', ts: 'video/mp2t' };
  const srv = createServer((req, res) => {
    const name = basename(new URL(req.url, 'http://x').pathname);
    let body;
    try { body = readFileSync(join(dir, name)); } catch { res.writeHead(404).end(); return; }
    res.writeHead(200, { 'Content-Type': types[name.split('.').pop()] ?? 'application/octet-stream', 'Access-Control-Allow-Origin': '*' }).end(body);
  });
  return new Promise((resolve) => srv.listen(0, '127.0.0.1', () => {
    const origin = `http://127.0.0.1:${srv.address().port}`;
    resolve({ origin, url: origin + '/index.m3u8', close: () => srv.close() });
  }));
}
