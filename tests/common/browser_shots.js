// Opens a page in a running Chromium (DevTools protocol) and takes two
// screenshots one second apart, in real time, as a person would see it.
// usage: node --experimental-websocket browser_shots.js DEVTOOLS_PORT URL WAIT_MS OUT1.png OUT2.png
const fs = require("fs");
const [port, url, wait, out1, out2] = process.argv.slice(2);

async function main() {
  let target;
  for (let i = 0; i < 100 && !target; i++) {
    try {
      const list = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
      target = list.find((t) => t.type === "page");
    } catch (e) {}
    if (!target) await new Promise((r) => setTimeout(r, 200));
  }
  if (!target) throw new Error("no Chromium page on port " + port);
  const ws = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((r, j) => { ws.onopen = r; ws.onerror = j; });
  let id = 0;
  const waiting = new Map();
  ws.onmessage = (m) => {
    const msg = JSON.parse(m.data);
    if (msg.id && waiting.has(msg.id)) { waiting.get(msg.id)(msg); waiting.delete(msg.id); }
  };
  const call = (method, params = {}) => new Promise((r, j) => {
    id += 1;
    const timer = setTimeout(() => j(new Error(`Chromium did not answer ${method} within 20 s`)), 20000);
    waiting.set(id, (m) => { clearTimeout(timer); r(m); });
    ws.send(JSON.stringify({ id, method, params }));
  });
  const state = async () => (await call("Runtime.evaluate", { expression:
    "(() => { const v = document.querySelector('video'); return v ? `time ${v.currentTime.toFixed(2)} ready ${v.readyState} paused ${v.paused}` : 'no video'; })()" })).result.result.value;
  await call("Page.enable");
  await call("Page.navigate", { url });
  await new Promise((r) => setTimeout(r, Number(wait)));
  for (const out of [out1, out2]) {
    const shot = await call("Page.captureScreenshot", { format: "png" });
    fs.writeFileSync(out, Buffer.from(shot.result.data, "base64"));
    console.log(`${out}: ${await state()}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
  ws.close();
}
main().then(() => process.exit(0), (e) => { console.error(String(e)); process.exit(1); });
