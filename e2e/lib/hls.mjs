// A camera platform for the video test: ffmpeg (Debian) makes a 4-second
// HLS stream of its test pattern (invented, 示例), served from 127.0.0.1
// port 0 with the CORS header hls.js needs. Resolves { origin, url, close }.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

export function hlsServer() {
  const dir = mkdtempSync(join(tmpdir(), 'skygrid-hls-'));
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=size=320x180:rate=10', '-t', '4',
    '-c:v', 'libx264', '-profile:v', 'baseline', '-pix_fmt', 'yuv420p', '-g', '10', '-f', 'hls', '-hls_time', '2', '-hls_list_size', '0',
    join(dir, 'live.m3u8')]);
  const types = { m3u8: 'application/vnd.apple.mpegurl', ts: 'video/mp2t' };
  const srv = createServer((req, res) => {
    const name = basename(new URL(req.url, 'http://x').pathname);
    let body;
    try { body = readFileSync(join(dir, name)); } catch { res.writeHead(404).end(); return; }
    res.writeHead(200, { 'Content-Type': types[name.split('.').pop()] ?? 'application/octet-stream', 'Access-Control-Allow-Origin': '*' }).end(body);
  });
  return new Promise((resolve) => srv.listen(0, '127.0.0.1', () => {
    const origin = `http://127.0.0.1:${srv.address().port}`;
    resolve({ origin, url: origin + '/live.m3u8', close: () => { srv.close(); rmSync(dir, { recursive: true, force: true }); } });
  }));
}
