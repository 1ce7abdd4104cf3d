// Drives Plateau with obs-websocket-js (the npm client of most web and
// Node control surfaces), in its JSON or MessagePack form, and prints what
// it saw as one JSON object.
//
// Usage: node obs_websocket_js.cjs json|msgpack PORT PASSWORD
// The client is looked for in $PLATEAU_CLIENTS/node_modules.
const path = require('path');
const [mode, port, password] = process.argv.slice(2);
const clients = process.env.PLATEAU_CLIENTS;
const lib = require(path.join(clients, 'node_modules', 'obs-websocket-js', 'dist', `${mode}.cjs`));
const { default: OBSWebSocket, EventSubscription } = lib;
const url = `ws://127.0.0.1:${port}`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function main() {
  const out = {};
  const obs = new OBSWebSocket();
  const hello = await obs.connect(url, password, {
    eventSubscriptions: EventSubscription.All | EventSubscription.InputVolumeMeters,
  });
  out.rpc = hello.negotiatedRpcVersion;
  out.version = (await obs.call('GetVersion')).obsWebSocketVersion;
  out.scenes = (await obs.call('GetSceneList')).scenes.map((s) => s.sceneName);

  // Levels: about 20 a second, and the tone goes silent when muted.
  const meters = [];
  obs.on('InputVolumeMeters', ({ inputs }) => {
    const tone = inputs.find((i) => i.inputName === 'Tone');
    meters.push({ at: Date.now(), level: tone ? Math.max(...tone.inputLevelsMul.map((c) => c[0])) : -1 });
  });
  const window = async (ms) => {
    const from = Date.now();
    await sleep(ms);
    return meters.filter((m) => m.at >= from);
  };
  const loud = await window(2000);
  out.metersPerSecond = loud.length / 2;
  out.loud = Math.max(...loud.map((m) => m.level));
  const mutes = [];
  obs.on('InputMuteStateChanged', (d) => mutes.push(d));
  await obs.call('ToggleInputMute', { inputName: 'Tone' });
  await sleep(500);
  const quiet = await window(1000);
  out.quiet = Math.max(...quiet.map((m) => m.level));
  await obs.call('ToggleInputMute', { inputName: 'Tone' });
  await sleep(300);
  out.muteEvents = mutes.map((d) => d.inputMuted);
  await obs.reidentify({ eventSubscriptions: EventSubscription.All });
  await sleep(200);
  out.metersAfterUnsubscribing = (await window(1000)).length;

  // A batch of 50 requests answers in order.
  const requests = [];
  for (let i = 1; i <= 25; i++) {
    requests.push({ requestType: 'SetInputVolume', requestData: { inputName: 'Tone', inputVolumeMul: i / 25 } });
    requests.push({ requestType: 'GetInputVolume', requestData: { inputName: 'Tone' } });
  }
  const results = await obs.callBatch(requests);
  out.batch = results.map((r) => (r.requestType === 'GetInputVolume' ? r.responseData.inputVolumeMul : r.requestStatus.code));

  // Switching the program scene is told to every client.
  const changed = new Promise((resolve) => obs.once('CurrentProgramSceneChanged', (d) => resolve(d.sceneName)));
  await obs.call('SetCurrentProgramScene', { sceneName: 'Blue' });
  out.programChanged = await Promise.race([changed, sleep(5000).then(() => 'no event')]);
  try {
    await obs.call('NoSuchRequest');
    out.unknown = 'answered as if known';
  } catch (e) {
    out.unknown = e.code;
  }
  await obs.disconnect();

  // A wrong password is refused with the protocol's close code.
  const intruder = new OBSWebSocket();
  try {
    await intruder.connect(url, 'not-the-password');
    out.wrongPassword = 'accepted';
  } catch (e) {
    out.wrongPassword = e.code;
  }
  console.log(JSON.stringify(out));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
