//! The page that plays the live stream in a browser, and its player,
//! hls.js (Apache-2.0, from npm at the version in data/web/hls.js-VERSION,
//! fetched by scripts/fetch-hlsjs), served from the binary.

use axum::http::header;
use axum::response::IntoResponse;

const PAGE: &str = r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Plateau live</title>
<style>html,body{margin:0;height:100%;background:#000}video{width:100%;height:100%;object-fit:contain}</style>
</head>
<body>
<video id="live" muted autoplay playsinline controls></video>
<script src="/hls.light.min.js"></script>
<script>
const video = document.getElementById("live");
if (window.Hls && Hls.isSupported()) {
  const hls = new Hls({ liveSyncDurationCount: 2, lowLatencyMode: false });
  hls.loadSource("/live.m3u8");
  hls.attachMedia(video);
  hls.on(Hls.Events.ERROR, (_, data) => {
    console.log("plateau: player error", data.type, data.details, data.fatal);
    if (data.fatal) setTimeout(() => hls.loadSource("/live.m3u8"), 1000);
  });
  hls.on(Hls.Events.MANIFEST_PARSED, () => video.play().catch(() => {}));
} else if (video.canPlayType("application/vnd.apple.mpegurl")) {
  video.src = "/live.m3u8";
}
// Autoplay sometimes waits for a user; a muted video may start by itself.
video.addEventListener("canplay", () => { if (video.paused) video.play().catch(() => {}); });
// Sound and pictures of the first segment need not start together: a
// player that waits before the first thing it has jumps to it.
setInterval(() => {
  const b = video.buffered;
  for (let i = 0; i < b.length; i++) {
    if (video.readyState < 3 && video.currentTime < b.start(i)) { video.currentTime = b.start(i) + 0.05; break; }
  }
}, 500);
</script>
</body>
</html>
"#;

const PLAYER: &[u8] = include_bytes!("../../data/web/hls.light.min.js");

pub async fn index() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], PAGE)
}

pub async fn player() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/javascript"), (header::CACHE_CONTROL, "max-age=86400")], PLAYER)
}
